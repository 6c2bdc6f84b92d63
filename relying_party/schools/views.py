"""Участники, Классы, Заявки (accept/decline), Приглашения по ссылке, applying to a school."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from gosuslugi_sandbox.relying_party.models import Invite, JoinRequest, Membership, School
from gosuslugi_sandbox.relying_party.web import current_user, db, log_event, login_required, now
from gosuslugi_sandbox.shared.sql import claimed, insert_ignore

bp = Blueprint("schools", __name__)


def _school(school_id: int) -> School:
    school = db().get(School, school_id)
    if school is None:
        abort(404)
    return school


def membership_in(school_id: int) -> Membership | None:
    """The current user's membership in that school."""
    return db().scalar(
        select(Membership).where(
            Membership.user_id == current_user().id, Membership.school_id == school_id
        )
    )


def _require_admin(school_id: int) -> None:
    m = membership_in(school_id)
    if m is None or m.role != "administrator":
        abort(404)


def _pending_request(school_id: int) -> JoinRequest | None:
    return db().scalar(
        select(JoinRequest).where(
            JoinRequest.user_id == current_user().id,
            JoinRequest.school_id == school_id,
            JoinRequest.status == "pending",
        )
    )


@bp.route("/schools")
@login_required
def catalogue():
    """Every school, with "Подать заявку"."""
    schools = db().scalars(select(School).order_by(School.id)).all()
    state = {
        s.id: "member" if membership_in(s.id) else "pending" if _pending_request(s.id) else ""
        for s in schools
    }
    return render_template("schools/catalogue.html", schools=schools, state=state)


@bp.route("/schools/<int:school_id>/members")
@login_required
def members(school_id: int):
    """Участники, each with the verification mark."""
    school = _school(school_id)
    return render_template("schools/members.html", school=school, mine=membership_in(school_id))


@bp.route("/schools/<int:school_id>/classes")
@login_required
def classes(school_id: int):
    """Классы of the school."""
    school = _school(school_id)
    return render_template("schools/classes.html", school=school, mine=membership_in(school_id))


@bp.route("/schools/<int:school_id>/apply", methods=["POST"])
@login_required
def apply(school_id: int):
    """Apply to join a school (the administrator decides)."""
    _school(school_id)
    _create_request(school_id, "teacher", "application")
    return redirect(url_for("schools.catalogue"))


def _create_request(school_id: int, role: str, via: str) -> None:
    if membership_in(school_id) is not None:
        flash("Вы уже состоите в этой организации")
        return
    if _pending_request(school_id) is not None:
        flash("Заявка уже подана")
        return
    db().add(
        JoinRequest(
            user_id=current_user().id, school_id=school_id, role=role, via=via, created_at=now()
        )
    )
    log_event(db(), "join_request", current_user().id, school=school_id, via=via)
    db().commit()
    flash("Заявка отправлена администратору")


@bp.route("/invite/<token>", methods=["GET", "POST"])
@login_required
def invite(token: str):
    """An invite link: shows the school and sends a join request."""
    inv = db().scalar(select(Invite).where(Invite.token == token, Invite.active.is_(True)))
    if inv is None:
        abort(404)

    if request.method == "POST":
        _create_request(inv.school_id, inv.role, "invite")
        return redirect(url_for("schools.catalogue"))
    return render_template("schools/invite.html", invite=inv, school=_school(inv.school_id))


@bp.route("/schools/<int:school_id>/requests")
@login_required
def requests_list(school_id: int):
    """Заявки (administrator only), each applicant with the verification mark."""
    _require_admin(school_id)
    school = _school(school_id)
    pending = (
        db()
        .scalars(
            select(JoinRequest)
            .where(JoinRequest.school_id == school_id, JoinRequest.status == "pending")
            .order_by(JoinRequest.id)
        )
        .all()
    )
    return render_template(
        "schools/requests.html", school=school, pending=pending, mine=membership_in(school_id)
    )


@bp.route("/schools/<int:school_id>/requests/<int:request_id>/<decision>", methods=["POST"])
@login_required
def decide(school_id: int, request_id: int, decision: str):
    """Accept or decline a join request."""
    _require_admin(school_id)
    req = db().get(JoinRequest, request_id)
    if req is None or req.school_id != school_id or decision not in ("accept", "decline"):
        abort(404)
    status = "accepted" if decision == "accept" else "declined"
    decided = claimed(  # two administrators (or two clicks) at once: one decision counts
        db(),
        update(JoinRequest)
        .where(JoinRequest.id == req.id, JoinRequest.status == "pending")
        .values(status=status, decided_at=now())
        .execution_options(synchronize_session=False),
    )
    if decided:
        if decision == "accept":
            row = {"user_id": req.user_id, "school_id": school_id, "role": req.role, "classes": ""}
            insert_ignore(db(), Membership.__table__, [row], ["user_id", "school_id"])
        log_event(db(), f"join_{status}", req.user_id, school=school_id)
        db().commit()
        flash("Заявка принята" if decision == "accept" else "Заявка отклонена")
    return redirect(url_for("schools.requests_list", school_id=school_id))


@bp.route("/schools/<int:school_id>/invites", methods=["GET", "POST"])
@login_required
def invites(school_id: int):
    """Приглашения по ссылке: list and create invite links (administrator only)."""
    _require_admin(school_id)
    school = _school(school_id)

    if request.method == "POST":
        db().add(Invite(school_id=school_id, token=secrets.token_urlsafe(12), created_at=now()))
        db().commit()
        flash("Ссылка-приглашение создана")
        return redirect(url_for("schools.invites", school_id=school_id))
    links = (
        db()
        .scalars(select(Invite).where(Invite.school_id == school_id, Invite.active.is_(True)))
        .all()
    )
    return render_template(
        "schools/invites.html", school=school, links=links, mine=membership_in(school_id)
    )
