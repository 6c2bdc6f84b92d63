"""ESIA token endpoint: POST /aas/oauth2/te (legacy) and /aas/oauth2/v3/te (current).

Grants: authorization_code and refresh_token. Errors are HTTP 400 JSON
`{"error", "error_description": "ESIA-0070xx: ...", "state"}`.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from idp.esia import checks, tokens
from idp.esia.clients import EsiaClient, settings
from idp.esia.errors import (
    CertificateMismatch,
    EsiaError,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from idp.esia.models import EsiaCode, EsiaToken
from idp.faults.tokens import esia_id_token
from idp.models import Client, Person
from idp.runtime import config, db_session, digest, now, runtime

bp = Blueprint("esia_token", __name__)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def signed_strings(form, esia: EsiaClient, v3: bool, grant_value: str) -> list[str]:
    """The strings a client may have signed, most likely first (clients differ for refresh)."""
    scope, ts, state = form.get("scope") or "", form.get("timestamp") or "", form["state"]
    ts = checks.check_timestamp(esia, ts) if ts else ts
    cid, org, uri = esia.client_id, form.get("scope_org") or "", form.get("redirect_uri") or ""
    current = cid + scope + org + ts + state + uri
    legacy = scope + ts + cid + state
    if v3 and form.get("grant_type") == "authorization_code":
        return [current + grant_value]  # v3 signs the code too (esia-protocol.md)
    options = [current + grant_value, current, legacy]
    return options if v3 else [legacy, current + grant_value, current]


def issue(esia: EsiaClient, person: Person, scopes: list[str], sid: str, auth_time: int, code_hash):
    """Create, store and return a token response body (without state)."""
    moment = int(now())
    access_ttl = int(config("ESIA_ACCESS_TOKEN_TTL", 3600))
    id_ttl = int(config("ESIA_ID_TOKEN_TTL", 10800))
    issuer = config("ESIA_ISSUER")
    rsa_key = runtime().keys.for_alg("RS256")
    gost_signer = current_app.extensions["esia"].gost_signer
    access = tokens.encode(
        tokens.ACCESS_HEADER,
        tokens.access_claims(
            issuer=issuer, client_id=esia.client_id, scopes=scopes, oid=person.oid, sid=sid,
            now=moment, lifetime=access_ttl,
        ),
        esia.token_alg, rsa_key, gost_signer,
    )  # fmt: skip
    id_token = esia_id_token(  # tokens.encode, with the armed ID token faults applied
        tokens.ID_HEADER,
        tokens.id_claims(
            issuer=issuer, client_id=esia.client_id, oid=person.oid, trusted=person.trusted,
            sid=sid, now=moment, auth_time=auth_time, lifetime=id_ttl,
        ),
        esia.token_alg, rsa_key, gost_signer,
    )  # fmt: skip
    refresh = str(uuid.uuid4())
    db_session().add(
        EsiaToken(
            client_id=esia.client_id, person_oid=person.oid, scopes=list(scopes), sid=sid,
            auth_time=auth_time, access_token_hash=digest(access),
            refresh_token_hash=digest(refresh), code_hash=code_hash, issued_at=moment,
            expires_at=moment + access_ttl, extra={},
        )
    )  # fmt: skip
    return {
        "access_token": access,
        "refresh_token": refresh,
        "id_token": id_token,
        "token_type": "Bearer",
        "expires_in": access_ttl,
    }


def _by_code(form, esia: EsiaClient):
    code = form.get("code") or ""
    row = db_session().scalar(select(EsiaCode).where(EsiaCode.code_hash == digest(code)))
    if row is None or row.client_id != esia.client_id:
        raise InvalidGrant("code")
    if row.used_at is not None:
        # A replayed code also revokes what it produced (RFC 6749 section 4.1.2).
        for token in db_session().scalars(
            select(EsiaToken).where(EsiaToken.code_hash == row.code_hash)
        ):
            token.revoked_at = token.revoked_at or now()
        db_session().commit()
        raise InvalidGrant("code")
    if row.expires_at <= now() or row.redirect_uri != (form.get("redirect_uri") or ""):
        raise InvalidGrant("code")
    row.used_at = now()
    return row.person_oid, list(row.scopes), row.sid, row.auth_time, row.code_hash


def _by_refresh(form, esia: EsiaClient):
    value = form.get("refresh_token") or ""
    row = db_session().scalar(
        select(EsiaToken).where(EsiaToken.refresh_token_hash == digest(value))
    )
    if row is None or row.client_id != esia.client_id or row.refresh_used_at or row.revoked_at:
        raise InvalidGrant("refresh_token")
    row.refresh_used_at = now()
    return row.person_oid, list(row.scopes), row.sid, row.auth_time, None


@bp.post("/aas/oauth2/te", endpoint="te")
@bp.post("/aas/oauth2/v3/te", endpoint="te_v3")
def token():
    """Exchange a code or a refresh token for ESIA tokens."""
    form = request.form
    state = form.get("state")
    v3 = request.endpoint == "esia_token.te_v3"
    try:
        checks.require(form, "client_id", "grant_type")
        client = db_session().get(Client, form["client_id"].strip())
        if client is None:
            raise CertificateMismatch("unknown client_id")
        esia = settings(client)
        grant = form["grant_type"]
        if grant not in ("authorization_code", "refresh_token"):
            raise UnsupportedGrantType(grant)
        if not client.check_grant_type(grant):
            raise UnauthorizedClient(grant)
        value_name = "code" if grant == "authorization_code" else "refresh_token"
        required = ["state", "timestamp", value_name]
        if grant == "authorization_code":
            required.append("redirect_uri")
        checks.require(form, *required)
        checks.check_state(esia, state)
        checks.check_timestamp(esia, form["timestamp"])
        strings = signed_strings(form, esia, v3, form[value_name])
        checks.verify_secret(esia, form, strings, versioned=v3)
        if grant == "authorization_code":
            oid, scopes, sid, auth_time, code_hash = _by_code(form, esia)
        else:
            oid, scopes, sid, auth_time, code_hash = _by_refresh(form, esia)
        person = db_session().get(Person, oid)
        if person is None:
            raise InvalidGrant("the account no longer exists")
        body = issue(esia, person, scopes, sid, auth_time, code_hash)
        db_session().commit()
    except EsiaError as exc:
        db_session().rollback()
        return _no_store(jsonify(exc.as_dict(state))), exc.status
    body["state"] = state
    return _no_store(jsonify(body))
