"""Helpers shared by the control API views."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request


def bad_field(field: str, message: str, status: int = 400):
    """A 400 (or other) JSON answer naming the bad field."""
    description = _ascii(f"{field}: {message}")
    body = {"error": "invalid_field", "field": field, "error_description": description}
    response = jsonify(body)
    response.status_code = status
    return response


def not_found(what: str):
    """A 404 JSON answer."""
    response = jsonify(error="not_found", error_description=_ascii(f"{what} not found"))
    response.status_code = 404
    return response


def _ascii(text: str) -> str:
    """Descriptions are ASCII (an id from the URL may not be): \\x.. escapes for the rest."""
    return text.encode("ascii", "backslashreplace").decode()


def json_body() -> Any:
    """The request's JSON body, or None when it is missing or malformed."""
    return request.get_json(silent=True)
