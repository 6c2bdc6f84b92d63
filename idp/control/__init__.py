"""The control API (/_control/...): what QA and CI scripts use to set up and inspect the IdP."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp.pages import add_json_prefix
from gosuslugi_sandbox.shared.control_api import control_blueprint, field_error
from gosuslugi_sandbox.shared.control_api import not_found as not_found
from gosuslugi_sandbox.shared.control_bodies import BodyError, BodySchemas
from gosuslugi_sandbox.shared.control_guard import ControlGuard

# The SMS inbox and the report card are pages a browser opens: they accept the cookie the
# login form (/_control/login) sets; everything else wants `Authorization: Bearer`.
guard = ControlGuard(
    "IDP",
    own_url_keys=("ISSUER",),
    counters=limits.counters,
    pages=("control.sms_inbox", "report.page"),
    login_endpoint="control_login.login",
)
bp = control_blueprint("control", __name__, guard, template_folder="templates")
# the request bodies' JSON Schemas (idp/control/schemas, docs/control-api.md)
bodies = BodySchemas.of(__name__)


def bad_field(field: str, message: str, status: int = 400):
    """A 400 (or other) JSON answer naming the bad field (error `invalid_field`)."""
    return field_error("invalid_field", field, message, status)


def bad_body(exc: BodyError):
    """The answer to a body its JSON Schema refuses."""
    return bad_field(exc.field, exc.message)


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the control API (JSON; CSRF-exempt, protected by the guard instead)."""
    # here: these modules add their routes to bp, importing it from this package (a cycle)
    from gosuslugi_sandbox.idp.control import clients, login, outboxes, persons, stand  # noqa: F401 - registers routes

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(login.bp)  # a form: CSRF-protected like every other page
    add_json_prefix(app, "/_control")
