"""Login (password), SMS code and consent pages; at the end, back to the protocol's resume URL."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp import limits, sso
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.login import bp
from gosuslugi_sandbox.idp.login import sms as sms_codes
from gosuslugi_sandbox.idp.models import Client, Person
from gosuslugi_sandbox.idp.persons import find_by_login_with
from gosuslugi_sandbox.idp.runtime import db_session, now
from gosuslugi_sandbox.idp.scopes import scope_title
from gosuslugi_sandbox.shared.formats import mask_phone, normalize_login

WRONG_CREDENTIALS = "Неверный логин или пароль"


def _locked_message(key: str) -> str:
    minutes = limits.counters.minutes_blocked(key)
    return (
        "Вход временно заблокирован из-за нескольких неудачных попыток. "
        f"Попробуйте снова через {minutes} мин."
    )


def _sms_blocked_message(key: str) -> str:
    minutes = limits.counters.minutes_blocked(key)
    return (
        "Превышено количество попыток ввода кода. Подтверждение по СМС временно "
        f"заблокировано, повторите попытку через {minutes} мин."
    )


def _dev_persons() -> list[Person]:
    if not settings().dev:
        return []
    return list(db_session().scalars(select(Person).order_by(Person.oid)))


def _render_login(inter, error: str | None = None, login: str = "", persons=None):
    """The login page; DEV's list of test persons as read with the interaction, else here."""
    persons = _dev_persons() if persons is None else persons
    return render_template(
        "login/login.html", inter=inter, error=error, login=login, persons=persons
    )


def finish_login(inter, person: Person, amr: list[str]):
    """Every factor passed: log the interaction in and open the SSO session."""
    auth_time = int(now())
    sso.end_session()
    session_row = sso.start_session(person.oid, auth_time, amr)
    ix.mark_logged_in(inter, person.oid, amr, auth_time, session_row.id)
    ix.commit()
    return redirect(ix.next_url(inter))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step 1: login (phone / e-mail / SNILS) and password.

    An unknown login and a wrong password get the same answer, and both are counted and
    locked out alike (per person, or per login as typed when nobody has it).
    """
    interaction_id = request.args.get("interaction")
    if request.method == "GET" and settings().dev:
        inter, persons = ix.load_with_every_person(interaction_id)
        return _render_login(inter, login=request.args.get("login", ""), persons=persons)
    inter = ix.load(interaction_id)
    if request.method == "GET":
        return _render_login(inter, login=request.args.get("login", ""))
    login_text = request.form.get("login", "").strip()
    password = request.form.get("password", "")
    if not login_text or not password:
        return _render_login(inter, "Введите логин и пароль", login_text)
    # the person's SMS block comes along: a blocked SMS step sends no code below
    person, (sms_blocked_until,) = find_by_login_with(
        db_session(), login_text, (limits.PERSON_SMS_BLOCKED_UNTIL,)
    )
    key = limits.password_key(person.oid if person else None, normalize_login(login_text))
    if not limits.counters.take(key, limits.password_limit()):
        return _render_login(inter, _locked_message(key), login_text)
    if person is None or not person.check_password(password):
        if limits.counters.fail(key, limits.password_limit()):
            return _render_login(inter, _locked_message(key), login_text)
        return _render_login(inter, WRONG_CREDENTIALS, login_text)
    limits.counters.clear(key)
    had_codes = inter.password_ok  # only a login past its password has sent codes before
    ix.set_password_ok(inter, person)
    if not person.mobile:
        # e-mail-only accounts have no phone to confirm: the password is the only factor
        return finish_login(inter, person, ["pwd"])
    if not limits.blocked_now(sms_blocked_until):  # a blocked step sends nothing
        sms_codes.send_code(person.mobile, inter.id, person.oid, retire_older=had_codes)
    ix.commit()
    return redirect(url_for("login.sms", interaction=inter.id))


def _sms_key(person: Person) -> str:
    return limits.sms_key(person.oid)


_UNREAD = object()


def _sms_page(inter, person: Person, error=None, notice=None, resend_after=_UNREAD):
    """The SMS page; resend_after as read with the interaction, else read here."""
    if resend_after is _UNREAD:
        challenge = sms_codes.latest(inter.id)
        resend_after = challenge.resend_after if challenge is not None else None
    return render_template(
        "login/sms.html",
        inter=inter,
        phone=mask_phone(person.mobile),
        error=error,
        notice=notice,
        resend_wait=sms_codes.resend_wait(resend_after),
        code_length=settings().sms_code_length,
    )


# what the SMS page shows besides the interaction, read with it: the person's SMS block and
# when the newest code allows a resend
SMS_PAGE_COLUMNS = (limits.SMS_BLOCKED_UNTIL, sms_codes.LATEST_RESEND_AFTER)


def _sms_context(columns: tuple = ()):
    inter, extra = ix.load_with(request.args.get("interaction"), columns)
    person = db_session().get(Person, inter.person_oid) if inter.person_oid else None
    return inter, person, extra


SMS_MESSAGES = {
    sms_codes.Check.EXPIRED: "Срок действия кода истёк. Запросите новый код.",
    sms_codes.Check.EXHAUSTED: "Попытки ввода кода исчерпаны. Запросите новый код.",
    sms_codes.Check.MISSING: "Код недействителен. Запросите новый код.",
}


@bp.route("/login/sms", methods=["GET", "POST"])
def sms():
    """Step 2: the code sent by SMS (wrong codes are capped per person across logins)."""
    inter, person, extra = _sms_context(SMS_PAGE_COLUMNS if request.method == "GET" else ())
    if not inter.password_ok or inter.logged_in or person is None or not person.mobile:
        return redirect(ix.next_url(inter))
    key, cap = _sms_key(person), limits.sms_wrong_limit()
    if request.method == "GET":
        blocked_until, resend_after = extra
        if limits.blocked_now(blocked_until):
            return _sms_page(inter, person, _sms_blocked_message(key), None, resend_after)
        refused = request.args.get("refused")
        if refused in RESEND_REFUSALS:
            error = RESEND_REFUSALS[refused](sms_codes.resend_wait(resend_after))
            return _sms_page(inter, person, error, None, resend_after)
        notice = "Новый код отправлен" if request.args.get("resent") else None
        return _sms_page(inter, person, notice=notice, resend_after=resend_after)
    # Room for a try is decided (and the counter's row held) first; the code's own UPDATE
    # follows in the same transaction, and only a wrong code is counted before the commit.
    if not limits.counters.hold(key, cap):
        return _sms_page(inter, person, error=_sms_blocked_message(key))
    outcome, left = sms_codes.check(inter.id, request.form.get("code", ""))
    if outcome is not sms_codes.Check.WRONG:  # a right code, or nothing compared: no guess
        ix.commit()
        if outcome is sms_codes.Check.OK:
            return finish_login(inter, person, ["pwd", "sms"])
        return _sms_page(inter, person, error=SMS_MESSAGES[outcome])
    if limits.counters.count_failure(key, cap):
        return _sms_page(inter, person, error=_sms_blocked_message(key))
    if left <= 0:
        return _sms_page(inter, person, error="Неверный код. " + SMS_MESSAGES[outcome.EXHAUSTED])
    return _sms_page(inter, person, error=f"Неверный код. Осталось попыток: {left}")


# a refused resend goes back to the SMS page (a reload then re-sends nothing), which says why
RESEND_REFUSALS = {  # by the seconds left until a resend
    "early": lambda wait: f"Запросить код повторно можно через {wait} сек.",
    "login": lambda _wait: (
        "Превышено количество запросов кода для этого входа. Начните вход заново."
    ),
    "hour": lambda _wait: "Превышено количество запросов кода. Повторите попытку через час.",
}


@bp.route("/login/sms/resend", methods=["POST"])
def sms_resend():
    """Send a new code: not before the resend delay, and within the per-login and hourly caps."""
    inter, person, _ = _sms_context()
    if not inter.password_ok or inter.logged_in or person is None or not person.mobile:
        return redirect(ix.next_url(inter))

    def back(**outcome):
        return redirect(url_for("login.sms", interaction=inter.id, **outcome))

    if limits.counters.blocked(_sms_key(person)):
        return back()  # the page says the step is blocked
    challenge = sms_codes.latest(inter.id)
    resend_after = challenge.resend_after if challenge is not None else None
    if sms_codes.resend_wait(resend_after) > 0 or not sms_codes.may_resend(challenge):
        db_session().rollback()
        return back(refused="early")
    if not limits.counters.take(f"sms-resend:{inter.id}", limits.sms_resend_limit()):
        return back(refused="login")
    if not limits.counters.take(f"sms-resend:{person.oid}", limits.sms_resend_hourly_limit()):
        return back(refused="hour")
    sms_codes.send_code(person.mobile, inter.id, person.oid)
    ix.commit()
    return back(resent=1)


@bp.route("/consent", methods=["GET", "POST"])
def consent():
    """Step 3: the person allows or denies the client the data it asked for."""
    interaction_id = request.args.get("interaction")
    decision = request.form.get("decision") if request.method == "POST" else None
    if decision in ("allow", "deny"):
        decided = ix.record_consent_once(interaction_id, decision == "allow")
        if decided is not None:
            ix.commit()
            return redirect(ix.resume_url(decided))
    inter = ix.load(interaction_id)  # not waiting for a decision: say why
    if not inter.logged_in or not inter.needs_consent or inter.consent is not None:
        return redirect(ix.next_url(inter))
    if request.method == "POST":  # no valid decision (or one recorded in between)
        return redirect(url_for("login.consent", interaction=inter.id))
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
