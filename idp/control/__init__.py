"""The control API (/_control/...): what QA and CI scripts use to set up and inspect the IdP."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from gosuslugi_sandbox.idp.pages import add_json_prefix
from gosuslugi_sandbox.shared.control_guard import ControlGuard

bp = Blueprint("control", __name__, url_prefix="/_control", template_folder="templates")

# The SMS inbox and the report card are pages a browser opens: they accept the cookie the
# login form (/_control/login) sets; everything else wants `Authorization: Bearer`.
guard = ControlGuard(
    "IDP",
    own_url_keys=("ISSUER",),
    pages=("control.sms_inbox", "report.page"),
    login_endpoint="control_login.login",
)
bp.before_request(guard)


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the control API (JSON; CSRF-exempt, protected by the guard instead)."""
    # here: these modules add their routes to bp, importing it from this package (a cycle)
    from gosuslugi_sandbox.idp.control import clients, email, login, misc, persons  # noqa: F401 - registers routes

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(login.bp)  # a form: CSRF-protected like every other page
    add_json_prefix(app, "/_control")
