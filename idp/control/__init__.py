"""The control API (/_control/...): what QA and CI scripts use to set up and inspect the IdP."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect

from idp.pages import add_json_prefix

bp = Blueprint("control", __name__, url_prefix="/_control", template_folder="templates")


def _presented_token() -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    # the SMS inbox and the report card are pages a browser opens: the token may come in
    # the query string
    if request.endpoint in ("control.sms_inbox", "report.page"):
        return request.args.get("token", "")
    return ""


@bp.before_request
def guard():
    """404 when disabled; the bearer token when IDP_CONTROL_TOKEN is set (health is open)."""
    if str(current_app.config.get("CONTROL", "on")).lower() in ("off", "0", "false", "no"):
        abort(404)
    expected = current_app.config.get("CONTROL_TOKEN")
    if not expected or request.endpoint == "control.health":
        return None
    if not hmac.compare_digest(_presented_token().encode(), str(expected).encode()):
        response = jsonify(error="unauthorized", error_description="Bearer token required")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="control"'
        return response
    return None


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the control API (JSON; CSRF-exempt, protected by the bearer token instead)."""
    from idp.control import clients, misc, persons  # noqa: F401 - registers the routes on bp

    csrf.exempt(bp)
    app.register_blueprint(bp)
    add_json_prefix(app, "/_control")
