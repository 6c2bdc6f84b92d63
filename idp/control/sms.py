"""/_control/sms: the SMS outbox (login and recovery codes), as JSON and as a page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, render_template, request
from sqlalchemy import select

from gosuslugi_sandbox.idp.control import bp
from gosuslugi_sandbox.idp.control.util import MAX_LIMIT, bad_field, query_limit
from gosuslugi_sandbox.idp.models import SmsMessage
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.shared.formats import FormatError, format_phone, iso_time, normalize_phone


def _messages(phone: str | None, limit: int) -> list[SmsMessage]:
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(db_session().scalars(query))


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
    limit = query_limit()
    if limit is None:
        return bad_field("limit", f"an integer from 1 to {MAX_LIMIT}")
    return jsonify(
        [
            {"phone": m.phone, "code": m.code, "purpose": m.purpose, "sent_at": iso_time(m.sent_at)}
            for m in _messages(phone, limit)
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
