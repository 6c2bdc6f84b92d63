"""The provider's edges: every ID token and every protocol JSON body leaves through here.

Fault injection (gosuslugi_sandbox.idp.faults) alters tokens and documents in these two functions
only, so the grant logic stays honest.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from gosuslugi_sandbox.idp.faults import tokens as faults

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def sign_id_token(
    header: dict[str, Any], claims: dict[str, Any], key: RSAKey | ECKey, client
) -> str:
    """Sign an ID token (client: the one it is for, so faults can target one client)."""
    return faults.oidc_id_token(header, claims, key, client, honest_signature)


def honest_signature(header: dict[str, Any], claims: dict[str, Any], key: RSAKey | ECKey) -> str:
    """The plain JWS of the claims with key (what every ID token is without faults)."""
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def json_response(kind: str, payload: Any, status: int = 200, headers=None) -> Response:
    """A JSON response of kind discovery | jwks | token | userinfo | revocation | oauth."""
    payload = faults.alter_document(kind, payload)
    response = Response(json.dumps(payload), status=status, mimetype="application/json")
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    if kind in ("token", "userinfo"):
        response.headers.update(NO_STORE)
    return response
