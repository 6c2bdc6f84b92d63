"""Helpers every blueprint uses: the current user, the database session, the clock, messages."""

from __future__ import annotations

import functools
import secrets

from flask import current_app, g, redirect, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from gosuslugi_sandbox.relying_party import sessions
from gosuslugi_sandbox.relying_party.models import Event, Membership, User, UserSession
from gosuslugi_sandbox.shared.clock import Clock

ROLE_LABELS = {
    "administrator": "Администратор",
    "teacher": "Учитель",
    "pupil": "Ученик",
    "parent": "Родитель",
    "none": "Пользователь",
}
GENDER_LABELS = {"M": "Мужской", "F": "Женский"}


db = sessions.db
now = sessions.now


def clock() -> Clock:
    """The app's clock."""
    return current_app.extensions["clock"]


# built once (every page runs it; building and cache-keying it cost more than running it)
_CURRENT_USER = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(*sessions.STANDING)
    .options(
        joinedload(User.memberships).joinedload(Membership.school),
        joinedload(User.link),
    )
)


def current_user() -> User | None:
    """The logged-in user, or None."""
    if "current_user" not in g:
        standing = sessions.standing()
        # the session check and what every page's header shows (the first school and the
        # verified mark) in one query, instead of one per lazy load
        g.current_user = None
        if standing is not None:
            g.current_user = db().scalars(_CURRENT_USER, standing).unique().first()
    return g.current_user


def log_in(user: User) -> None:
    """Start a fresh server-side session for the user (no fixation; the caller commits)."""
    sessions.start(user.id)
    g.current_user = user


def login_required(view):
    """Redirect to the login page when nobody is logged in."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("accounts.login"))
        return view(*args, **kwargs)

    return wrapper


def message_page(title: str, text: str, status: int = 200, code: str = "", back=None):
    """A page with one Russian message (data-testid=message) and a way back."""
    return (
        render_template(
            "message.html",
            title=title,
            text=text,
            code=code,
            back=back or (url_for("profile.home") if current_user() else url_for("accounts.login")),
        ),
        status,
    )


def log_event(
    session_: Session, kind: str, user_id: int | None, oid: str | None = None, **detail
) -> None:
    """Add an event to the log (committed with the caller's transaction)."""
    session_.add(Event(at=now(), kind=kind, user_id=user_id, oid=oid, detail=detail))


def new_code() -> str:
    """A six-digit code (injectable with CODE_GENERATOR in tests)."""
    generator = current_app.config.get("CODE_GENERATOR")
    if generator:
        return str(generator())
    return f"{secrets.randbelow(1_000_000):06d}"


def verified_mark(full: bool = False) -> Markup:
    """The mark "Профиль подтвержден через Госуслуги" (data-testid=verified-mark).

    full=True spells the words out next to the icon (lists, profiles: a phone has no hover);
    otherwise it is the icon alone, named for screen readers and in a tooltip.
    """
    label = "Профиль подтвержден через Госуслуги"
    return Markup(
        f'<span class="mark{" full" if full else ""}" data-testid="verified-mark" role="img" '
        f'aria-label="{label}" title="{label}"><span aria-hidden="true">✔</span>'
        f'<span class="mark-text" aria-hidden="true">{label}</span></span>'
    )
