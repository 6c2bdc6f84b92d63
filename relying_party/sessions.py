"""Server-side sessions of the fake Sferum: revocable by logout, password change and unlink.

The signed Flask cookie carries only a random session id (`sid`); the row holds its digest,
the user and whether it still stands. A copied cookie stops working the moment the session
is revoked, which a cookie-only session cannot do.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session
from sqlalchemy import bindparam, update

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.models import UserSession

_KEY = "sid"


def db():
    """The request's database session (gosuslugi_sandbox.relying_party.web builds on this
    module)."""
    return current_app.extensions["database"].session


def now() -> float:
    """The app's clock."""
    return current_app.extensions["clock"].time()


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def start(user_id: int) -> None:
    """A fresh session for the user (the old cookie's data is dropped: no fixation; the
    caller commits)."""
    raw = secrets.token_urlsafe(32)
    moment = now()
    lifetime = settings().session_seconds
    db().add(UserSession(id=_digest(raw), user_id=user_id, created_at=moment,
                         expires_at=moment + lifetime))  # fmt: skip
    session.clear()
    session[_KEY] = raw


# A session still standing (not revoked, not expired); its parameters come from `standing`.
STANDING = (
    UserSession.id == bindparam("session_id"),
    UserSession.revoked_at.is_(None),
    UserSession.expires_at > bindparam("at"),
)


def standing() -> dict | None:
    """Parameters of STANDING for this browser's session, or None without a session cookie."""
    raw = session.get(_KEY)
    if not raw:
        return None
    return {"session_id": _digest(raw), "at": now()}


def _current_id() -> str | None:
    raw = session.get(_KEY)
    return _digest(raw) if raw else None


def end() -> None:
    """Revoke this browser's session and forget it (the caller commits)."""
    current = _current_id()
    if current is not None:
        db().execute(
            update(UserSession)
            .where(UserSession.id == current, UserSession.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    session.clear()


def revoke_others(user_id: int) -> int:
    """Revoke every other session of the user (password changed, profile unlinked)."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    current = _current_id()
    if current is not None:
        query = query.where(UserSession.id != current)
    return db().execute(query.values(revoked_at=now())).rowcount
