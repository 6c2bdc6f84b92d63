"""OpenID Connect on Authlib: discovery, JWKS, authorize, token, userinfo, revocation, logout."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from gosuslugi_sandbox.idp.interactions import register_protocol
from gosuslugi_sandbox.idp.oidc import preloads
from gosuslugi_sandbox.idp.oidc.server import create_server
from gosuslugi_sandbox.idp.pages import add_json_prefix

bp = Blueprint("oidc", __name__, template_folder="templates")


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the protocol endpoints and the 'oidc' interaction protocol."""
    from gosuslugi_sandbox.idp.oidc import endpoints, logout  # noqa: F401 - registers the routes on bp

    app.extensions["idp"].extra["oauth_server"] = create_server(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    register_protocol(app, "oidc", "oidc.resume")
    preloads.init_app(app)
    for prefix in ("/token", "/userinfo", "/revoke", "/jwks.json", "/.well-known/"):
        add_json_prefix(app, prefix)
