"""Безопасность: Способы входа (VK ID, Госуслуги) and unlinking ("⋯" → "Отключить")."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import delete

from gosuslugi_sandbox.relying_party import sessions
from gosuslugi_sandbox.relying_party.models import GosuslugiLink
from gosuslugi_sandbox.relying_party.web import current_user, db, log_event, login_required

bp = Blueprint("security", __name__, url_prefix="/settings/security")


@bp.route("")
@login_required
def security():
    """Способы входа; ?menu=gosuslugi opens the "⋯" menu next to Госуслуги."""
    return render_template("security.html", menu_open=request.args.get("menu") == "gosuslugi")


@bp.route("/gosuslugi/disable", methods=["GET", "POST"])
@login_required
def disable():
    """ "Отключить" with a confirmation: the link goes, the fields become editable."""
    user = current_user()
    if user.link is None:
        flash("Профиль не связан с Госуслугами")
        return redirect(url_for("security.security"))
    if request.method == "POST":
        oid = user.link.oid
        removed = (
            db().execute(delete(GosuslugiLink).where(GosuslugiLink.user_id == user.id)).rowcount
        )  # two «Отключить» at once: one removes the link, one finds nothing
        if removed:
            log_event(db(), "unlink", user.id, oid)
            sessions.revoke_others(user.id)
        db().commit()
        db().expire(user)
        flash("Госуслуги отключены. Теперь вы можете отредактировать данные профиля.")
        return redirect(url_for("security.security"))
    return render_template("unlink_confirm.html")
