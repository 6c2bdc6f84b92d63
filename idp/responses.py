"""Protocol JSON answers of both dialects leave through here, so faults can alter them.

Fault injection (gosuslugi_sandbox.idp.faults) alters documents in `json_response` only, so the
grant logic stays honest; token and resource answers are never cached (RFC 6749 section 5.1).
"""

from __future__ import annotations

from typing import Any

from flask import Response, json

from gosuslugi_sandbox.idp.faults import tokens as faults

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(kind: str, payload: Any, status: int = 200, headers=None) -> Response:
    """A JSON response of kind discovery | jwks | token | userinfo | revocation | oauth | person."""
    payload = faults.alter_document(kind, payload)
    response = Response(json.dumps(payload), status=status, mimetype="application/json")
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    if kind in ("token", "userinfo"):
        response.headers.update(NO_STORE)
    return response
