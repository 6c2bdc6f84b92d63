"""/_control/email: the e-mail outbox (password recovery codes), as JSON and as a page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, render_template, request
from sqlalchemy import select

from gosuslugi_sandbox.idp.control import bp
from gosuslugi_sandbox.idp.control.util import MAX_LIMIT, bad_field, query_limit
from gosuslugi_sandbox.idp.login.records import EmailMessage
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.shared.formats import FormatError, iso_time, normalize_email


def _letters(address: str | None, limit: int) -> list[EmailMessage]:
    query = select(EmailMessage).order_by(EmailMessage.id.desc()).limit(limit)
    if address:
        query = query.where(EmailMessage.address == address)
    return list(db_session().scalars(query))


@bp.get("/email")
def email():
    """Letters, newest first; ?address= (any case) filters, ?limit= (1-200) cuts."""
    address = None
    if request.args.get("address"):
        try:
            address = normalize_email(request.args["address"])
        except FormatError:
            return bad_field("address", "not an e-mail address")
    limit = query_limit()
    if limit is None:
        return bad_field("limit", f"an integer from 1 to {MAX_LIMIT}")
    return jsonify(
        [
            {"address": m.address, "subject": m.subject, "code": m.code,
             "purpose": m.purpose, "sent_at": iso_time(m.sent_at)}
            for m in _letters(address, limit)
        ]
    )  # fmt: skip


@bp.get("/email/inbox")
def email_inbox():
    """A page where a developer reads the letters (refreshes itself)."""
    rows = [
        {
            "address": m.address,
            "subject": m.subject,
            "code": m.code,
            "sent_at": datetime.fromtimestamp(m.sent_at, tz=UTC).strftime("%d.%m.%Y %H:%M:%S UTC"),
        }
        for m in _letters(None, 50)
    ]
    return render_template("control/email_inbox.html", rows=rows)
