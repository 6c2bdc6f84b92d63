"""Helpers shared by the IdP's control API views: its error answers and query parameters."""

from __future__ import annotations

from flask import request

from gosuslugi_sandbox.shared.control_api import field_error
from gosuslugi_sandbox.shared.control_api import not_found as not_found
from gosuslugi_sandbox.shared.control_bodies import BodyError

MAX_LIMIT = 200


def bad_field(field: str, message: str, status: int = 400):
    """A 400 (or other) JSON answer naming the bad field (error `invalid_field`)."""
    return field_error("invalid_field", field, message, status)


def bad_body(exc: BodyError):
    """The answer to a body its JSON Schema refuses."""
    return bad_field(exc.field, exc.message)


def query_limit() -> int | None:
    """?limit= of an outbox listing: 1-200 (default 200), None when it is not that."""
    raw = request.args.get("limit", str(MAX_LIMIT))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        return None
    return int(raw)
