"""Login "Вход в «Сферум»" (phone or e-mail, then password), logout, password reset."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from relying_party.models import OutboxMessage, User
from relying_party.web import current_user, db, log_event, log_in, new_code, now
from shared.formats import login_candidates
from shared.passwords import hash_password, verify_password

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


def check_password(user: User, password: str) -> str | None:
    """Count a password attempt; return a Russian error, or None when it is right.

    LOCKOUT_ATTEMPTS wrong passwords in a row lock the account for LOCKOUT_SECONDS.
    The caller commits.
    """
    cfg = current_app.config
    if user.locked_until and user.locked_until > now():
        minutes = math.ceil((user.locked_until - now()) / 60)
        return f"Слишком много неудачных попыток. Попробуйте снова через {minutes} мин."
    if verify_password(user.password_hash, password):
        user.failed_logins = 0
        user.locked_until = None
        return None
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= cfg["LOCKOUT_ATTEMPTS"]:
        user.failed_logins = 0
        user.locked_until = now() + cfg["LOCKOUT_SECONDS"]
        minutes = math.ceil(cfg["LOCKOUT_SECONDS"] / 60)
        return f"Слишком много неудачных попыток. Вход заблокирован на {minutes} мин."
    return "Неверный пароль"


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
        if user is None:
            error = "Неверный логин или пароль"
        else:
            error = check_password(user, request.form.get("password", ""))
            if error is None:
                log_event(db(), "login", user.id, method="vkid")
                db().commit()
                log_in(user)
                return redirect(url_for("profile.home"))
            db().commit()
    return render_template("login_password.html", error=error, login_value=login_value)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session."""
    user = current_user()
    if user is not None:
        log_event(db(), "logout", user.id)
        db().commit()
    session.clear()
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
    cfg = current_app.config
    new_password = form.get("password", "")
    if len(new_password) < 8:
        return "Пароль должен содержать не меньше 8 символов"
    user = find_user(login_value)
    message = None
    if user is not None:
        message = db().scalar(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id, OutboxMessage.used_at.is_(None))
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    if (
        message is None
        or message.sent_at + cfg["RESET_CODE_TTL"] < now()
        or message.attempts >= cfg["RESET_CODE_ATTEMPTS"]
    ):
        return "Код устарел. Запросите новый код."
    if code.strip() != message.code:
        message.attempts += 1
        db().commit()
        return "Неверный код"
    message.used_at = now()
    user.password_hash = hash_password(new_password, cfg["PASSWORD_HASH_METHOD"])
    user.failed_logins = 0
    user.locked_until = None
    log_event(db(), "password_reset", user.id)
    db().commit()
    return None
