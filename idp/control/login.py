"""/_control/login: the form that lets a browser open the control pages when a token is set.

The token is typed once; the answer is an HttpOnly, SameSite=Strict cookie holding an HMAC of
it, so the token never appears in a URL, a referrer or an access log.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request

from gosuslugi_sandbox.idp.control import guard

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
    if request.method == "POST":
        if guard.token_matches(request.form.get("token", "")):
            response = redirect(target)
            guard.set_cookie(response)
            return response
        error = "Неверный токен."
    status = 401 if error else 200
    return render_template("control/login.html", next=target, error=error), status
