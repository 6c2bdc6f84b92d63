"""Misbehaviour on demand: faults armed over `/_control/faults`, applied at the IdP's edges.

Edges: the ID token signers (gosuslugi_sandbox.idp.oidc.id_token,
gosuslugi_sandbox.idp.esia.token_generator), the protocol JSON documents
(gosuslugi_sandbox.idp.responses: discovery, JWKS, userinfo, person REST), the authorization
redirect, the token answer (token-response-override), a token's header and signing key
(token-header-override, gosuslugi_sandbox.idp.faults.signing), and whole responses (transport
faults: http-500, http-503, malformed-json, delay, drop, document-override; http-401 at
userinfo and the person REST).
The grant logic itself stays honest. Settings: FAULT_MAX_DELAY and KEY_ROTATION_GRACE
(gosuslugi_sandbox.idp.config.Settings).
"""

from __future__ import annotations

from flask import Flask

from gosuslugi_sandbox.idp.faults import api, hooks


def init_app(app: Flask) -> None:
    """Register the tables, the request hooks and the control endpoints."""
    hooks.init_app(app)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
