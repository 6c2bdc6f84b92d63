"""A WSGI app that tells how Python's collector stood while gunicorn imported it, and now."""

from __future__ import annotations

import gc
import json

COLLECTING_AT_IMPORT = gc.isenabled()


def create_app():
    """The probe app, built as gunicorn builds ours (a factory call)."""
    collecting_when_built = gc.isenabled()

    def app(environ, start_response):
        body = json.dumps(
            {
                "at_import": COLLECTING_AT_IMPORT,
                "when_built": collecting_when_built,
                "now": gc.isenabled(),
                "frozen": gc.get_freeze_count(),
            }
        ).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return app
