"""The trip every Gosuslugi dialect makes (GosuslugiTrip) and what it yields."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from flask import url_for

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import consume_attempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError


@dataclass
class FlowResult:
    """What a finished trip yields: who started it, why, and the verified identity.

    identity keys: oid, last_name, first_name, middle_name, gender (M/F), birth_date (ISO),
    snils, trusted (bool).
    """

    state: str
    purpose: str
    user_id: int | None
    identity: dict


class GosuslugiTrip(ABC):
    """One trip to Gosuslugi and back, the same in every dialect; a dialect fills the steps.

    start: a fresh attempt and its authorization URL. finish: consume the attempt (once, in
    the database), refuse a callback error, exchange the code and verify what comes back
    (`identity`, the dialect's), and hand the views a typed result.
    """

    name: str

    @staticmethod
    def redirect_uri() -> str:
        """The callback URL registered at the IdP."""
        return settings().public_url.rstrip("/") + url_for("gosuslugi.callback")

    @abstractmethod
    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh attempt and return (authorization URL, state)."""

    def finish(self, args: Mapping[str, str]) -> FlowResult:
        """Check the callback, exchange the code, verify everything; raise GosuslugiError."""
        attempt = consume_attempt(args.get("state") or "")
        if args.get("error"):
            raise GosuslugiError(self.callback_refusal(args), f"callback error={args['error']!r}")
        if not args.get("code"):
            raise GosuslugiError("idp_garbage", "callback without code")
        identity = self.identity(attempt, args["code"])
        return FlowResult(attempt.state, attempt.purpose, attempt.user_id, identity)

    def callback_refusal(self, args: Mapping[str, str]) -> str:
        """The refusal code for an error sent back to the callback."""
        return "access_denied" if args.get("error") == "access_denied" else "idp_error"

    @abstractmethod
    def identity(self, attempt, code: str) -> dict:
        """Exchange the code, verify the answers; the identity (FlowResult.identity's keys)."""
