"""ESIA token endpoint: POST /aas/oauth2/te (legacy) and /aas/oauth2/v3/te (current).

Grants: authorization_code and refresh_token, run by ESIA's AuthorizationServer
(gosuslugi_sandbox.idp.esia.server). Errors are HTTP 400 JSON
`{"error", "error_description": "ESIA-0070xx: ...", "state"}`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from gosuslugi_sandbox.idp.esia.server import EsiaRequest
from gosuslugi_sandbox.idp.runtime import db_session

bp = Blueprint("esia_token", __name__)


@bp.post("/aas/oauth2/te", endpoint="te")
@bp.post("/aas/oauth2/v3/te", endpoint="te_v3")
def token():
    """Exchange a code or a refresh token for ESIA tokens."""
    versioned = request.endpoint == "esia_token.te_v3"
    server = current_app.extensions["esia"].server
    response = server.create_token_response(EsiaRequest(request, versioned, token=True))
    if response.status_code == 200:
        db_session().commit()
    else:
        db_session().rollback()  # gives a redeemed code back (storage.consume)
    return response
