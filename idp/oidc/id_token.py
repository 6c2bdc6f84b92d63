"""OIDC ID tokens: built in one place (claims, header, key choice) and signed through the
faults (gosuslugi_sandbox.idp.faults.tokens), which may alter or re-sign them."""

from __future__ import annotations

from typing import Any

from authlib.oidc.core.util import create_half_hash
from flask import request
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.faults import tokens as faults
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person, Token
from gosuslugi_sandbox.idp.oidc.claims import user_claims
from gosuslugi_sandbox.idp.runtime import runtime


def issuer() -> str:
    """IDP_ISSUER when set, else the base URL of the request (X-Forwarded-* via ProxyFix)."""
    configured = settings().issuer
    if configured:
        return str(configured)
    return request.host_url.rstrip("/") + request.script_root


def build_id_token(
    client: Client,
    person: Person,
    scope: str,
    *,
    auth_time: int | None,
    acr: str | None,
    amr: list[str],
    nonce: str | None = None,
    access_token: str | None = None,
) -> str:
    """Sign an ID token for the person and client (RS256 unless the client registered ES256)."""
    alg = client.id_token_signed_response_alg
    key = runtime().keys.for_alg(alg)
    iat = runtime().clock.timestamp()
    claims: dict[str, Any] = user_claims(person, scope.split())
    claims.update(
        {
            "iss": issuer(),
            "aud": client.client_id,
            "iat": iat,
            "exp": iat + settings().id_token_ttl,
            "auth_time": int(auth_time or iat),
            "acr": acr or person.level,
            "amr": list(amr or []),
        }
    )
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["at_hash"] = create_half_hash(access_token, alg).decode("ascii")
    header = {"alg": alg, "kid": key.kid, "typ": "JWT"}
    # client: the one the token is for, so faults can target one client
    return faults.oidc_id_token(header, claims, key, client, honest_signature)


def honest_signature(header: dict[str, Any], claims: dict[str, Any], key: RSAKey | ECKey) -> str:
    """The plain JWS of the claims with key (what every ID token is without faults)."""
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def id_token_for_grant(
    token: dict, client: Client, person: Person, origin: AuthorizationCode | Token
) -> str:
    """The ID token of a code exchange or a refresh: auth_time, acr and amr of the login, the
    nonce of a code (a refresh's ID token carries none)."""
    return build_id_token(
        client,
        person,
        token.get("scope", ""),
        auth_time=origin.auth_time,
        acr=origin.acr,
        amr=list(origin.amr or []),
        nonce=origin.nonce if isinstance(origin, AuthorizationCode) else None,
        access_token=token.get("access_token"),
    )
