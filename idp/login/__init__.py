"""What a person sees while logging in: password, SMS code and consent (knows nothing of OIDC)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("login", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the login pages."""
    # here: these modules add their routes to bp, importing it from this package (a cycle)
    from gosuslugi_sandbox.idp.login import help, recovery, signature, views  # noqa: F401 - routes on bp

    app.register_blueprint(bp)
