"""Per-app services reached from request code: database session, clock, keys, SMS code generator
(settings: gosuslugi_sandbox.idp.config.settings()).

Everything lives on `app.extensions["idp"]` (set up by create_app), never in module globals,
so two apps in one process (tests) and two workers behind one port behave correctly.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app, g, has_request_context

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from gosuslugi_sandbox.idp.keys import KeyRing
    from gosuslugi_sandbox.shared.clock import Clock
    from gosuslugi_sandbox.shared.keys import SigningKeys
    from gosuslugi_sandbox.shared.storage import Database


@dataclass
class Runtime:
    """The services one IdP app uses; built once in create_app."""

    db: Database
    clock: Clock
    keyring: KeyRing
    sms_code: Callable[[int], str]
    password_method: str
    protocols: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> SigningKeys:
        """The current signing keys (as of the keys generation this request read)."""
        return self.keyring.current


def runtime() -> Runtime:
    """The current app's Runtime."""
    return current_app.extensions["idp"]


def db_session() -> Session:
    """The current request's SQLAlchemy session."""
    return runtime().db.session


def keep_for_request(*rows: Any) -> None:
    """Hold rows loaded alongside another for the rest of the request.

    The session's identity map holds rows weakly: a person or client joined into another
    statement would be dropped at once, and the next `Session.get` would read it again.
    """
    if has_request_context():
        g.setdefault("kept_rows", []).extend(rows)


def hand_over(key: tuple, row: Any) -> None:
    """Keep a row a before-request hook loaded for the view's own lookup of the same key."""
    g.setdefault("preloaded", {})[key] = row
    keep_for_request(row)


def take_over(key: tuple) -> Any:
    """The row handed over under that key (once), else None: the caller reads it itself."""
    return g.get("preloaded", {}).pop(key, None) if has_request_context() else None


def now() -> float:
    """Seconds since the epoch by the app's clock (offset by POST /_control/clock)."""
    return runtime().clock.time()


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random token (codes, tokens, ids)."""
    return secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    """SHA-256 hex of a secret, as stored in the database (codes, tokens, session ids)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def default_sms_code(length: int) -> str:
    """A random numeric code of the given length."""
    return "".join(secrets.choice("0123456789") for _ in range(length))
