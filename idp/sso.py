"""The browser's IdP (SSO) session: a random id kept in the signed Flask session cookie.

The row (IdpSession) holds the digest of that id, the person and how and when they logged in,
so a second authorization can skip the password unless prompt=login or max_age say otherwise.
"""

from __future__ import annotations

from flask import session

from gosuslugi_sandbox.idp import browser
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.models import IdpSession
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, random_token

_KEY = "sso"


def current_session() -> IdpSession | None:
    """The active IdpSession of this browser, or None."""
    raw = session.get(_KEY)
    if not raw:
        return None
    row = db_session().get(IdpSession, digest(raw))
    if row is None or not row.is_active() or not browser.belongs_here(row.browser_hash):
        return None
    return row


def start_session(person_oid: int, auth_time: int, amr: list[str]) -> IdpSession:
    """Open a new SSO session for the person and put its id into the cookie (no commit)."""
    raw = random_token()
    row = IdpSession(
        id=digest(raw),
        browser_hash=browser.current_hash(create=True),
        person_oid=person_oid,
        auth_time=auth_time,
        amr=list(amr),
        created_at=now(),
        expires_at=now() + settings().sso_session_seconds,
    )
    db_session().add(row)
    session[_KEY] = raw
    session.permanent = False
    return row


def end_session() -> IdpSession | None:
    """End this browser's SSO session, if any, and forget it in the cookie (no commit)."""
    row = current_session()
    if row is not None:
        row.ended_at = now()
    session.pop(_KEY, None)
    return row


def is_fresh(sso: IdpSession, max_age: int | None) -> bool:
    """Whether the login of the session is recent enough for max_age (None = any age)."""
    if max_age is None:
        return True
    return now() - sso.auth_time <= max_age
