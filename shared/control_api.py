"""What both apps' control APIs share: the blueprint (guard and health) and the JSON answers.

The guard (gosuslugi_sandbox.shared.control_guard) runs before every view of the blueprint;
`/_control/health` is registered here so that both apps answer it alike, also with
`<PREFIX>_CONTROL=off` (docs/contract.md). Error bodies are `{"error", "error_description"}`
with an ASCII description; a bad field adds `"field"` (docs/control-api.md).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify

URL_PREFIX = "/_control"
HEALTH = "health"  # the endpoint the guard lets through (liveness, no data)


def ascii_text(text: object) -> str:
    """Descriptions are ASCII (an id from the URL may not be): \\x.. escapes for the rest."""
    return str(text).encode("ascii", "backslashreplace").decode()


def json_error(status: int, error: str, description: str | None = None, **extra):
    """A JSON error answer: {"error", "error_description"?, **extra} with this status."""
    body = {"error": error}
    if description is not None:
        body["error_description"] = ascii_text(description)
    response = jsonify({**body, **extra})
    response.status_code = status
    return response


def field_error(error: str, field: str, message: str, status: int = 400, **extra):
    """A JSON error naming the bad field: `field`, and "<field>: <message>" as description."""
    return json_error(status, error, f"{field}: {message}", field=field, **extra)


def not_found(what: str | None = None):
    """A 404 JSON answer ("<what> not found")."""
    return json_error(404, "not_found", f"{what} not found" if what else None)


def health():
    """Liveness: 200 {"status": "ok"} (the guard lets it through, also when control is off)."""
    return jsonify(status="ok")


def control_blueprint(name: str, import_name: str, guard: Callable, **options) -> Blueprint:
    """A /_control blueprint: `guard` before each of its views, and GET /_control/health."""
    bp = Blueprint(name, import_name, url_prefix=URL_PREFIX, **options)
    bp.before_request(guard)
    bp.add_url_rule("/health", HEALTH, health, methods=["GET"])
    return bp
