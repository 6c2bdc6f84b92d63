"""The per-request fault context: which edge a request is at, which faults it consumed.

`before_request` (gosuslugi_sandbox.idp.faults.hooks) builds an Edge for every protocol request and
consumes the matching armed faults; the edges (ID token signing, JSON documents, the authorization
redirect) ask it which faults to apply and mark them applied; `after_request` gives back the uses of
faults that did not end up altering the response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from flask import g, request
from sqlalchemy import select

from gosuslugi_sandbox.idp.faults import registry
from gosuslugi_sandbox.idp.faults.models import ArmedFault, FaultEffect
from gosuslugi_sandbox.idp.models import Interaction, Token
from gosuslugi_sandbox.idp.runtime import db_session, digest
from gosuslugi_sandbox.shared.bearer import bearer_token as parse_bearer

OIDC, ESIA = registry.OIDC, registry.ESIA

# Flask endpoint → (edge, dialect)
EDGES: dict[str, tuple[str, str]] = {
    "oidc.authorize": ("authorize", OIDC),
    "esia_auth.ac": ("authorize", ESIA),
    "esia_auth.ac_v2": ("authorize", ESIA),
    "oidc.resume": ("redirect", OIDC),
    "esia_auth.resume": ("redirect", ESIA),
    "oidc.token": ("token", OIDC),
    "esia_token.te": ("token", ESIA),
    "esia_token.te_v3": ("token", ESIA),
    "oidc.userinfo": ("userinfo", OIDC),
    "esia_rest.person_root": ("person", ESIA),
    "esia_rest.person_collection": ("person", ESIA),
    "esia_rest.person_element": ("person", ESIA),
    "oidc.jwks": ("jwks", OIDC),
    "oidc.discovery": ("discovery", OIDC),
    "esia_rest.certificate": ("certificate", ESIA),
}

_UNRESOLVED = object()


def bearer_token() -> str | None:
    """The access token of a userinfo / person request (header, or form for userinfo)."""
    token = parse_bearer(request.headers.get("Authorization"))
    if token is not None:
        return token
    return request.form.get("access_token") if request.method == "POST" else None


def _client_of_request(name: str, dialect: str) -> str | None:
    """The client a request is for, from its parameters or (lazily) the database."""
    if name == "authorize":
        return (request.args.get("client_id") or "").strip() or None
    if name == "token":
        auth = request.authorization
        if auth is not None and auth.type == "basic" and auth.username:
            return unquote(auth.username)
        return (request.form.get("client_id") or "").strip() or None
    if name == "redirect":
        inter = db_session().get(Interaction, request.args.get("interaction") or "")
        return inter.client_id if inter is not None else None
    token = bearer_token()
    if not token:
        return None
    query = select(Token.client_id).where(Token.access_token_hash == digest(token)).limit(1)
    return db_session().scalar(query)


@dataclass
class Edge:
    """One protocol request as the fault injector and the report card see it."""

    name: str
    dialect: str
    request_id: str
    armed: list[ArmedFault] = field(default_factory=list)
    effects: list[FaultEffect] = field(default_factory=list)
    taken: dict[str, ArmedFault] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)
    new_effects: list[FaultEffect] = field(default_factory=list)
    rotations: list[str] = field(default_factory=list)  # key types to rotate after a 200
    notes: dict[str, Any] = field(default_factory=dict)
    _client: Any = _UNRESOLVED

    @property
    def client_id(self) -> str | None:
        """The request's client (resolved once, on first use)."""
        if self._client is _UNRESOLVED:
            self._client = _client_of_request(self.name, self.dialect)
        return self._client

    def client_known(self) -> str | None:
        """The client if it was resolved already, without a lookup."""
        return None if self._client is _UNRESOLVED else self._client

    def grant_type(self) -> str | None:
        """grant_type of a token request."""
        return request.form.get("grant_type") if self.name == "token" else None

    def matches(self, row: ArmedFault) -> bool:
        """Whether an armed fault applies to this request."""
        spec = registry.SPECS.get(row.fault)
        if spec is None or self.dialect not in spec.dialects:
            return False
        if spec.kind == registry.TRANSPORT:
            wanted = row.endpoint
        else:
            wanted = self.name if self.name in spec.edges else None
        if wanted != self.name:
            return False
        if spec.kind == registry.REFRESH and self.grant_type() != "refresh_token":
            return False
        return row.client_id is None or row.client_id == self.client_id

    def use(self, name: str) -> bool:
        """Mark a consumed fault applied; False if it was not consumed for this request."""
        if name in self.taken:
            self.applied.add(name)
            return True
        return False

    def kinds(self, *kinds: str) -> list[str]:
        """The consumed faults of these kinds, in arming order."""
        return [n for n, row in self.taken.items() if registry.SPECS[row.fault].kind in kinds]

    def unapplied(self) -> list[int]:
        """Ids of consumed faults that did not alter the response (to be refunded)."""
        return [row.id for name, row in self.taken.items() if name not in self.applied]


def current() -> Edge | None:
    """The Edge of the current request, if it is a protocol request."""
    return g.get("fault_edge")
