"""/_control/sms and /_control/email: the outboxes (login and recovery codes), JSON and pages.

The JSON listings are newest first, filtered by ?phone= / ?address= in any spelling and cut by
?limit= (1-200); the pages (sms/inbox, email/inbox) show the newest 50 and refresh themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import jsonify, render_template, request
from sqlalchemy import select

from gosuslugi_sandbox.idp.control import bad_field, bp
from gosuslugi_sandbox.idp.login.records import EmailMessage
from gosuslugi_sandbox.idp.models import SmsMessage
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.shared.formats import (
    FormatError,
    format_phone,
    iso_time,
    normalize_email,
    normalize_phone,
)

MAX_LIMIT = 200
PAGE_ROWS = 50


def outbox_query(name: str, normalize: Callable[[str], str], what: str):
    """(?<name>= normalised or None, ?limit= 1-200, default 200) of an outbox listing, or the
    400 answer naming the parameter that is not that."""
    wanted = request.args.get(name) or None
    if wanted:
        try:
            wanted = normalize(wanted)
        except FormatError:
            return bad_field(name, f"not {what}")
    raw = request.args.get("limit", str(MAX_LIMIT))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        return bad_field("limit", f"an integer from 1 to {MAX_LIMIT}")
    return wanted, int(raw)


def newest(model, column, wanted: str | None, limit: int) -> list:
    """An outbox's newest rows, at most `limit`, only those sent to `wanted` when given."""
    query = select(model).order_by(model.id.desc()).limit(limit)
    if wanted:
        query = query.where(column == wanted)
    return list(db_session().scalars(query))


def page_time(moment: float) -> str:
    """A sending time as the inbox pages show it."""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%d.%m.%Y %H:%M:%S UTC")


@bp.get("/sms")
def sms():
    """The SMS outbox as JSON."""
    query = outbox_query("phone", normalize_phone, "a Russian mobile number")
    if not isinstance(query, tuple):
        return query
    return jsonify(
        [
            {"phone": m.phone, "code": m.code, "purpose": m.purpose, "sent_at": iso_time(m.sent_at)}
            for m in newest(SmsMessage, SmsMessage.phone, *query)
        ]
    )


@bp.get("/sms/inbox")
def sms_inbox():
    """A page where a developer reads the codes."""
    rows = [
        {"phone": format_phone(m.phone), "code": m.code, "purpose": m.purpose,
         "sent_at": page_time(m.sent_at), "text": m.text}
        for m in newest(SmsMessage, SmsMessage.phone, None, PAGE_ROWS)
    ]  # fmt: skip
    return render_template("control/inbox.html", rows=rows)


@bp.get("/email")
def email():
    """The e-mail outbox as JSON."""
    query = outbox_query("address", normalize_email, "an e-mail address")
    if not isinstance(query, tuple):
        return query
    return jsonify(
        [
            {"address": m.address, "subject": m.subject, "code": m.code,
             "purpose": m.purpose, "sent_at": iso_time(m.sent_at)}
            for m in newest(EmailMessage, EmailMessage.address, *query)
        ]
    )  # fmt: skip


@bp.get("/email/inbox")
def email_inbox():
    """A page where a developer reads the letters."""
    rows = [
        {"address": m.address, "subject": m.subject, "code": m.code,
         "sent_at": page_time(m.sent_at)}
        for m in newest(EmailMessage, EmailMessage.address, None, PAGE_ROWS)
    ]  # fmt: skip
    return render_template("control/email_inbox.html", rows=rows)
