"""The relying party's report card: what each client sent, checked against good practice.

Recording happens in gosuslugi_sandbox.idp.faults.hooks (one row per protocol request,
gosuslugi_sandbox.idp.report.record); the card is computed on demand
(gosuslugi_sandbox.idp.report.card, gosuslugi_sandbox.idp.report.checks) and served as JSON, an HTML
page and JUnit XML (gosuslugi_sandbox.idp.report.views).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the table and the report endpoints."""
    from gosuslugi_sandbox.idp.report import models, views  # noqa: F401 - models add the table

    app.register_blueprint(views.bp)
