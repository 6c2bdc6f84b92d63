"""ESIA token endpoint: POST /aas/oauth2/te (legacy) and /aas/oauth2/v3/te (current).

Grants: authorization_code and refresh_token. Errors are HTTP 400 JSON
`{"error", "error_description": "ESIA-0070xx: ...", "state"}`.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, request

from gosuslugi_sandbox.idp.esia import checks, tokens
from gosuslugi_sandbox.idp.esia.clients import EsiaClient, settings
from gosuslugi_sandbox.idp.esia.errors import (
    CertificateMismatch,
    EsiaError,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from gosuslugi_sandbox.idp.esia.tokens import amd_for
from gosuslugi_sandbox.idp.faults.tokens import esia_id_token
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person, Token
from gosuslugi_sandbox.idp.runtime import config, db_session, digest, now, runtime
from gosuslugi_sandbox.idp.storage.consume import redeem_code, redeem_refresh_token

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
        return [current + grant_value]  # v3 signs the code too (docs/esia-protocol.md)
    options = [current + grant_value, current, legacy]
    return options if v3 else [legacy, current + grant_value, current]


def issue(esia: EsiaClient, person: Person, grant: AuthorizationCode | Token) -> dict:
    """Create, store and return a token response body (without state) for a redeemed code or
    refresh token; the login's facts (sid, auth_time, amr, the code) carry over."""
    scopes, sid, auth_time = grant.scope.split(), grant.extra["sid"], grant.auth_time
    moment = int(now())
    access_ttl = int(config("ESIA_ACCESS_TOKEN_TTL"))
    id_ttl = int(config("ESIA_ID_TOKEN_TTL"))
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
            amr=amd_for(grant.amr),
        ),
        esia.token_alg, tokens.ALGORITHMS,
        lambda header, claims, alg: tokens.encode(header, claims, alg, rsa_key, gost_signer),
    )  # fmt: skip
    refresh = str(uuid.uuid4())
    db_session().add(
        Token(
            protocol="esia", client_id=esia.client_id, person_oid=person.oid,
            scope=" ".join(scopes), auth_time=auth_time, access_token_hash=digest(access),
            refresh_token_hash=digest(refresh), code_hash=grant.code_hash, issued_at=moment,
            expires_in=access_ttl, amr=list(grant.amr or []), extra={"sid": sid},
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
    """Redeem the code (one winner across workers: gosuslugi_sandbox.idp.storage.consume)."""
    row = redeem_code(db_session(), form.get("code") or "", esia.client_id, "esia", now())
    if row is None or row.redirect_uri != (form.get("redirect_uri") or ""):
        raise InvalidGrant("code")
    return row


def _by_refresh(form, esia: EsiaClient):
    """Redeem the refresh token (rotation, one winner: gosuslugi_sandbox.idp.storage.consume)."""
    value = form.get("refresh_token") or ""
    row = redeem_refresh_token(db_session(), value, esia.client_id, "esia", now())
    if row is None:
        raise InvalidGrant("refresh_token")
    return row


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
        redeemed = (
            _by_code(form, esia) if grant == "authorization_code" else _by_refresh(form, esia)
        )
        person = db_session().get(Person, redeemed.person_oid)
        if person is None:
            raise InvalidGrant("the account no longer exists")
        body = issue(esia, person, redeemed)
        db_session().commit()
    except EsiaError as exc:
        db_session().rollback()
        return _no_store(jsonify(exc.as_dict(state))), exc.status
    body["state"] = state
    return _no_store(jsonify(body))
