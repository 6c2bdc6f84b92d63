"""URL integers no larger than the columns they look up (else 404, not a database error)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter


def use_bounded_ints(app: Flask, maximum: int) -> None:
    """Make `<int:…>` refuse values above maximum: PostgreSQL raises on an out-of-range
    parameter (a 500) where SQLite quietly finds nothing."""

    class BoundedInt(IntegerConverter):
        def __init__(self, url_map, fixed_digits=0, min=None, max=maximum, signed=False):
            super().__init__(url_map, fixed_digits, min, max, signed)

    app.url_map.converters["int"] = BoundedInt
