"""Signed tokens from the IdP, read and checked one way for both dialects (joserfc underneath).

A token is parsed with joserfc (compact form, size limits, the header against the dialect's
header registry), its alg checked against the allow-list and resolved in the dialect's JWS
registry, and its signature verified by that algorithm model with a key the dialect found.
Times and numbers are checked here too. Every refusal code is `{kind}_…`, where kind is
`id_token` or `access_token`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from joserfc import jws
from joserfc.errors import JoseError, MissingAlgorithmError
from joserfc.util import urlsafe_b64decode

from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError

if TYPE_CHECKING:
    from gosuslugi_sandbox.relying_party.config import Settings


@dataclass(frozen=True)
class Signed:
    """A parsed, not yet verified compact JWS."""

    kind: str
    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes


def read(token: object, kind: str, registry: jws.JWSRegistry) -> Signed:
    """Parse a compact JWS; {kind}_malformed (or _alg without an alg) when it is not one."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise GosuslugiError(f"{kind}_malformed", "not a compact JWS")
    try:
        obj = jws.extract_compact(token.encode("ascii"), registry=registry)
        header = obj.headers()
        if not isinstance(header, dict):
            raise ValueError("header not an object")
        registry.check_header(header)
        claims = json.loads(obj.payload)
        signature = urlsafe_b64decode(obj.segments["signature"])
    except MissingAlgorithmError as exc:
        raise GosuslugiError(f"{kind}_alg", "no alg") from exc
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise GosuslugiError(f"{kind}_malformed", f"unreadable: {exc}") from exc
    if not isinstance(claims, dict):
        raise GosuslugiError(f"{kind}_malformed", "payload not an object")
    segments = obj.segments
    return Signed(kind, header, claims, segments["header"] + b"." + segments["payload"], signature)


def algorithm(signed: Signed, allowed: Iterable[str], registry: jws.JWSRegistry):
    """The token's algorithm model: on the allow-list, never `none`, known to the registry."""
    alg, allowed = signed.header.get("alg"), list(allowed)
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in allowed:
        raise GosuslugiError(f"{signed.kind}_alg", f"alg {alg!r} not in {allowed}")
    try:
        return registry.get_alg(alg)
    except JoseError as exc:
        raise GosuslugiError(f"{signed.kind}_alg", f"alg {alg!r} cannot be verified") from exc


def verified_by(signed: Signed, model, key: Any) -> bool:
    """Whether key, fit for the algorithm model, verifies the signature."""
    try:
        model.check_key(key)
        return bool(model.verify(signed.signing_input, signed.signature, key))
    except JoseError:
        return False
    except (ValueError, TypeError) as exc:
        raise GosuslugiError(f"{signed.kind}_malformed", type(exc).__name__) from exc


def is_number(value: object) -> bool:
    """A JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_number(value: object, expected: int) -> bool:
    """value is the JSON integer expected (not its string, not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool) and value == expected


@dataclass(frozen=True)
class TimeRules:
    """The moment a token is checked at and how much skew and age it may have."""

    now: float
    leeway: float
    max_age: float

    @classmethod
    def from_settings(cls, settings: Settings, now: float) -> TimeRules:
        """The settings' clock leeway and ID token age limit, at now."""
        return cls(now, settings.clock_leeway, settings.id_token_max_age)


def check_issuer(claims: Mapping, kind: str, issuer: str) -> None:
    """iss is exactly the configured issuer."""
    if claims.get("iss") != issuer:
        raise GosuslugiError(f"{kind}_iss", f"iss {claims.get('iss')!r}")


def check_times(claims: Mapping, kind: str, rules: TimeRules) -> None:
    """exp, iat and nbf within the leeway; iat not older than max_age."""
    exp, iat, nbf, now = claims.get("exp"), claims.get("iat"), claims.get("nbf"), rules.now
    if not is_number(exp) or exp + rules.leeway < now:
        raise GosuslugiError(f"{kind}_exp", f"exp {exp!r}, now {now:.0f}")
    if not is_number(iat) or iat - rules.leeway > now or iat + rules.max_age + rules.leeway < now:
        raise GosuslugiError(f"{kind}_iat", f"iat {iat!r}, now {now:.0f}")
    if nbf is not None and (not is_number(nbf) or nbf - rules.leeway > now):
        raise GosuslugiError(f"{kind}_iat", f"nbf {nbf!r}, now {now:.0f}")
