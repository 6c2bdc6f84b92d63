"""The browser a login belongs to: a random id in an HttpOnly cookie, its digest on the rows.

Set when a login starts (`/authorize`, ESIA `/ac`, the cabinet) and required by every later
step (login, SMS, consent, resume) and by the SSO session, as node-oidc-provider's
interaction cookie is: a login URL sent to somebody else leads them nowhere, and a
victim's finished login cannot be resumed from the attacker's browser.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from gosuslugi_sandbox.idp.runtime import digest, random_token

COOKIE = "gosuslugi_browser"


def current_hash(create: bool = False) -> str | None:
    """Digest of this browser's id; with create, a new id is issued when it has none."""
    raw = request.cookies.get(COOKIE) or g.get("new_browser_id")
    if not raw and create:
        raw = g.new_browser_id = random_token(24)
    return digest(raw) if raw else None


def belongs_here(stored_hash: str | None) -> bool:
    """Whether a row bound to a browser was bound to this one."""
    return stored_hash is not None and stored_hash == current_hash()


def _set_cookie(response: Response) -> Response:
    raw = g.get("new_browser_id")
    if raw:
        response.set_cookie(COOKIE, raw, httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def init_app(app: Flask) -> None:
    """Send a newly issued browser id with the response."""
    app.after_request(_set_cookie)
