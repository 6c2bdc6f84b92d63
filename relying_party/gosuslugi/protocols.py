"""The trip every Gosuslugi dialect makes (GosuslugiTrip) and what it yields."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity


@dataclass(frozen=True)
class FlowResult:
    """What a finished trip yields: the attempt it consumed and the verified identity."""

    attempt: LinkAttempt
    identity: Identity


class GosuslugiTrip(ABC):
    """One trip to Gosuslugi and back, the same in every dialect; a dialect fills the steps.

    start: a fresh attempt and its authorization URL. finish (the template): consume the
    attempt once, refuse a callback error, then the dialect's steps — exchange the code,
    verify what came back, read the identity.
    """

    name: str

    @staticmethod
    def redirect_uri() -> str:
        """The callback URL registered at the IdP."""
        return settings().public_url.rstrip("/") + url_for("gosuslugi.callback")

    @abstractmethod
    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh attempt and return (authorization URL, state)."""

    def finish(self, args: Mapping[str, str], browser_state: str | None) -> FlowResult:
        """Check the callback, exchange the code, verify everything; raise GosuslugiError."""
        attempt = LinkAttempt.consume(args.get("state") or "", browser_state)
        if args.get("error"):
            raise GosuslugiError(self.callback_refusal(args), f"callback error={args['error']!r}")
        if not args.get("code"):
            raise GosuslugiError("idp_garbage", "callback without code")
        token = self.exchange(attempt, args["code"])
        verified = self.verify(attempt, token)
        return FlowResult(attempt, self.identity(token, verified))

    def callback_refusal(self, args: Mapping[str, str]) -> str:
        """The refusal code for an error sent back to the callback."""
        return "access_denied" if args.get("error") == "access_denied" else "idp_error"

    @abstractmethod
    def exchange(self, attempt: LinkAttempt, code: str) -> dict:
        """The token response for the code (its form checked, nothing verified yet)."""

    @abstractmethod
    def verify(self, attempt: LinkAttempt, token: dict) -> Any:
        """Verify the tokens; what the identity step needs from them."""

    @abstractmethod
    def identity(self, token: dict, verified: Any) -> Identity:
        """Read the person if the dialect must, and map it to an Identity."""
