"""«Восстановить»: a code to the phone or e-mail of the account, then a new password.

The person names the account by phone, e-mail or SNILS. The code goes to the SMS outbox
(phone, or SNILS of an account with a mobile) or to the e-mail outbox (e-mail, or SNILS of an
e-mail-only account). The answer is the same whether or not such an account exists. The flow
belongs to this browser (its id is in the signed session cookie); its code has a lifetime, a
few tries (each counted before it is checked) and is spent by the statement that matches it.
"""

from __future__ import annotations

import re

from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select, update

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.login import bp, records
from gosuslugi_sandbox.idp.login.records import EmailMessage, RecoveryCode
from gosuslugi_sandbox.idp.models import IdpSession, Person, SmsMessage
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, random_token, runtime
from gosuslugi_sandbox.shared.formats import login_candidates, mask_phone
from gosuslugi_sandbox.shared.passwords import hash_password

FLOW_KEY = "recovery_flow"
COLUMNS = {"phone": Person.mobile, "email": Person.email, "snils": Person.snils}


def _code_hash(flow_id: str, code: str) -> str:
    return digest(f"recovery:{flow_id}:{code.strip()}")


def _interaction_id() -> str | None:
    inter = ix.get(request.args.get("interaction"))
    return inter.id if inter is not None and inter.finished_at is None else None


def _find(login: str) -> tuple[str, Person | None]:
    """How the login reads (phone | email | snils) and whose account it names."""
    candidates = login_candidates(login)
    for candidate in candidates:
        person = db_session().scalar(
            select(Person).where(COLUMNS[candidate.kind] == candidate.value)
        )
        if person is not None:
            return candidate.kind, person
    return candidates[0].kind, None


def _destination(kind: str, login: str, person: Person | None) -> tuple[str, str]:
    """(channel, address) the code goes to; for no account, what the person typed."""
    if person is not None and (kind == "phone" or (kind == "snils" and person.mobile)):
        return "sms", person.mobile
    if person is not None:
        return "email", person.email
    typed = next(c for c in login_candidates(login) if c.kind == kind)
    return ("sms" if kind == "phone" else "email" if kind == "email" else "none"), typed.value


def _send(channel: str, address: str, code: str, moment: float) -> None:
    text = f"Код для восстановления пароля: {code}. Никому не сообщайте его. Госуслуги (песочница)"
    if channel == "sms":
        db_session().add(
            SmsMessage(phone=address, code=code, purpose="recovery", text=text, sent_at=moment)
        )
    else:
        subject = "Восстановление пароля на Госуслугах"
        db_session().add(
            EmailMessage(address=address, subject=subject, text=text, code=code, sent_at=moment)
        )


@bp.route("/login/recovery", methods=["GET", "POST"], endpoint="recovery")
def start():
    """Step 1: phone, e-mail or SNILS of the account."""
    interaction = _interaction_id()
    login = request.form.get("login", request.args.get("login", "")).strip()
    if request.method == "GET":
        return render_template("login/recovery.html", interaction=interaction, login=login)
    if not login_candidates(login):
        error = "Введите телефон, электронную почту или СНИЛС"
        return _start_page(interaction, login, error)
    kind, person = _find(login)
    channel, address = _destination(kind, login, person)
    moment = now()
    # paced per what was typed (not per destination: that would tell whose SNILS is whose)
    typed = next(c for c in login_candidates(login) if c.kind == kind)
    pacing_key = f"recovery:{kind}:{typed.value}"
    if not limits.counters.take(pacing_key, limits.recovery_pacing()):
        wait = max(1, limits.counters.seconds_to_room(pacing_key, limits.recovery_pacing()))
        return _start_page(interaction, login, f"Новый код можно запросить через {wait} сек.")
    # only the newest code of an address works
    db_session().execute(
        update(RecoveryCode)
        .where(RecoveryCode.address == address, RecoveryCode.used_at.is_(None))
        .values(used_at=moment)
    )
    flow_id = random_token(24)
    code = runtime().sms_code(settings().sms_code_length)
    db_session().add(
        RecoveryCode(
            id=flow_id,
            person_oid=person.oid if person else None,
            channel=channel,
            address=address,
            # no account: a digest no code can match, and nothing is sent
            code_hash=_code_hash(flow_id, code) if person else digest(random_token()),
            interaction_id=interaction,
            created_at=moment,
            expires_at=moment + settings().recovery_code_ttl,
            resend_after=moment + settings().recovery_resend_seconds,
        )
    )
    if person is not None:
        _send(channel, address, code, moment)
    ix.commit()
    session[FLOW_KEY] = {"id": flow_id, "by": kind}
    return redirect(url_for("login.recovery_code", interaction=interaction))


def _start_page(interaction: str | None, login: str, error: str):
    page = render_template("login/recovery.html", interaction=interaction, login=login, error=error)
    return page, 400


def _sent_to(flow: RecoveryCode, kind_hint: str) -> str:
    """Where the page says the code went (the same words whether or not the account exists)."""
    if flow.channel == "sms" and kind_hint != "snils":
        return f"на номер {mask_phone(flow.address)}"
    if flow.channel == "email" and kind_hint != "snils" and "@" in flow.address:
        name, _, domain = flow.address.partition("@")
        return f"на почту {name[:1]}***@{domain}"
    return "на телефон или почту, указанные в учётной записи"


def _flow() -> tuple[RecoveryCode | None, str]:
    """This browser's recovery and how the account was named."""
    held = session.get(FLOW_KEY) or {}
    flow = db_session().get(RecoveryCode, held.get("id")) if held.get("id") else None
    return flow, str(held.get("by", ""))


def password_problems(password: str, repeat: str) -> list[str]:
    """Why a new password is refused (Gosuslugi's rules), in Russian; empty when it is fine."""
    rules = [
        (len(password) >= 8, "не короче 8 символов"),
        (re.search(r"[a-z]", password), "строчные латинские буквы"),
        (re.search(r"[A-Z]", password), "заглавные латинские буквы"),
        (re.search(r"\d", password), "цифры"),
        (re.search(r"[^A-Za-z\d\s]", password), "знаки препинания или спецсимволы"),
    ]
    missing = [text for ok, text in rules if not ok]
    problems = ["Пароль должен содержать: " + ", ".join(missing)] if missing else []
    if password != repeat:
        problems.append("Пароли не совпадают")
    return problems


def _code_page(flow: RecoveryCode, by: str, error: str | None = None, status: int = 200):
    page = render_template(
        "login/recovery_code.html",
        interaction=flow.interaction_id,
        sent_to=_sent_to(flow, by),
        code_length=settings().sms_code_length,
        error=error,
    )
    return page, status


def _blocked(key: str) -> str:
    minutes = limits.counters.minutes_blocked(key)
    return (
        "Превышено количество попыток ввода кода. Восстановление пароля временно "
        f"заблокировано, повторите попытку через {minutes} мин."
    )


@bp.route("/login/recovery/code", methods=["GET", "POST"], endpoint="recovery_code")
def enter_code():
    """Step 2: the code and the new password (twice)."""
    flow, by = _flow()
    if flow is None:
        return redirect(url_for("login.recovery", interaction=_interaction_id()))
    if request.method == "GET":
        return _code_page(flow, by)
    password = request.form.get("password", "")
    problems = password_problems(password, request.form.get("password_repeat", ""))
    if problems:  # no code try is spent on a password that would be refused anyway
        return _code_page(flow, by, " ".join(problems), 400)
    limit, moment = settings().recovery_code_attempts, now()
    wrong_key, cap = f"recovery-wrong:{flow.address}", limits.recovery_wrong_limit()
    if not limits.counters.take(wrong_key, cap):  # per address, across codes
        return _code_page(flow, by, _blocked(wrong_key), 403)
    if not records.count_code_attempt(flow.id, limit, moment):
        limits.counters.release(wrong_key)  # nothing compared: not a guess
        ix.commit()
        expired = flow.expires_at <= moment
        message = (
            "Срок действия кода истёк. Запросите новый код."
            if expired
            else "Код больше не действует: попытки исчерпаны или запрошен новый код. "
            "Запросите новый код."
        )
        return _code_page(flow, by, message, 400)
    if not records.use_code(flow.id, _code_hash(flow.id, request.form.get("code", "")), moment):
        ix.commit()  # the try counts
        if limits.counters.fail(wrong_key, cap):
            return _code_page(flow, by, _blocked(wrong_key), 403)
        db_session().refresh(flow)
        left = max(0, limit - flow.attempts)
        message = (
            f"Неверный код. Осталось попыток: {left}"
            if left
            else ("Неверный код. Попытки исчерпаны. Запросите новый код.")
        )
        return _code_page(flow, by, message, 400)
    person = db_session().get(Person, flow.person_oid)
    person.password_hash = hash_password(password, runtime().password_method)
    limits.unlock_person(person.oid)
    # a new password ends every session the old one opened
    db_session().execute(
        update(IdpSession)
        .where(IdpSession.person_oid == person.oid, IdpSession.ended_at.is_(None))
        .values(ended_at=moment)
    )
    ix.commit()
    session.pop(FLOW_KEY, None)
    return redirect(url_for("login.recovery_done", interaction=flow.interaction_id))


@bp.route("/login/recovery/done", endpoint="recovery_done")
def done():
    """The password is changed: back to the login."""
    return render_template("login/recovery_done.html", interaction=_interaction_id())
