"""/_control/login: the form that lets a browser open the control pages when a token is set.

The token is typed once; the answer is an HttpOnly, SameSite=Strict cookie holding an HMAC of
it, so the token never appears in a URL, a referrer or an access log.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request

from gosuslugi_sandbox.idp.control import guard
from gosuslugi_sandbox.shared.control_guard import BLOCKED, RIGHT

bp = Blueprint("control_login", __name__, url_prefix="/_control", template_folder="templates")
bp.before_request(guard)

DEFAULT_PAGE = "/_control/sms/inbox"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The token form; on success, back to the page asked for (a /_control path only)."""
    target = guard.safe_next(request.values.get("next"), DEFAULT_PAGE)
    if not current_app.config.get("CONTROL_TOKEN"):
        return redirect(target)  # nothing to log in to
    error = None
    status = 200
    if request.method == "POST":
        verdict = guard.judge(request.form.get("token", ""))
        if verdict == RIGHT:
            response = redirect(target)
            guard.set_cookie(response)
            return response
        if verdict == BLOCKED:
            minutes = guard.counters.minutes_blocked(guard.wrong_token_key())
            error = f"Слишком много неверных попыток. Попробуйте через {minutes} мин."
            status = 429
        else:
            error, status = "Неверный токен.", 401
    return render_template("control/login.html", next=target, error=error), status
