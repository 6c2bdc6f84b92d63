"""Login (password), SMS code and consent pages; at the end, back to the protocol's resume URL."""

from __future__ import annotations

import math

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from idp import interactions as ix
from idp import sso
from idp.login import bp
from idp.login import sms as sms_codes
from idp.models import Client, Person
from idp.persons import find_by_login
from idp.runtime import config, db_session, now
from idp.scopes import scope_title
from shared.formats import mask_phone

WRONG_CREDENTIALS = "Неверный логин или пароль"


def _locked_message(person: Person) -> str:
    minutes = max(1, math.ceil(((person.locked_until or 0) - now()) / 60))
    return (
        "Вход временно заблокирован из-за нескольких неудачных попыток. "
        f"Попробуйте снова через {minutes} мин."
    )


def _dev_persons() -> list[Person]:
    if not config("DEV"):
        return []
    return list(db_session().scalars(select(Person).order_by(Person.oid)))


def _render_login(inter, error: str | None = None, login: str = "", status: int = 200):
    page = render_template(
        "login/login.html", inter=inter, error=error, login=login, persons=_dev_persons()
    )
    return page, status


def _finish_login(inter, person: Person, amr: list[str]):
    """Every factor passed: log the interaction in and open the SSO session."""
    auth_time = int(now())
    sso.end_session()
    session_row = sso.start_session(person.oid, auth_time, amr)
    ix.mark_logged_in(inter, person.oid, amr, auth_time, session_row.id)
    ix.commit()
    return redirect(ix.next_url(inter))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step 1: login (phone / e-mail / SNILS) and password."""
    inter = ix.load(request.args.get("interaction"))
    if request.method == "GET":
        return _render_login(inter, login=request.args.get("login", ""))
    login_text = request.form.get("login", "").strip()
    password = request.form.get("password", "")
    if not login_text or not password:
        return _render_login(inter, "Введите логин и пароль", login_text)
    person = find_by_login(db_session(), login_text)
    if person is None:
        return _render_login(inter, WRONG_CREDENTIALS, login_text)
    if person.is_locked():
        return _render_login(inter, _locked_message(person), login_text)
    if not person.check_password(password):
        person.failed_logins = (person.failed_logins or 0) + 1
        message = WRONG_CREDENTIALS
        if person.failed_logins >= int(config("MAX_FAILED_LOGINS", 5)):
            person.locked_until = now() + int(config("LOCKOUT_SECONDS", 900))
            person.failed_logins = 0
            message = _locked_message(person)
        ix.commit()
        return _render_login(inter, message, login_text)
    person.failed_logins = 0
    person.locked_until = None
    ix.set_password_ok(inter, person)
    if not person.mobile:
        # e-mail-only accounts have no phone to confirm: the password is the only factor
        return _finish_login(inter, person, ["pwd"])
    sms_codes.send_code(person.mobile, inter.id, person.oid)
    ix.commit()
    return redirect(url_for("login.sms", interaction=inter.id))


def _sms_page(inter, person: Person, error: str | None = None, notice: str | None = None):
    challenge = sms_codes.latest(inter.id)
    return render_template(
        "login/sms.html",
        inter=inter,
        phone=mask_phone(person.mobile),
        error=error,
        notice=notice,
        resend_wait=sms_codes.resend_wait(challenge),
        code_length=int(config("SMS_CODE_LENGTH", 6)),
    )


def _sms_context():
    inter = ix.load(request.args.get("interaction"))
    person = db_session().get(Person, inter.person_oid) if inter.person_oid else None
    return inter, person


@bp.route("/login/sms", methods=["GET", "POST"])
def sms():
    """Step 2: the code sent by SMS."""
    inter, person = _sms_context()
    if not inter.password_ok or inter.logged_in or person is None or not person.mobile:
        return redirect(ix.next_url(inter))
    if request.method == "GET":
        notice = "Новый код отправлен" if request.args.get("resent") else None
        return _sms_page(inter, person, notice=notice)
    challenge = sms_codes.latest(inter.id)
    outcome = sms_codes.check(challenge, request.form.get("code", ""))
    if outcome is sms_codes.Check.OK:
        return _finish_login(inter, person, ["pwd", "sms"])
    ix.commit()  # the attempt counts
    messages = {
        sms_codes.Check.WRONG: "Неверный код. Осталось попыток: "
        + str(sms_codes.attempts_left(challenge) if challenge else 0),
        sms_codes.Check.EXPIRED: "Срок действия кода истёк. Запросите новый код.",
        sms_codes.Check.EXHAUSTED: "Попытки ввода кода исчерпаны. Запросите новый код.",
        sms_codes.Check.MISSING: "Код недействителен. Запросите новый код.",
    }
    return _sms_page(inter, person, error=messages[outcome])


@bp.route("/login/sms/resend", methods=["POST"])
def sms_resend():
    """Send a new code, but not before the resend delay has passed."""
    inter, person = _sms_context()
    if not inter.password_ok or inter.logged_in or person is None or not person.mobile:
        return redirect(ix.next_url(inter))
    wait = sms_codes.resend_wait(sms_codes.latest(inter.id))
    if wait > 0:
        return _sms_page(inter, person, error=f"Запросить код повторно можно через {wait} сек.")
    sms_codes.send_code(person.mobile, inter.id, person.oid)
    ix.commit()
    return redirect(url_for("login.sms", interaction=inter.id, resent=1))


@bp.route("/consent", methods=["GET", "POST"])
def consent():
    """Step 3: the person allows or denies the client the data it asked for."""
    inter = ix.load(request.args.get("interaction"))
    if not inter.logged_in or not inter.needs_consent or inter.consent is not None:
        return redirect(ix.next_url(inter))
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("allow", "deny"):
            return redirect(url_for("login.consent", interaction=inter.id))
        ix.record_consent(inter, decision == "allow")
        ix.commit()
        return redirect(ix.resume_url(inter))
    client = db_session().get(Client, inter.client_id) if inter.client_id else None
    person = db_session().get(Person, inter.person_oid)
    items = [(s, scope_title(s)) for s in inter.scopes]
    return render_template(
        "login/consent.html", inter=inter, client=client, person=person, items=items
    )


@bp.route("/login/unavailable")
def unavailable():
    """Password recovery and other login methods do not exist in the sandbox."""
    methods = {"restore": "Восстановление пароля", "other": "Вход другим способом"}
    title = methods.get(request.args.get("method", ""), "Этот способ")
    return render_template(
        "login/unavailable.html", title=title, back=request.args.get("interaction")
    )
