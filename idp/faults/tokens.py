"""ID token and JSON document faults, applied where tokens are signed and documents leave.

Called from gosuslugi_sandbox.idp.oidc.id_token (OIDC ID tokens),
gosuslugi_sandbox.idp.esia.token_generator (ESIA ID and access tokens) and
gosuslugi_sandbox.idp.responses (the protocol JSON of both dialects). Without an armed fault
they sign or return the honest value unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import request

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.faults import keys, registry, store
from gosuslugi_sandbox.idp.faults.edge import Edge, current
from gosuslugi_sandbox.idp.faults.signing import b64, reheadered, unb64
from gosuslugi_sandbox.idp.runtime import now, runtime

UNTRUSTED_AUDIENCE = "https://untrusted.example/rp"
WEEK = 7 * 86400


def other_subject(value: Any) -> Any:
    """Another person's identifier of the same type (`9` prefixed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(f"9{value}")
    return f"9{value}"


def other_issuer(value: str) -> str:
    """An issuer that merely starts like the real one (catches prefix comparisons)."""
    return str(value).rstrip("/") + "/invalid-issuer"


def unsigned(header: dict, claims: dict) -> str:
    """A JWS with `alg: none` and an empty signature."""
    head = json.dumps({**header, "alg": "none"}, separators=(",", ":")).encode()
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{b64(head)}.{b64(body)}."


def corrupt(token: str) -> str:
    """The same token with its signature bytes altered (still valid base64url)."""
    head, body, signature = token.split(".")
    raw = bytearray(unb64(signature))
    raw[0] ^= 0xFF
    raw[-1] ^= 0x55
    return f"{head}.{body}.{b64(bytes(raw))}"


def mutate_claims(
    names: list[str], claims: dict, client_id: str, moment: int, override: dict | None = None
) -> dict:
    """The claims as the faults have them at moment (ESIA's urn:esia:sbj follows sub); then
    claims-override's `set` and `remove`, as given."""
    claims = dict(claims)
    subject = dict(claims.get("urn:esia:sbj") or {})
    for name in names:
        if name in ("invalid-iss", "refresh-token-invalid-issuer"):
            claims["iss"] = other_issuer(claims.get("iss", ""))
        elif name == "invalid-aud":
            claims["aud"] = f"{client_id}-invalid"
        elif name == "missing-aud":
            claims.pop("aud", None)
        elif name == "missing-sub":
            claims.pop("sub", None)
            subject.pop("urn:esia:sbj:oid", None)
        elif name == "refresh-token-invalid-sub":
            claims["sub"] = other_subject(claims.get("sub"))
            if "urn:esia:sbj:oid" in subject:
                subject["urn:esia:sbj:oid"] = claims["sub"]
                subject["urn:esia:sbj:nam"] = f"OID.{claims['sub']}"
        elif name == "missing-iat":
            claims.pop("iat", None)
        elif name == "nonce-invalid":
            claims["nonce"] = f"{claims.get('nonce', 'absent')}-invalid"
        elif name == "expired-exp":
            claims["exp"] = moment - 3600
        elif name == "iat-week-in-past":
            claims["iat"] = moment - WEEK
        elif name == "invalid-secondary-aud":
            claims["aud"] = [client_id, UNTRUSTED_AUDIENCE]
            claims["azp"] = client_id
    if "urn:esia:sbj" in claims:
        claims["urn:esia:sbj"] = subject
    return overridden(claims, override)


def overridden(claims: dict, override: dict | None) -> dict:
    """claims with an override fault's `set` applied, then its `remove`."""
    if not override:
        return claims
    claims = {**claims, **override.get("set", {})}
    for claim in override.get("remove", []):
        claims.pop(claim, None)
    return claims


def _override(edge: Edge | None, names: list[str]) -> dict | None:
    """The params of a consumed claims-override fault."""
    if edge is None or "claims-override" not in names:
        return None
    return edge.taken["claims-override"].params


def _id_token_faults(edge: Edge | None) -> list[str]:
    if edge is None:
        return []
    names = edge.kinds(registry.ID_TOKEN, registry.REFRESH)
    for name in names:
        edge.use(name)
    return names


def _kid_effects(edge: Edge, names: list[str], kty: str, client_id: str) -> None:
    moment = now()
    until = moment + settings().key_rotation_grace
    if "kid-absent-single-jwks" in names:
        edge.new_effects.append(
            keys.FaultEffect(
                kind=keys.SINGLE, client_id=client_id, data={"kty": kty},
                created_at=moment, until=until,
            )
        )  # fmt: skip
    if "kid-absent-multiple-jwks" in names:
        edge.new_effects.append(keys.decoy_effect(client_id, moment, until))


def oidc_id_token(
    header: dict, claims: dict, key, client, sign: Callable[[dict, dict, Any], str]
) -> str:
    """Sign an OIDC ID token with the current key, faults applied."""
    edge = current()
    header = {**header, "kid": key.kid}
    names = _id_token_faults(edge)
    if edge is not None and edge.use("signing-key-rotation"):
        edge.rotations.append(key.key_type)  # after this answer: the next token has a new key
    if not names:
        token = sign(header, claims, key)
    else:
        claims = mutate_claims(names, claims, client.client_id, int(now()), _override(edge, names))
        if "invalid-alternate-alg" in names:
            other = "EC" if key.key_type == "RSA" else "RSA"
            key = runtime().keys.for_alg(keys.ALGS[other])
            header = {**header, "alg": "ES256" if other == "EC" else "RS256", "kid": key.kid}
        if any(n.startswith("kid-absent") for n in names):
            header.pop("kid", None)
            _kid_effects(edge, names, key.key_type, client.client_id)
        if "idtoken-sig-none" in names:
            token = unsigned({k: v for k, v in header.items() if k != "kid"}, claims)
        else:
            token = sign(header, claims, key)
        if "invalid-sig" in names and "idtoken-sig-none" not in names:
            token = corrupt(token)
    if edge is not None:
        edge.notes["kid"] = header.get("kid")
        edge.notes["id_token_faults"] = names
    return reheadered(edge, "id", token)


def esia_id_token(header: dict, claims: dict, alg: str, algs: tuple[str, str], sign) -> str:
    """Sign an ESIA ID token with the dialect's `sign(header, claims, alg)`, faults applied.

    `algs` are the dialect's two algorithms: invalid-alternate-alg signs with the other one.
    The dialect passes its signer in, so faults knows no dialect's code.
    """
    edge = current()
    names = _id_token_faults(edge)
    if not names:
        return reheadered(edge, "id", sign(header, claims, alg))
    claims = mutate_claims(
        names, claims, str(claims.get("aud", "")), int(now()), _override(edge, names)
    )
    if "invalid-alternate-alg" in names:
        alg = algs[1] if alg == algs[0] else algs[0]
    if "idtoken-sig-none" in names:
        token = unsigned(header, claims)
    else:
        token = sign(header, claims, alg)
        if "invalid-sig" in names:
            token = corrupt(token)
    edge.notes["id_token_faults"] = names
    return reheadered(edge, "id", token)


def esia_access_token(header: dict, claims: dict, alg: str, sign) -> str:
    """Sign an ESIA access token with the dialect's `sign(header, claims, alg)`, with
    access-token-claims-override's claims set and removed and token-header-override's header,
    if they were armed."""
    edge = current()
    if edge is not None and edge.use(registry.ACCESS_OVERRIDE):
        claims = overridden(claims, edge.taken[registry.ACCESS_OVERRIDE].params)
    return reheadered(edge, "access", sign(header, claims, alg))


def alter_document(kind: str, payload: Any) -> Any:
    """Protocol JSON as the faults have it: jwks, discovery, userinfo, person."""
    edge = current()
    if kind == "jwks":
        rows = edge.effects if edge is not None else store.effects(runtime().db)
        armed = edge.armed if edge is not None else []
        single = "RSA" if any(r.fault == "kid-absent-single-jwks" for r in armed) else None
        if not rows and single is None:
            return payload
        return keys.jwks(payload, rows, now(), single)
    if edge is None or not edge.taken or not isinstance(payload, dict):
        return payload
    if kind == "discovery" and edge.use("discovery-issuer-mismatch"):
        return {**payload, "issuer": other_issuer(payload.get("issuer", ""))}
    if kind == "userinfo" and "sub" in payload and edge.use("userinfo-invalid-sub"):
        return {**payload, "sub": other_subject(payload["sub"])}
    if kind == "person" and edge.use("userinfo-invalid-sub"):
        # the root has no oid field: the faulty answer claims to be about another person
        return {**payload, "oid": other_subject(int((request.view_args or {}).get("oid", 0)))}
    return payload
