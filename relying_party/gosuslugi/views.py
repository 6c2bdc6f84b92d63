"""The five linking steps, the sync table, login via Gosuslugi, and every refusal page."""

from __future__ import annotations

import logging

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
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.relying_party.accounts.views import check_password
from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import finish_attempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.gosuslugi.sync import apply_identity, compare
from gosuslugi_sandbox.relying_party.models import FlowAttempt, GosuslugiLink, User
from gosuslugi_sandbox.relying_party.web import (
    current_user,
    db,
    log_event,
    log_in,
    login_required,
    message_page,
    now,
)

log = logging.getLogger(__name__)
bp = Blueprint("gosuslugi", __name__, url_prefix="/gosuslugi")

REFUSALS = {
    "not_trusted": (
        "Ваша учётная запись на Госуслугах не подтверждена (упрощённая или стандартная). "
        "Связать профиль «Сферума» можно только с подтверждённой учётной записью. "
        "Подтвердите личность на Госуслугах — в центре обслуживания, через онлайн-банк или "
        "электронной подписью — и попробуйте снова."
    ),
    "already_linked": (
        "Эта учётная запись Госуслуг уже связана с другим профилем «Сферума». Одну учётную "
        "запись Госуслуг можно связать только с одним профилем. Отвяжите её от другого профиля "
        "или обратитесь в техническую поддержку."
    ),
    "profile_linked": "Ваш профиль уже связан с Госуслугами.",
    "not_linked": (
        "Эта учётная запись Госуслуг не связана ни с одним профилем «Сферума». Войдите по "
        "телефону или почте и свяжите профиль в разделе «Настройки» — «Перейти на Госуслуги»."
    ),
    "flow_lost": "Связывание с Госуслугами не найдено или устарело. Начните заново.",
}
LINK_TITLE = "Не удалось связать профиль с Госуслугами"
LOGIN_TITLE = "Не удалось войти через Госуслуги"


def protocol() -> GosuslugiTrip:
    """The configured Gosuslugi protocol."""
    return current_app.extensions["gosuslugi_protocol"]


def refuse(code: str, title: str = LINK_TITLE, status: int = 400):
    """A refusal page; nothing has been written to the profile."""
    text = REFUSALS.get(code) or GosuslugiError(code).message
    return message_page(title, text, status, code=code)


@bp.route("/link")
@login_required
def link_intro():
    """Step 1: what will be transferred, and "Продолжить"."""
    if current_user().verified:
        return refuse("profile_linked", status=200)
    return render_template("gosuslugi/intro.html")


@bp.route("/link/start", methods=["POST"])
@login_required
def link_start():
    """Steps 2–3 begin: off to the IdP."""
    if current_user().verified:
        return refuse("profile_linked", status=200)
    return _start("link", current_user().id, LINK_TITLE)


@bp.route("/login/start", methods=["POST"])
def login_start():
    """ "Войти через Госуслуги" on the login page."""
    return _start("login", None, LOGIN_TITLE)


def _start(purpose: str, user_id: int | None, title: str):
    try:
        url, state = protocol().start(purpose, user_id)
    except GosuslugiError as exc:
        log.warning("gosuslugi start refused: %s", exc)
        return refuse(exc.code, title, exc.status)
    session["flow_state"] = state
    return redirect(url)


@bp.route("/callback")
def callback():
    """Back from the IdP: validate everything, then confirm (link) or log in."""
    state = request.args.get("state", "")
    if not state or state != session.get("flow_state"):
        # Not the attempt this browser started (or it is gone): nothing to continue.
        return refuse("state_unknown")
    try:
        result = protocol().finish(request.args)
    except GosuslugiError as exc:
        log.warning("gosuslugi callback refused: %s", exc)
        title = LINK_TITLE if _purpose(state) == "link" else LOGIN_TITLE
        return refuse(exc.code, title, exc.status)
    identity = result.identity
    if result.purpose == "login":
        return _login(identity)
    user = current_user()
    if user is None or user.id != result.user_id:
        return refuse("state_unknown")
    if not identity["trusted"]:
        return refuse("not_trusted")
    if user.verified:
        return refuse("profile_linked", status=200)
    if _linked_user(identity["oid"]) is not None:
        return refuse("already_linked")
    attempt = db().get(FlowAttempt, result.state)
    attempt.identity = identity
    db().commit()
    return redirect(url_for("gosuslugi.confirm"))


def _purpose(state: str) -> str:
    attempt = db().get(FlowAttempt, state)
    return attempt.purpose if attempt else "link"


def _linked_user(oid: str) -> User | None:
    link = db().scalar(select(GosuslugiLink).where(GosuslugiLink.oid == oid))
    return link.user if link else None


def _login(identity: dict):
    session.pop("flow_state", None)
    user = _linked_user(identity["oid"])
    if user is None:
        return refuse("not_linked", LOGIN_TITLE)
    if not identity["trusted"]:
        return refuse("not_trusted", LOGIN_TITLE)
    log_event(db(), "login", user.id, identity["oid"], method="gosuslugi")
    log_in(user)
    db().commit()
    return redirect(url_for("profile.home"))


def pending_attempt() -> FlowAttempt | None:
    """This browser's verified, unfinished link attempt for the current user."""
    state = session.get("flow_state")
    attempt = db().get(FlowAttempt, state) if state else None
    user = current_user()
    if (
        attempt is None
        or user is None
        or attempt.purpose != "link"
        or attempt.user_id != user.id
        or attempt.identity is None
        or attempt.finished
        or attempt.created_at + settings().flow_ttl_seconds < now()
    ):
        return None
    return attempt


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """Step 4: the Gosuslugi identity found, and "Связать"."""
    attempt = pending_attempt()
    if attempt is None:
        return refuse("flow_lost")
    if request.method == "POST":
        return redirect(url_for("gosuslugi.password"))
    return render_template("gosuslugi/confirm.html", identity=attempt.identity)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Step 5: the VK ID password again; a wrong one links nothing."""
    attempt = pending_attempt()
    if attempt is None:
        return refuse("flow_lost")
    error = None
    if request.method == "POST":
        user = current_user()
        login = user.phone or user.email or ""
        error = check_password(user, login, request.form.get("password", ""), "Неверный пароль")
        if error is None:
            attempt.password_ok = True
            db().commit()
            if any(row.differs for row in compare(user, attempt.identity)):
                return redirect(url_for("gosuslugi.sync"))
            return _link(attempt, sync=False)
        db().commit()
    return render_template("gosuslugi/password.html", error=error)


@bp.route("/sync", methods=["GET", "POST"])
@login_required
def sync():
    """The side-by-side table: "Синхронизировать" or cancel (nothing linked)."""
    attempt = pending_attempt()
    if attempt is None or not attempt.password_ok:
        return refuse("flow_lost")
    if request.method == "POST":
        if request.form.get("action") == "sync":
            return _link(attempt, sync=True)
        if not finish_attempt(attempt):
            return refuse("flow_lost")
        log_event(db(), "link_cancelled", current_user().id, attempt.identity["oid"])
        db().commit()
        session.pop("flow_state", None)
        flash("Профиль не связан с Госуслугами")
        return redirect(url_for("profile.settings"))
    rows = compare(current_user(), attempt.identity)
    return render_template("gosuslugi/sync.html", rows=rows)


def _link(attempt: FlowAttempt, sync: bool):
    """Write the link (and the synced fields) in one transaction."""
    user = current_user()
    identity = attempt.identity
    if not identity.get("trusted"):
        return refuse("not_trusted")
    changed = apply_identity(user, identity) if sync else []
    link = GosuslugiLink(user_id=user.id, oid=identity["oid"], linked_at=now())
    link.snils = identity["snils"]
    if not finish_attempt(attempt):  # a second «Связать» at once: one of them links
        db().rollback()
        return refuse("flow_lost")
    db().add(link)
    if changed:
        log_event(db(), "sync", user.id, identity["oid"], fields=changed)
    log_event(db(), "link", user.id, identity["oid"])
    try:
        db().commit()
    except IntegrityError:
        db().rollback()
        return refuse("already_linked")
    session.pop("flow_state", None)
    flash("Профиль подтвержден через Госуслуги")
    return redirect(url_for("profile.settings"))
