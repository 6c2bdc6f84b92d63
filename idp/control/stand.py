"""/_control/reset, /_control/clock and /_control/keys/rotate: the stand's state as a whole
(fixtures, time, signing keys)."""

from __future__ import annotations

from flask import current_app, g, jsonify

from gosuslugi_sandbox.idp.control import bad_body, bad_field, bodies, bp
from gosuslugi_sandbox.idp.fixtures import reset as reset_fixtures
from gosuslugi_sandbox.idp.keys import RotationConflict, rotate_now
from gosuslugi_sandbox.idp.models import CLOCK_OFFSET_KEY, Setting
from gosuslugi_sandbox.idp.runtime import db_session, runtime
from gosuslugi_sandbox.shared.fixtures import FixtureError
from gosuslugi_sandbox.shared.formats import iso_time
from gosuslugi_sandbox.shared.migrations import setup_lock


@bp.post("/reset")
@bodies.accepts("reset", bad_body)
def reset(body: dict):
    """Back to the fixtures: every table emptied and reloaded, clock offset back to 0."""
    db_session().close()
    db = runtime().db
    try:
        # under the schema lock: two resets at once must not insert the fixtures twice
        with setup_lock(db.engine), db.transaction() as session:
            reset_fixtures(
                session, current_app.config, runtime().password_method, runtime().clock.time()
            )
    except FixtureError as exc:
        return bad_field("fixtures", str(exc), 500)
    return jsonify(status="ok")


@bp.get("/clock")
def get_clock():
    """The clock offset in force and the IdP's current time."""
    row = db_session().get(Setting, CLOCK_OFFSET_KEY)
    offset = float(row.value) if row else 0.0
    return jsonify(offset_seconds=offset, now=iso_time(runtime().clock.time()))


@bp.post("/clock")
@bodies.accepts("clock", bad_body)
def set_clock(body: dict):
    """Move the IdP's clock: {"offset_seconds": N} (seconds, may be negative; schema: clock)."""
    session = db_session()
    value = float(body["offset_seconds"])
    session.merge(Setting(key=CLOCK_OFFSET_KEY, value=value))
    session.commit()
    g.pop("clock_offset", None)  # this request read the old offset already
    return jsonify(offset_seconds=value, now=iso_time(runtime().clock.time()))


@bp.post("/keys/rotate")
@bodies.accepts("keys-rotate", bad_body)
def rotate_key(body: dict):
    """Rotate the signing key of one type: {"kty": "RSA" | "EC"} (schema: keys-rotate); the
    new kid. Every worker signs with it from its next protocol request; a reset keeps it."""
    try:
        kid = rotate_now(runtime().db, runtime().keyring, body["kty"], runtime().clock.time())
    except RotationConflict:
        return bad_field("kty", "other rotations kept winning: try again", 409)
    return jsonify(kty=body["kty"], kid=kid)
