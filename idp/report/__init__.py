"""The relying party's report card: what each client sent, checked against good practice.

Recording: gosuslugi_sandbox.idp.report.record observes every protocol request through the
fault hooks' recorder interface (gosuslugi_sandbox.idp.faults.hooks.observe), one row each.
The card is computed on demand (gosuslugi_sandbox.idp.report.card, .checks) and served as
JSON, an HTML page and JUnit XML (gosuslugi_sandbox.idp.report.views).
"""

from __future__ import annotations

from flask import Flask

from gosuslugi_sandbox.idp.faults import hooks
from gosuslugi_sandbox.idp.report import record, views


def init_app(app: Flask) -> None:
    """Register the table, the request recorder and the report endpoints."""
    hooks.observe(app, record.record)
    app.register_blueprint(views.bp)
