"""The report card: recorded requests attributed to clients and grouped per authorization.

A userinfo / person request is attributed through the access token a token response issued
(its digest), a redirect through the authorization it resumes; JWKS requests name no client
and count for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from gosuslugi_sandbox.idp.models import Client, SigningKey
from gosuslugi_sandbox.idp.report import checks
from gosuslugi_sandbox.idp.report.models import RpEvent
from gosuslugi_sandbox.shared.formats import iso_time

MAX_EVENTS = 20000  # a sandbox stand; older requests drop out of the card


def iso(moment: float) -> str:
    """An ISO-8601 UTC time with milliseconds."""
    return iso_time(moment, "milliseconds")


@dataclass
class Observed:
    """Everything recorded, indexed for the checks."""

    by_client: dict[str, list[RpEvent]] = field(default_factory=lambda: defaultdict(list))
    jwks: list[RpEvent] = field(default_factory=list)
    rotations: dict[str, float] = field(default_factory=dict)  # new kid → rotated at


def observe(session) -> Observed:
    """Load the recorded requests and attribute each to its client."""
    rows = list(session.scalars(select(RpEvent).order_by(RpEvent.id.desc()).limit(MAX_EVENTS)))
    rows.reverse()
    seen = Observed()
    owner_of_auth = {e.auth_key: e.client_id for e in rows if e.kind == "authorize" and e.auth_key}
    owner_of_access = {
        e.data["issued_access"]: e.client_id
        for e in rows
        if e.kind == "token" and e.data.get("issued_access")
    }
    for event in rows:
        client = event.client_id
        if event.kind == "jwks":
            seen.jwks.append(event)
            continue
        if client is None and event.kind == "redirect":
            client = owner_of_auth.get(event.auth_key)
        if client is None and event.kind in ("userinfo", "person"):
            client = owner_of_access.get(event.data.get("access_hash"))
        if client:
            seen.by_client[client].append(event)
    if rows:
        # a key that replaced another while the recorded requests were made (a rotation
        # before them, e.g. before a reset, is not this card's to judge)
        replaced = {key.retired_at for key in session.scalars(select(SigningKey))}
        newer = select(SigningKey).where(SigningKey.created_at >= rows[0].at)
        for key in session.scalars(newer):
            if key.created_at in replaced:
                seen.rotations[key.kid] = key.created_at
    return seen


def _authorizations(events: list[RpEvent]) -> list[dict[str, Any]]:
    """One line per authorization request, with what followed from it."""
    codes: dict[str, str] = {}
    result: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.kind == "authorize":
            key = e.auth_key or e.request_id
            result[key] = {
                "request_id": e.request_id, "at": iso(e.at), "dialect": e.dialect,
                "status": e.status, "state": bool(e.data.get("state")),
                "state_bits": e.data.get("state_bits"), "nonce": bool(e.data.get("nonce")),
                "pkce": e.data.get("pkce"), "error": e.data.get("error"), "code_issued": False,
                "token_requests": [], "userinfo_requests": [], "faults": [],
            }  # fmt: skip
        elif e.kind == "redirect" and e.auth_key in result:
            line = result[e.auth_key]
            line["code_issued"] = line["code_issued"] or bool(e.data.get("code_hash"))
            line["error"] = e.data.get("error") or line["error"]
            if e.data.get("code_hash"):
                codes[e.data["code_hash"]] = e.auth_key
        line = None
        if e.kind == "token" and e.data.get("code_hash") in codes:
            line = result[codes[e.data["code_hash"]]]
            line["token_requests"].append({"request_id": e.request_id, "status": e.status})
            if e.data.get("issued_access"):
                codes[e.data["issued_access"]] = codes[e.data["code_hash"]]
        elif e.kind in ("userinfo", "person") and e.data.get("access_hash") in codes:
            line = result[codes[e.data["access_hash"]]]
            line["userinfo_requests"].append({"request_id": e.request_id, "status": e.status})
        elif e.kind == "redirect" and e.auth_key in result:
            line = result[e.auth_key]
        if line is not None:
            line["faults"] = sorted(set(line["faults"]) | set(e.data.get("applied", [])))
    return list(result.values())


def _dialects(client: Client | None, events: list[RpEvent]) -> set[str]:
    used = {e.dialect for e in events if e.kind != "jwks"}
    if used:
        return used
    meta = (client.client_metadata if client else {}) or {}
    return {"esia"} if any(k.startswith("esia_") for k in meta) else {"oidc"}


def client_card(session, client_id: str, seen: Observed, default_skew: float) -> dict[str, Any]:
    """The report card of one client (checks and authorizations)."""
    client = session.get(Client, client_id)
    events = seen.by_client.get(client_id, [])
    meta = (client.client_metadata if client else {}) or {}
    skew = float(meta.get("esia_timestamp_skew") or default_skew)
    results = checks.run(events, _dialects(client, events), seen, skew, iso)
    counts = {s: sum(1 for r in results if r["status"] == s) for s in checks.STATUSES}
    return {
        "client_id": client_id,
        "client_name": (client.client_name if client else client_id),
        "registered": client is not None,
        "summary": counts,
        "checks": results,
        "authorizations": _authorizations(events),
        "requests_seen": len(events),
    }


def all_cards(session, default_skew: float, client_id: str | None = None) -> list[dict[str, Any]]:
    """Cards of every client that was seen (or of one client)."""
    seen = observe(session)
    ids = [client_id] if client_id else sorted(seen.by_client)
    return [client_card(session, cid, seen, default_skew) for cid in ids]
