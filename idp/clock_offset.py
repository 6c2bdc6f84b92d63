"""The control clock's offset (POST /_control/clock): a settings row every worker reads.

It is read once per request. Requests that read other rows first fetch it in the same
statement (`OFFSET` as an extra column), so the clock costs no round trip of its own there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from gosuslugi_sandbox.idp.models import CLOCK_OFFSET_KEY, Setting
from gosuslugi_sandbox.shared.storage import Database

# a scalar subquery: NULL when the offset was never set
OFFSET = select(Setting.value).where(Setting.key == CLOCK_OFFSET_KEY).scalar_subquery()


def remember(raw: Any) -> float:
    """Keep the offset read with another statement for the rest of the request."""
    if has_request_context() and "clock_offset" in g:
        return g.clock_offset  # one request sees one offset, however often it is fetched
    value = float(raw) if raw is not None else 0.0
    if has_request_context():
        g.clock_offset = value
    return value


def offset_source(db: Database) -> Callable[[], float]:
    """The Clock's offset source: the request's remembered offset, else one Core read."""
    query = select(OFFSET)

    def read() -> float:
        if has_request_context() and "clock_offset" in g:
            return g.clock_offset
        # its own pooled connection: it sees only committed data, as an ORM session would
        with db.engine.connect() as connection:
            return remember(connection.execute(query).scalar())

    return read
