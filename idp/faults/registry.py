"""The catalogue of faults: names (as in the OpenID conformance suite), where each applies,
and validation of `POST /_control/faults` bodies."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

OIDC, ESIA = "oidc", "esia"
BOTH = (OIDC, ESIA)

# Edges a request can be seen at (gosuslugi_sandbox.idp.faults.hooks maps Flask endpoints onto
# these). `redirect` is the authorization response: the browser's redirect back to the client.
TRANSPORT_ENDPOINTS = (
    "authorize", "token", "userinfo", "jwks", "person", "discovery", "certificate",
)  # fmt: skip
# these requests do not name a client (certificate: ESIA's /esia/certs/<alg>.pem)
CLIENTLESS_ENDPOINTS = ("jwks", "discovery", "certificate")

ID_TOKEN, REFRESH, PROTOCOL, TRANSPORT = "id_token", "refresh", "protocol", "transport"
# a person's state, applied at once through the real limits (gosuslugi_sandbox.idp.limits), not per
# request
PERSON = "person"
PERSON_FAULTS = {"sms-blocked": "sms", "account-locked": "password"}
DEFAULT_BLOCK_SECONDS = 900
MAX_BLOCK_SECONDS = 30 * 24 * 3600
# one per response at most
ACCESS_OVERRIDE = "access-token-claims-override"
HEADER_OVERRIDE, DOCUMENT_OVERRIDE = "token-header-override", "document-override"
TERMINAL = ("http-500", "http-503", "malformed-json", "drop", "http-401")


@dataclass(frozen=True)
class FaultSpec:
    """One fault: its kind, the edges it applies at, the dialects, and what it does."""

    name: str
    kind: str
    edges: tuple[str, ...]
    dialects: tuple[str, ...]
    description: str

    @property
    def client_scoped(self) -> bool:
        """Whether a client_id may narrow it (requests at jwks/discovery carry no client)."""
        return self.kind == TRANSPORT or not set(self.edges) <= set(CLIENTLESS_ENDPOINTS)


def _id(name: str, description: str, dialects: tuple[str, ...] = BOTH) -> FaultSpec:
    return FaultSpec(name, ID_TOKEN, ("token",), dialects, description)


SPECS: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        _id("invalid-iss", "ID token `iss` changed"),
        _id("invalid-aud", "ID token `aud` changed"),
        _id("missing-aud", "ID token without `aud`"),
        _id("missing-sub", "ID token without `sub` (ESIA: also without urn:esia:sbj:oid)"),
        _id("missing-iat", "ID token without `iat`"),
        _id("invalid-sig", "ID token signature bytes corrupted"),
        _id("idtoken-sig-none", "ID token unsigned, header `alg: none`"),
        _id("kid-absent-single-jwks", "no `kid` in the header; JWKS serves one key", (OIDC,)),
        _id("kid-absent-multiple-jwks", "no `kid`; JWKS serves several keys", (OIDC,)),
        _id("nonce-invalid", "ID token `nonce` changed", (OIDC,)),
        _id("expired-exp", "ID token `exp` an hour in the past"),
        _id("iat-week-in-past", "ID token `iat` a week in the past (`exp` still ahead)"),
        _id("invalid-secondary-aud", "`aud` = [client_id, an untrusted audience], azp set"),
        _id("invalid-alternate-alg", "signed with another algorithm than registered"),
        _id("claims-override", "ID token claims set or removed as given: params "
            "{\"set\"?: {claim: value}, \"remove\"?: [claim]} (shapes no named fault makes)"),
        FaultSpec(
            "refresh-token-invalid-sub", REFRESH, ("token",), BOTH,
            "the refreshed ID token has another `sub`",
        ),
        FaultSpec(
            "refresh-token-invalid-issuer", REFRESH, ("token",), BOTH,
            "the refreshed ID token has another `iss`",
        ),
        FaultSpec(
            "userinfo-invalid-sub", PROTOCOL, ("userinfo", "person"), BOTH,
            "userinfo `sub` (ESIA person REST: `oid`) is another person's",
        ),
        FaultSpec(
            "discovery-issuer-mismatch", PROTOCOL, ("discovery",), (OIDC,),
            "discovery `issuer` differs from the one in tokens",
        ),
        FaultSpec(
            "signing-key-rotation", PROTOCOL, ("token",), (OIDC,),
            "after the next ID token a new signing key; JWKS serves new + old for the grace",
        ),
        FaultSpec(
            "state-mismatch", PROTOCOL, ("redirect",), BOTH,
            "the authorization response carries another `state`",
        ),
        FaultSpec(
            "access-denied", PROTOCOL, ("redirect",), BOTH,
            "the authorization response is error=access_denied (ESIA-007004)",
        ),
        FaultSpec(
            "token-response-override", PROTOCOL, ("token",), BOTH,
            "the token answer's JSON members set or removed: params {\"set\"?: {member: value}, "
            "\"remove\"?: [member]}, or {\"body\": any JSON} instead of it (tokens unchanged)",
        ),
        FaultSpec(
            ACCESS_OVERRIDE, PROTOCOL, ("token",), (ESIA,),
            "ESIA access token claims set or removed as given, still signed: params "
            "{\"set\"?: {claim: value}, \"remove\"?: [claim]}",
        ),
        FaultSpec(
            HEADER_OVERRIDE, PROTOCOL, ("token",), BOTH,
            "a token re-signed with header members set or removed: params {\"token\"?: id "
            "(default) | access | both (ESIA), \"set\"?: {member: value}, \"remove\"?: "
            "[member], \"key\"?: idp (default) | other | none | public} (claims unchanged)",
        ),
        FaultSpec(
            "http-401", PROTOCOL, ("userinfo", "person"), BOTH,
            "HTTP 401 invalid_token with `WWW-Authenticate: Bearer error=\"invalid_token\"`",
        ),
        FaultSpec(
            "code-reuse-allowed", PROTOCOL, ("token",), BOTH,
            "the next reuse of an already used code succeeds",
        ),
        FaultSpec(
            "sms-blocked", PERSON, ("login",), BOTH,
            "the person's SMS step is blocked as after too many wrong codes: params "
            "{\"oid\": O, \"seconds\"?: S (900)}",
        ),
        FaultSpec(
            "account-locked", PERSON, ("login",), BOTH,
            "the person's login is locked as after too many wrong passwords: params "
            "{\"oid\": O, \"seconds\"?: S (900)}",
        ),
        FaultSpec("http-500", TRANSPORT, (), BOTH, "HTTP 500 with an HTML body"),
        FaultSpec("http-503", TRANSPORT, (), BOTH, "HTTP 503 with an HTML body, Retry-After"),
        FaultSpec("malformed-json", TRANSPORT, (), BOTH, "HTTP 200, truncated JSON body"),
        FaultSpec("delay", TRANSPORT, (), BOTH, "answer late: params {\"seconds\": S}"),
        FaultSpec("drop", TRANSPORT, (), BOTH, "close the connection without an answer"),
        FaultSpec(
            DOCUMENT_OVERRIDE, TRANSPORT, (), BOTH,
            "a successful answer reshaped: params {\"set\"?, \"remove\"?} (JSON object members) "
            "or {\"body\": any JSON} or {\"text\": T} or {\"certificate\": {\"key\"?: idp | "
            "other, \"days\"?: N}}, and/or \"status\", \"content_type\"",
        ),
    )
}  # fmt: skip

# ID token faults a strict relying party must refuse (the kid-absent ones may be accepted).
MUST_REFUSE = frozenset(
    name
    for name, spec in SPECS.items()
    if spec.kind in (ID_TOKEN, REFRESH)
    and not name.startswith("kid-absent")
    and name != "claims-override"  # what it makes is up to the test
)


class FaultError(ValueError):
    """A bad `POST /_control/faults` body; the message is ASCII."""


def catalogue() -> list[dict[str, Any]]:
    """Every fault with its kind, edges and dialects (for 400 answers and GET)."""
    return [
        {
            "fault": s.name,
            "kind": s.kind,
            "endpoints": list(s.edges) if s.kind != TRANSPORT else list(TRANSPORT_ENDPOINTS),
            "dialects": list(s.dialects),
            "description": s.description,
        }
        for s in SPECS.values()
    ]


def _seconds(params: dict[str, Any], max_delay: float) -> float:
    value = params.get("seconds")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultError('delay needs params {"seconds": S}, a number')
    if not 0 < value <= max_delay:
        raise FaultError(f"delay seconds must be > 0 and <= {max_delay:g} (IDP_FAULT_MAX_DELAY)")
    return float(value)


MAX_OVERRIDE_BYTES = 8192


def _check_size(name: str, params: dict[str, Any]) -> None:
    """FaultError unless params, as UTF-8 JSON, stay under MAX_OVERRIDE_BYTES."""
    try:
        size = len(json.dumps(params, ensure_ascii=False).encode())
    except UnicodeEncodeError:  # a lone surrogate ("\ud800") parses as JSON, not as UTF-8
        raise FaultError(f"{name} params must be valid Unicode text") from None
    if size > MAX_OVERRIDE_BYTES:
        raise FaultError(f"{name} params must stay under {MAX_OVERRIDE_BYTES} bytes")


def _override_params(name: str, params: dict[str, Any], noun: str) -> dict[str, Any]:
    """set/remove params of an override fault (noun: what the names are names of)."""
    _check_size(name, params)
    if name == "token-response-override" and "body" in params:
        if len(params) > 1:
            raise FaultError(f"{name} takes body alone (not with set or remove)")
        return {"body": params["body"]}
    unknown = set(params) - {"set", "remove"}
    if unknown or not params:
        raise FaultError(f'{name} needs params {{"set": {{...}}}} and/or {{"remove": [...]}}')
    to_set = params.get("set", {})
    to_remove = params.get("remove", [])
    if not isinstance(to_set, dict) or not all(isinstance(k, str) and k for k in to_set):
        raise FaultError(f"{name} set must be an object of {noun} names")
    if not isinstance(to_remove, list) or not all(isinstance(k, str) and k for k in to_remove):
        raise FaultError(f"{name} remove must be a list of {noun} names")
    return {"set": to_set, "remove": to_remove}


def _shape_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Params of the header and document overrides (their shape is fault-arm.json's)."""
    _check_size(name, params)
    if name == DOCUMENT_OVERRIDE:
        if "certificate" in params:
            return {**params, "certificate": {"key": "idp", "days": 365, **params["certificate"]}}
        return params
    return {"token": "id", "set": {}, "remove": [], "key": "idp", **params}


def _person_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    oid = params.get("oid")
    if isinstance(oid, str) and oid.isdigit():
        oid = int(oid)
    if isinstance(oid, bool) or not isinstance(oid, int) or oid <= 0:
        raise FaultError(f'{name} needs params {{"oid": O}}, a person\'s oid')
    unknown = set(params) - {"oid", "seconds"}
    if unknown:
        raise FaultError(f"{name} takes params oid and seconds only")
    seconds = params.get("seconds", DEFAULT_BLOCK_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise FaultError("seconds must be a number")
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_BLOCK_SECONDS:
        raise FaultError(f"seconds must be > 0 and <= {MAX_BLOCK_SECONDS}")
    return {"oid": oid, "seconds": float(seconds)}


def validate(body: dict[str, Any], max_delay: float, known_clients: set[str]) -> dict[str, Any]:
    """A clean {fault, client_id, endpoint, params, times} or FaultError.

    The body's shape (fields, types, `times` 1-1000) is the fault-arm JSON Schema's
    (idp/control/schemas/fault-arm.json, checked before); this checks it against the catalogue.
    """
    name = body["fault"]
    spec = SPECS.get(name)
    if spec is None:
        raise FaultError(f"unknown fault {name[:60]!r}")
    client_id = body.get("client_id")
    if client_id is not None:
        if client_id not in known_clients:
            raise FaultError("client_id is not a registered client")
        if not spec.client_scoped:
            raise FaultError(f"{name} applies to requests that name no client: omit client_id")
    params = dict(body.get("params") or {})
    if "seconds" in body:
        params["seconds"] = body["seconds"]
    endpoint = body.get("endpoint")
    if spec.kind == TRANSPORT:
        if endpoint not in TRANSPORT_ENDPOINTS:
            raise FaultError(f"{name} needs endpoint, one of: {', '.join(TRANSPORT_ENDPOINTS)}")
        if client_id is not None and endpoint in CLIENTLESS_ENDPOINTS:
            raise FaultError(f"{endpoint} requests name no client: omit client_id")
    elif endpoint is not None:
        raise FaultError(f"{name} takes no endpoint (only transport faults do)")
    if name == "delay":
        params = {"seconds": _seconds(params, max_delay)}
    elif spec.kind == PERSON:
        if client_id is not None or "times" in body:
            raise FaultError(f"{name} is a person's state: it takes no client_id or times")
        params = _person_params(name, params)
    elif name in ("claims-override", ACCESS_OVERRIDE):
        params = _override_params(name, params, "claim")
    elif name == "token-response-override":
        params = _override_params(name, params, "member")
    elif name in (HEADER_OVERRIDE, DOCUMENT_OVERRIDE):
        params = _shape_params(name, params)
    elif params:
        raise FaultError(f"{name} takes no params")
    return {
        "fault": name,
        "client_id": client_id,
        "endpoint": endpoint,
        "params": params,
        "times": int(body.get("times", 1)),  # the schema allows 2.0 (an integer in JSON)
    }
