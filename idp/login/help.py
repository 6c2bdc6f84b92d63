"""«Не удаётся войти?»: the ways out of a failed login (recovery, other methods, support)."""

from __future__ import annotations

import math

from flask import render_template, request

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.login import bp


@bp.route("/login/help", endpoint="help")
def help_page():
    """The help page; with ?interaction=ID its links lead back into that login."""
    inter = ix.get(request.args.get("interaction"))
    live = inter is not None and inter.finished_at is None
    return render_template(
        "login/help.html",
        interaction=inter.id if live else None,
        lockout_minutes=math.ceil(settings().lockout_seconds / 60),
        max_attempts=settings().max_failed_logins,
    )
