"""Login "Вход в «Сферум»" (phone or e-mail, then password), logout, password reset."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select, update

from gosuslugi_sandbox.relying_party import limits, sessions
from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.models import OutboxMessage, User
from gosuslugi_sandbox.relying_party.web import current_user, db, log_event, log_in, new_code, now
from gosuslugi_sandbox.shared.formats import login_candidates, normalize_login
from gosuslugi_sandbox.shared.passwords import hash_password, verify_password
from gosuslugi_sandbox.shared.sql import claimed

bp = Blueprint("accounts", __name__)


def find_user(login: str) -> User | None:
    """The user whose phone or e-mail the login is, in any common spelling."""
    for candidate in login_candidates(login):
        column = {"phone": User.phone, "email": User.email}.get(candidate.kind)
        if column is None:
            continue
        user = db().scalar(select(User).where(column == candidate.value))
        if user is not None:
            return user
    return None


WRONG_CREDENTIALS = "Неверный логин или пароль"
WRONG_CODE = "Неверный или устаревший код. Запросите новый код."


def _locked(key: str) -> str:
    minutes = limits.counters.minutes_blocked(key)
    return f"Слишком много неудачных попыток. Вход заблокирован на {minutes} мин."


def check_password(user: User | None, login: str, password: str, wrong: str) -> str | None:
    """Count a password attempt; return a Russian error, or None when it is right.

    Counted per account, or per login as typed when nobody has it, so an unknown login gets
    the same answers — `wrong`, then the lockout — as a wrong password. The caller commits.
    """
    key = limits.password_key(user.id if user else None, normalize_login(login))
    if not limits.counters.take(key, limits.password_limit()):
        return _locked(key)
    if user is None or not verify_password(user.password_hash, password):
        return _locked(key) if limits.counters.fail(key, limits.password_limit()) else wrong
    limits.counters.clear(key)
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step one: phone or e-mail."""
    error = None
    login_value = request.form.get("login", "").strip()
    if request.method == "POST":
        if not any(c.kind in ("phone", "email") for c in login_candidates(login_value)):
            error = "Введите номер телефона или адрес почты"
        else:
            session["login"] = login_value
            return redirect(url_for("accounts.password"))
    return render_template("login.html", error=error, login_value=login_value)


@bp.route("/login/password", methods=["GET", "POST"])
def password():
    """Step two: the VK ID password."""
    login_value = session.get("login")
    if not login_value:
        return redirect(url_for("accounts.login"))
    error = None
    if request.method == "POST":
        user = find_user(login_value)
        password = request.form.get("password", "")
        error = check_password(user, login_value, password, WRONG_CREDENTIALS)
        if error is None:
            log_event(db(), "login", user.id, method="vkid")
            log_in(user)
            db().commit()
            return redirect(url_for("profile.home"))
        db().commit()
    return render_template("login_password.html", error=error, login_value=login_value)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session."""
    user = current_user()
    if user is not None:
        log_event(db(), "logout", user.id)
    sessions.end()
    db().commit()
    return redirect(url_for("accounts.login"))


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset code (delivered to the RP's outbox)."""
    user = current_user()
    default_login = (user.phone or user.email) if user else session.get("login", "")
    login_value = request.form.get("login", default_login or "").strip()
    error = None
    if request.method == "POST":
        target = find_user(login_value)
        if not login_candidates(login_value):
            error = "Введите номер телефона или адрес почты"
        elif not limits.counters.take(
            f"reset-send:{normalize_login(login_value)}", limits.reset_send_limit()
        ):
            # counted for unknown addresses too: the answer does not tell them apart
            error = "Слишком много запросов кода. Повторите попытку через час."
        else:
            if target is not None:
                db().add(
                    OutboxMessage(
                        sent_at=now(),
                        user_id=target.id,
                        address=target.phone or target.email,
                        code=new_code(),
                    )
                )
                db().commit()
            # Same answer whether or not the account exists (no account enumeration).
            session["reset_login"] = login_value
            return redirect(url_for("accounts.reset"))
    return render_template("forgot.html", error=error, login_value=login_value)


@bp.route("/login/reset", methods=["GET", "POST"])
def reset():
    """Enter the code and a new password."""
    login_value = session.get("reset_login")
    if not login_value:
        return redirect(url_for("accounts.forgot"))
    error = None
    if request.method == "POST":
        error = _apply_reset(login_value, request.form.get("code", ""), request.form)
        if error is None:
            session.pop("reset_login", None)
            flash("Пароль изменён")
            if current_user() is not None and session.get("flow_state"):
                return redirect(url_for("gosuslugi.password"))
            if current_user() is not None:
                return redirect(url_for("profile.settings"))
            session["login"] = login_value
            return redirect(url_for("accounts.password"))
    return render_template("reset.html", error=error, login_value=login_value)


def _apply_reset(login_value: str, code: str, form) -> str | None:
    """Check the code (capped per account and per address, across codes) and set the password.

    One message for a wrong code, an old code and an unknown account.
    """
    new_password = form.get("password", "")
    if len(new_password) < 8:
        return "Пароль должен содержать не меньше 8 символов"
    user = find_user(login_value)
    keys = [f"reset-guess:address:{normalize_login(login_value)}"]
    if user is not None:
        keys.append(f"reset-guess:user:{user.id}")
    cap = limits.reset_guess_limit()
    if not all(limits.counters.take(key, cap) for key in keys):
        return _locked_reset(keys)
    message = _latest_code(user) if user is not None else None
    if message is None or not _count_try(message) or code.strip() != message.code:
        return (
            _locked_reset(keys)
            if any([limits.counters.fail(k, cap) for k in keys])
            else (WRONG_CODE)
        )
    if not claimed(db(), update(OutboxMessage).where(
            OutboxMessage.id == message.id, OutboxMessage.used_at.is_(None)
    ).values(used_at=now())):  # fmt: skip
        return WRONG_CODE
    user.password_hash = hash_password(new_password, settings().password_hash_method)
    limits.counters.clear(limits.password_key(user.id, ""), *keys)
    sessions.revoke_others(user.id)
    log_event(db(), "password_reset", user.id)
    db().commit()
    return None


def _latest_code(user: User) -> OutboxMessage | None:
    """The newest unused reset code of the account, if it is still fresh."""
    message = db().scalar(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == user.id, OutboxMessage.used_at.is_(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if message is None or message.sent_at + settings().reset_code_ttl < now():
        return None
    return message


def _count_try(message: OutboxMessage) -> bool:
    """Count a try of this code (`attempts < max`, one UPDATE, committed); False = used up."""
    counted = claimed(
        db(),
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.used_at.is_(None),
            OutboxMessage.attempts < settings().reset_code_attempts,
        )
        .values(attempts=OutboxMessage.attempts + 1),
    )
    db().commit()
    return counted


def _locked_reset(keys: list[str]) -> str:
    blocked = [limits.counters.minutes_blocked(k) for k in keys if limits.counters.blocked(k)]
    minutes = max(blocked, default=int(settings().reset_wrong_window) // 60)
    return f"Слишком много неверных кодов. Повторите попытку через {minutes} мин."
