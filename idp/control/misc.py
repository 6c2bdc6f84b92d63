"""/_control: health, SMS outbox (JSON and a page), reset to fixtures, clock offset."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import current_app, g, jsonify, render_template, request
from sqlalchemy import select

from gosuslugi_sandbox.idp.control import bp
from gosuslugi_sandbox.idp.control.util import bad_field, json_body
from gosuslugi_sandbox.idp.fixtures import reset as reset_fixtures
from gosuslugi_sandbox.idp.models import CLOCK_OFFSET_KEY, Setting, SmsMessage
from gosuslugi_sandbox.idp.runtime import db_session, runtime
from gosuslugi_sandbox.shared.fixtures import FixtureError
from gosuslugi_sandbox.shared.formats import FormatError, format_phone, iso_time, normalize_phone
from gosuslugi_sandbox.shared.migrations import setup_lock

# beyond this, dates stop fitting the platform's time_t and datetime (OverflowError)
MAX_CLOCK_OFFSET = 50 * 365 * 86400


def _messages(phone: str | None, limit: int = 200) -> list[SmsMessage]:
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(db_session().scalars(query))


@bp.get("/health")
def health():
    """Liveness."""
    return jsonify(status="ok")


@bp.get("/sms")
def sms():
    """The SMS outbox, newest first; ?phone= in any spelling filters it, ?limit= (1-200) cuts it."""
    raw = request.args.get("phone")
    phone = None
    if raw:
        try:
            phone = normalize_phone(raw)
        except FormatError:
            return bad_field("phone", "not a Russian mobile number")
    raw_limit = request.args.get("limit", "200")
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= 200:
        return bad_field("limit", "an integer from 1 to 200")
    return jsonify(
        [
            {"phone": m.phone, "code": m.code, "purpose": m.purpose, "sent_at": iso_time(m.sent_at)}
            for m in _messages(phone, int(raw_limit))
        ]
    )


@bp.get("/sms/inbox")
def sms_inbox():
    """A page where a developer reads the codes (refreshes itself)."""
    rows = [
        {
            "phone": format_phone(m.phone),
            "code": m.code,
            "purpose": m.purpose,
            "sent_at": datetime.fromtimestamp(m.sent_at, tz=UTC).strftime("%d.%m.%Y %H:%M:%S UTC"),
            "text": m.text,
        }
        for m in _messages(None, 50)
    ]
    return render_template("control/inbox.html", rows=rows)


@bp.post("/reset")
def reset():
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
        return bad_field("fixtures", str(exc).encode("ascii", "replace").decode(), 500)
    return jsonify(status="ok")


@bp.get("/clock")
def get_clock():
    """The clock offset in force and the IdP's current time."""
    row = db_session().get(Setting, CLOCK_OFFSET_KEY)
    offset = float(row.value) if row else 0.0
    return jsonify(offset_seconds=offset, now=iso_time(runtime().clock.time()))


@bp.post("/clock")
def set_clock():
    """Move the IdP's clock: {"offset_seconds": N} (seconds, may be negative)."""
    data = json_body()
    if not isinstance(data, dict):
        return bad_field("body", "must be a JSON object")
    value = data.get("offset_seconds")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or abs(value) > MAX_CLOCK_OFFSET
    ):
        return bad_field("offset_seconds", "must be a number of seconds, at most 50 years away")
    session = db_session()
    value = float(value)
    session.merge(Setting(key=CLOCK_OFFSET_KEY, value=value))
    session.commit()
    g.pop("clock_offset", None)  # this request read the old offset already
    return jsonify(offset_seconds=value, now=iso_time(runtime().clock.time()))
