"""ESIA's AuthorizationServer at view level (Flask test client, codes written to the table)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from joserfc import jws

from gosuslugi_sandbox.idp.esia import jwt as esia_jwt
from gosuslugi_sandbox.idp.models import AuthorizationCode, Token
from gosuslugi_sandbox.idp.runtime import db_session, digest

from .conftest import CALLBACK, ROSHCHINA

STATE = "0b6a7c1e-1111-4222-8333-944455556666"
OID = ROSHCHINA["oid"]


def add_code(app, code: str, scope: str = "openid fullname") -> None:
    """A code of esia-none for Roshchina, as /aas/oauth2/ac/resume stores it."""
    moment = time.time()
    with app.test_request_context():
        db_session().add(
            AuthorizationCode(
                code_hash=digest(code), protocol="esia", client_id="esia-none", person_oid=OID,
                redirect_uri=CALLBACK, scope=scope, state=STATE, auth_time=int(moment),
                acr="confirmed", amr=["pwd"], extra={"sid": "sid-1"}, created_at=moment,
                expires_at=moment + 300,
            )
        )  # fmt: skip
        db_session().commit()


def form(**fields) -> dict[str, str]:
    timestamp = datetime.now(UTC).strftime("%Y.%m.%d %H:%M:%S +0000")
    base = {"client_id": "esia-none", "grant_type": "authorization_code", "state": STATE,
            "timestamp": timestamp, "redirect_uri": CALLBACK, "scope": "openid"}  # fmt: skip
    return {**base, **fields}


def test_a_refused_exchange_gives_the_code_back_and_state_is_echoed(app, client):
    add_code(app, "code-1")
    refused = client.post("/aas/oauth2/v3/te", data=form(code="code-1", redirect_uri="x"))
    assert refused.status_code == 400 and refused.headers["Cache-Control"] == "no-store"
    assert refused.get_json()["error_description"].startswith("ESIA-007011: ")
    assert refused.get_json()["state"] == STATE
    answer = client.post("/aas/oauth2/v3/te", data=form(code="code-1"))
    assert answer.status_code == 200 and answer.headers["Pragma"] == "no-cache"
    assert answer.get_json()["state"] == STATE
    again = client.post("/aas/oauth2/v3/te", data=form(code="code-1"))
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_refresh_keeps_the_granted_scope_whatever_scope_is_signed(app, client):
    add_code(app, "code-2", scope="openid fullname")
    body = client.post("/aas/oauth2/te", data=form(code="code-2")).get_json()
    wider = form(grant_type="refresh_token", refresh_token=body["refresh_token"],
                 scope="openid fullname mobile contacts")  # fmt: skip
    refreshed = client.post("/aas/oauth2/te", data=wider)
    assert refreshed.status_code == 200, refreshed.get_json()
    payload = jws.extract_compact(refreshed.get_json()["access_token"].encode()).payload
    assert esia_jwt.esia_scope(["openid", "fullname"], OID) in payload.decode()
    assert f"mobile?oid={OID}" not in payload.decode()


def test_one_resource_protector_keeps_each_dialects_tokens_to_its_resources(app, client):
    add_code(app, "code-3")
    esia_token = client.post("/aas/oauth2/te", data=form(code="code-3")).get_json()["access_token"]
    with app.test_request_context():
        db_session().add(
            Token(protocol="oidc", client_id="sferum", person_oid=OID, scope="openid profile",
                  access_token_hash=digest("an-oidc-token"), issued_at=time.time(),
                  expires_in=3600)
        )  # fmt: skip
        db_session().commit()
    person, userinfo = f"/rs/prns/{OID}", "/userinfo"
    as_esia = {"Authorization": f"Bearer {esia_token}"}
    as_oidc = {"Authorization": "Bearer an-oidc-token"}
    assert client.get(person, headers=as_esia).status_code == 200
    assert client.get(userinfo, headers=as_esia).status_code == 401
    assert client.get(userinfo, headers=as_oidc).status_code == 200
    refused = client.get(person, headers=as_oidc)
    assert refused.status_code == 401
    assert refused.get_json()["error_description"] == "The access token is invalid or expired"
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    missing = client.get(person)
    assert missing.get_json()["error_description"] == "Bearer access token required"
