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

from gosuslugi_sandbox.relying_party.accounts.views import check_password
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt, linked_user
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.gosuslugi.sync import compare
from gosuslugi_sandbox.relying_party.web import (
    current_user,
    db,
    log_event,
    log_in,
    login_required,
    message_page,
)

log = logging.getLogger(__name__)
bp = Blueprint("gosuslugi", __name__, url_prefix="/gosuslugi")

LINK_TITLE = "Не удалось связать профиль с Госуслугами"
LOGIN_TITLE = "Не удалось войти через Госуслуги"


def protocol() -> GosuslugiTrip:
    """The configured Gosuslugi protocol."""
    return current_app.extensions["gosuslugi_protocol"]


def refuse(code: str, title: str = LINK_TITLE, status: int | None = None):
    """A refusal page; nothing has been written to the profile."""
    error = GosuslugiError(code)
    return message_page(title, error.message, status or error.status, code=code)


@bp.route("/link")
@login_required
def link_intro():
    """Step 1: what will be transferred, and "Продолжить"."""
    if current_user().verified:
        return refuse("profile_linked")
    return render_template("gosuslugi/intro.html")


@bp.route("/link/start", methods=["POST"])
@login_required
def link_start():
    """Steps 2–3 begin: off to the IdP."""
    if current_user().verified:
        return refuse("profile_linked")
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
    try:
        result = protocol().finish(request.args, session.get("flow_state"))
        if result.attempt.purpose == "login":
            return _login(result.identity)
        result.attempt.verified(current_user(), result.identity)
    except GosuslugiError as exc:
        log.warning("gosuslugi callback refused: %s", exc)
        title = LINK_TITLE if LinkAttempt.purpose_of(state) == "link" else LOGIN_TITLE
        return refuse(exc.code, title, exc.status)
    return redirect(url_for("gosuslugi.confirm"))


def _login(identity: Identity):
    session.pop("flow_state", None)
    user = linked_user(identity.oid)
    if user is None:
        return refuse("not_linked", LOGIN_TITLE)
    if not identity.trusted:
        return refuse("not_trusted", LOGIN_TITLE)
    log_event(db(), "login", user.id, identity.oid, method="gosuslugi")
    log_in(user)
    db().commit()
    return redirect(url_for("profile.home"))


def pending_attempt(password_confirmed: bool = False) -> LinkAttempt | None:
    """This browser's verified, unfinished link attempt for the current user."""
    return LinkAttempt.pending(session.get("flow_state"), current_user(), password_confirmed)


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
            attempt.confirm_password()
            if any(row.differs for row in compare(user, attempt.identity)):
                return redirect(url_for("gosuslugi.sync"))
            return _link(attempt, sync=False)
        db().commit()
    return render_template("gosuslugi/password.html", error=error)


@bp.route("/sync", methods=["GET", "POST"])
@login_required
def sync():
    """The side-by-side table: "Синхронизировать" or cancel (nothing linked)."""
    attempt = pending_attempt(password_confirmed=True)
    if attempt is None:
        return refuse("flow_lost")
    if request.method == "POST":
        if request.form.get("action") == "sync":
            return _link(attempt, sync=True)
        try:
            attempt.cancel(current_user())
        except GosuslugiError as exc:
            return refuse(exc.code)
        session.pop("flow_state", None)
        flash("Профиль не связан с Госуслугами")
        return redirect(url_for("profile.settings"))
    rows = compare(current_user(), attempt.identity)
    return render_template("gosuslugi/sync.html", rows=rows)


def _link(attempt: LinkAttempt, sync: bool):
    """Write the link (and the synced fields) in one transaction."""
    try:
        attempt.link(current_user(), sync)
    except GosuslugiError as exc:
        return refuse(exc.code)
    session.pop("flow_state", None)
    flash("Профиль подтвержден через Госуслуги")
    return redirect(url_for("profile.settings"))
