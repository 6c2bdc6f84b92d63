"""/_control/report (HTML page, or JUnit XML with ?format=junit, JSON with ?format=json) and
/_control/clients/<client_id>/report (JSON)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup, escape

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.control import bad_field, guard, not_found
from gosuslugi_sandbox.idp.models import Client
from gosuslugi_sandbox.idp.report import card, junit
from gosuslugi_sandbox.idp.report.checks import FAIL, NOT_OBSERVED, PASS
from gosuslugi_sandbox.idp.runtime import db_session

bp = Blueprint("report", __name__, url_prefix="/_control", template_folder="templates")
bp.before_request(guard)

STATUS_RU = {PASS: "пройдено", FAIL: "не пройдено", NOT_OBSERVED: "не наблюдалось"}
# protocol parameter names inside the Russian check titles, shown as code as in the specs
_TERMS = re.compile(
    r"\b(state|nonce|PKCE|S256|plain|verifier|refresh token|ID token|userinfo|person|JWKS"
    r"|timestamp)\b"
)


@bp.app_template_filter("protocol_terms")
def protocol_terms(text: str) -> Markup:
    """A Russian title with its protocol terms in <code>."""
    return Markup(_TERMS.sub(lambda m: f"<code>{m.group(0)}</code>", str(escape(text))))


def _skew() -> float:
    return settings().esia_timestamp_skew


@bp.get("/clients/<client_id>/report")
def client_report(client_id: str):
    """The report card of one client (JSON), also for a registered client not seen yet."""
    session = db_session()
    seen = card.observe(session)
    if client_id not in seen.by_client and session.get(Client, client_id) is None:
        return not_found(f"client {client_id}")
    return jsonify(card.client_card(session, client_id, seen, _skew()))


@bp.get("/report", endpoint="page")
def report():
    """Every client seen: a page (default), ?format=junit or ?format=json; ?client_id= one."""
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "junit", "json"):
        return bad_field("format", "must be html, junit or json")
    client_id = request.args.get("client_id") or None
    session = db_session()
    if client_id and session.get(Client, client_id) is None:
        seen = card.observe(session)
        if client_id not in seen.by_client:
            return not_found(f"client {client_id}")
    cards = card.all_cards(session, _skew(), client_id)
    if fmt == "junit":
        return Response(junit.render(cards), mimetype="application/xml")
    if fmt == "json":
        return jsonify(clients=cards)
    return render_template(
        "report/card.html",
        cards=cards,
        status_ru=STATUS_RU,
        client_id=client_id,
    )
