"""Turn one protocol request (and its response) into an RpEvent row's values for the report card.

Only digests of secrets are kept (codes, tokens, verifiers, state, nonce); state and nonce
also get an entropy estimate. Cheap: no database reads, one row per request.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import string
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Response, request
from sqlalchemy import Connection, insert

from gosuslugi_sandbox.idp.faults.edge import ESIA, Edge, bearer_token
from gosuslugi_sandbox.idp.report.models import RpEvent
from gosuslugi_sandbox.idp.runtime import digest
from gosuslugi_sandbox.shared.esia_time import parse_timestamp

HEX = frozenset(string.hexdigits)


def entropy_bits(value: str) -> float:
    """Estimated bits of a random-looking string: length × log2(alphabet in use).

    The alphabet is the union of the character classes present (digits, lower, upper, each
    other symbol); all-hex strings count 16; with four distinct characters or fewer only
    those characters count.
    """
    if not value:
        return 0.0
    chars = set(value)
    if chars <= HEX | {"-"}:
        alphabet = 16 + (1 if "-" in chars else 0)
    else:
        alphabet = sum(
            size
            for cls, size in ((string.digits, 10), (string.ascii_lowercase, 26),
                              (string.ascii_uppercase, 26))
            if chars & set(cls)
        ) + len(chars - set(string.ascii_letters + string.digits))  # fmt: skip
    # a string of very few distinct characters ("aaaa…", "abab…") carries little more
    # than the choice of those characters
    length = len(chars) if len(chars) <= 4 else len(value)
    return round(length * math.log2(max(alphabet, 2)), 1)


def _secret_facts(prefix: str, value: str | None) -> dict[str, Any]:
    if not value:
        return {prefix: False}
    return {
        prefix: True,
        f"{prefix}_hash": digest(value)[:32],
        f"{prefix}_bits": entropy_bits(value),
    }


def signature_mode(secret: str | None) -> str:
    """How an ESIA client_secret looks: cms (DER), gost (64 raw bytes), or none."""
    text = (secret or "").strip()
    if not text:
        return "none"
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        return "none"
    if len(raw) == 64:
        return "gost"
    if len(raw) > 100 and raw[0] == 0x30:
        return "cms"
    return "none"


def _esia_facts(params, moment: float) -> dict[str, Any]:
    facts: dict[str, Any] = {"sig": signature_mode(params.get("client_secret"))}
    try:
        facts["skew"] = round(
            abs(parse_timestamp(params.get("timestamp") or "").timestamp() - moment)
        )
    except ValueError:
        facts["skew"] = None
    return facts


def _callback(response: Response) -> dict[str, str]:
    location = response.headers.get("Location") or ""
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def _authorize(edge: Edge, response: Response, moment: float) -> tuple[dict, str | None]:
    args = request.args
    data = {
        **_secret_facts("state", args.get("state")),
        **_secret_facts("nonce", args.get("nonce")),
    }
    data["pkce"] = args.get("code_challenge_method") or (
        "plain" if args.get("code_challenge") else None
    )
    if args.get("code_challenge"):
        data["challenge_hash"] = digest(args["code_challenge"])[:32]
    if edge.dialect == ESIA:
        data.update(_esia_facts(args, moment))
        data["endpoint"] = request.path
    back = _callback(response)
    if "error" in back:
        data["error"] = back["error"][:60]
    inter = back.get("interaction")
    return data, digest(inter)[:32] if inter else None


def _token(edge: Edge, response: Response, moment: float) -> dict:
    form = request.form
    data: dict[str, Any] = {"grant": (form.get("grant_type") or "")[:40]}
    if form.get("code"):
        data["code_hash"] = digest(form["code"])
    if form.get("refresh_token"):
        data["refresh_hash"] = digest(form["refresh_token"])
    if form.get("code_verifier"):
        data["verifier_hash"] = digest(form["code_verifier"])[:32]
    if edge.dialect == ESIA:
        data.update(_esia_facts(form, moment))
        data.update(_secret_facts("state", form.get("state")))
    if response.status_code == 200 and response.mimetype == "application/json":
        try:
            body = json.loads(response.get_data())
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("access_token"):
            data["issued_access"] = digest(str(body["access_token"]))
            data["id_token"] = "id_token" in body
    if "kid" in edge.notes:
        data["kid"] = edge.notes["kid"]
    return data


def event_for(edge: Edge, response: Response, moment: float) -> dict[str, Any]:
    """The column values of this request's RpEvent row (inserted with a Core statement)."""
    auth_key, data = None, {}
    if edge.name == "authorize":
        data, auth_key = _authorize(edge, response, moment)
    elif edge.name == "redirect":
        inter = request.args.get("interaction")
        auth_key = digest(inter)[:32] if inter else None
        back = _callback(response)
        if back.get("code"):
            data["code_hash"] = digest(back["code"])
        if back.get("error"):
            data["error"] = back["error"][:60]
    elif edge.name == "token":
        data = _token(edge, response, moment)
    elif edge.name in ("userinfo", "person"):
        token = bearer_token()
        data = {"access_hash": digest(token)} if token else {}
    if edge.taken:
        data["faults"] = sorted(edge.taken)
        data["applied"] = sorted(edge.applied)
    return {
        "request_id": edge.request_id,
        "at": moment,
        "dialect": edge.dialect,
        "kind": edge.name,
        "client_id": edge.client_id if edge.name in ("authorize", "token") else edge.client_known(),
        "auth_key": auth_key,
        "status": response.status_code,
        "data": data,
    }


def record(conn: Connection, edge: Edge, response: Response, moment: float) -> None:
    """Store the request's RpEvent row (a recorder of gosuslugi_sandbox.idp.faults.hooks)."""
    conn.execute(insert(RpEvent.__table__), event_for(edge, response, moment))
