"""/_control: health, users (create, read, reset), outbox, events. JSON only.

Protection as at the IdP (gosuslugi_sandbox.shared.control_guard): RP_CONTROL=off hides everything
but health (404); own host or loopback only (RP_CONTROL_HOSTS adds names), no cross-site requests,
JSON writes; RP_CONTROL_TOKEN, when set, must come as `Authorization: Bearer <token>`. Bodies:
JSON Schemas in relying_party/control/schemas (docs/control-api.md).
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.relying_party import limits, seed
from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.models import Event, OutboxMessage, User
from gosuslugi_sandbox.relying_party.web import db, now
from gosuslugi_sandbox.shared.control_api import control_blueprint, json_error, not_found
from gosuslugi_sandbox.shared.control_bodies import BodyError, BodySchemas
from gosuslugi_sandbox.shared.control_guard import ControlGuard
from gosuslugi_sandbox.shared.fixtures import FixtureError
from gosuslugi_sandbox.shared.formats import FormatError, iso_time, normalize_email, normalize_phone
from gosuslugi_sandbox.shared.migrations import setup_lock
from gosuslugi_sandbox.shared.sql import INT_MAX, as_int

bp = control_blueprint("control", __name__, ControlGuard("RP", ("PUBLIC_URL",), limits.counters))
bodies = BodySchemas.of(__package__)


def _iso(ts: float | None) -> str | None:
    return iso_time(ts, "auto") if ts is not None else None


def _invalid(description: object, **extra):
    return json_error(400, "invalid_request", str(description), **extra)


def _bad_body(exc: BodyError):
    return _invalid(exc, field=exc.field)


def user_json(user: User) -> dict:
    """A user as the control API shows it (never the password)."""
    return {
        "id": user.id,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "gender": user.gender,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "phone": user.phone,
        "email": user.email,
        "contact_phone": user.contact_phone,
        "role": user.role,
        "subjects": user.subjects,
        "availability": user.availability,
        "verified": user.verified,
        "gosuslugi_oid": user.link.oid if user.link else None,
        "locked_until": _iso(limits.user_state(user.id)["locked_until"]),
        "memberships": [
            {
                "school_id": m.school_id,
                "school": m.school.name,
                "role": m.role,
                "classes": m.classes,
            }
            for m in user.memberships
        ],
    }


@bp.route("/users", methods=["GET"])
def users():
    """Every user."""
    rows = db().scalars(select(User).order_by(User.id)).all()
    return jsonify([user_json(u) for u in rows])


@bp.route("/users", methods=["POST"])
@bodies.accepts("user-create", _bad_body)
def create_user(body: dict):
    """Create a user from JSON (fixture keys, plain-text password; schema: user-create)."""
    try:
        user = seed.user_from_data(body, settings().password_hash_method, now())
    except (FixtureError, ValueError, TypeError) as exc:
        return _invalid(exc)
    db().add(user)
    try:
        db().commit()
    except IntegrityError:  # the same id, phone or e-mail created meanwhile: one wins
        db().rollback()
        return json_error(409, "conflict", "id, phone or e-mail taken")
    return jsonify(user_json(user)), 201


@bp.route("/users/<int:user_id>", methods=["GET"])
def get_user(user_id: int):
    """One user."""
    user = db().get(User, user_id)
    return jsonify(user_json(user)) if user is not None else not_found()


@bp.route("/reset", methods=["POST"])
@bodies.accepts("reset", _bad_body)
def reset(body: dict):
    """Back to fixtures/sferum.yaml: every table emptied and reloaded."""
    cfg = settings()
    database = current_app.extensions["database"]
    db().close()
    try:
        # under the schema lock: two resets at once must not insert the fixtures twice
        with setup_lock(database.engine), database.transaction() as session:
            seed.reset(session, cfg.fixtures_file, cfg.password_hash_method, now())
    except FixtureError as exc:
        return json_error(500, "fixture_error", str(exc))
    return jsonify(status="ok")


@bp.route("/outbox")
def outbox():
    """Codes sent (password reset), newest first; ?address= in any spelling filters."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    address = request.args.get("address") or request.args.get("phone")
    if address:
        try:
            wanted = normalize_email(address) if "@" in address else normalize_phone(address)
        except FormatError:
            return _invalid("bad address", field="address")
        query = query.where(OutboxMessage.address == wanted)
    return jsonify(
        [
            {
                "address": m.address,
                "user_id": m.user_id,
                "code": m.code,
                "purpose": m.purpose,
                "sent_at": _iso(m.sent_at),
                "used": m.used_at is not None,
                "attempts": m.attempts,
            }
            for m in db().scalars(query)
        ]
    )


@bp.route("/events")
def events():
    """The event log, oldest first; ?kind= and ?user_id= filter."""
    query = select(Event).order_by(Event.id)
    if request.args.get("kind"):
        query = query.where(Event.kind == request.args["kind"])
    user_id = as_int(request.args.get("user_id", ""), INT_MAX)
    if user_id is not None:
        query = query.where(Event.user_id == user_id)
    return jsonify(
        [
            {
                "id": e.id,
                "at": _iso(e.at),
                "kind": e.kind,
                "user_id": e.user_id,
                "oid": e.oid,
                "detail": e.detail,
            }
            for e in db().scalars(query)
        ]
    )
