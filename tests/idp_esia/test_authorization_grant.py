"""ESIA's code grant at the authorization endpoint and at resume (Flask test client)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from gosuslugi_sandbox.idp.models import AuthorizationCode, Interaction
from gosuslugi_sandbox.idp.runtime import db_session

from . import esia_client as ec
from .conftest import CALLBACK, ROSHCHINA, SCOPE

STATE = "0b6a7c1e-1111-4222-8333-944455556666"
# a registered query with an escape Authlib's add_params_to_uri would rewrite (%7E → ~)
TENANT_CALLBACK = CALLBACK + "?tenant=a%7Eb"


def authorize(client, path: str = "/aas/oauth2/v2/ac", **fields):
    ts = ec.timestamp()
    params = {"client_id": "esia-none", "client_secret": "anything", "redirect_uri": CALLBACK,
              "scope": "openid fullname", "response_type": "code", "state": STATE,
              "timestamp": ts, **fields}  # fmt: skip
    return client.get(f"{path}?{urlencode(params)}")


def interaction_of(response) -> str:
    assert response.status_code == 302 and "/login?" in response.headers["Location"]
    return parse_qs(urlsplit(response.headers["Location"]).query)["interaction"][0]


def log_in(app, interaction_id: str, person_oid: int, consent: str | None) -> None:
    """What the login pages record: password, SMS and the consent decision."""
    with app.test_request_context():
        inter = db_session().get(Interaction, interaction_id)
        inter.person_oid, inter.password_ok, inter.logged_in = person_oid, True, True
        inter.amr, inter.auth_time, inter.consent = ["pwd", "sms"], 1_700_000_000, consent
        db_session().commit()


def resume(client, interaction_id: str):
    return client.get(f"/aas/oauth2/ac/resume?interaction={interaction_id}")


def test_the_registered_query_is_kept_as_registered(app, client):
    tenant = {"client_id": "esia-tenant", "redirect_uris": [TENANT_CALLBACK],
              "token_endpoint_auth_method": "none", "scope": "openid fullname"}  # fmt: skip
    assert client.post("/_control/clients", json=tenant).status_code == 201
    refused = authorize(client, client_id="esia-tenant", redirect_uri=TENANT_CALLBACK, state="x")
    assert refused.headers["Location"].startswith(TENANT_CALLBACK + "&error=invalid_request&")
    started = authorize(client, client_id="esia-tenant", redirect_uri=TENANT_CALLBACK)
    inter = interaction_of(started)
    log_in(app, inter, ROSHCHINA["oid"], "allow")
    issued = resume(client, inter).headers["Location"]
    assert issued.startswith(TENANT_CALLBACK + "&code=") and issued.endswith(f"&state={STATE}")


def test_a_grant_type_at_the_authorization_endpoint_is_not_read(client):
    """/ac signs its own strings: a token request's fields sent along change nothing."""
    ts = ec.timestamp()
    secret = ec.cms_sign(ec.legacy_string(SCOPE, ts, "esia-cms", STATE))
    started = authorize(client, "/aas/oauth2/ac", client_id="esia-cms", client_secret=secret,
                        scope=SCOPE, timestamp=ts, grant_type="refresh_token")  # fmt: skip
    interaction_of(started)


def test_the_code_row_and_the_refusals_at_resume(app, client):
    inter = interaction_of(authorize(client))
    log_in(app, inter, ROSHCHINA["oid"], "allow")
    assert "code=" in resume(client, inter).headers["Location"]
    with app.test_request_context():
        row = db_session().query(AuthorizationCode).one()
        assert (row.protocol, row.client_id, row.state) == ("esia", "esia-none", STATE)
        assert len(row.extra["sid"]) == 36 and row.expires_at - row.created_at == 300
    assert resume(client, inter).status_code == 400  # finished: single use

    inter = interaction_of(authorize(client))
    log_in(app, inter, 999_999_999, "allow")  # the account went away during the login
    gone = parse_qs(urlsplit(resume(client, inter).headers["Location"]).query)
    assert gone["error"] == ["access_denied"] and gone["state"] == [STATE]
    assert gone["error_description"][0].startswith("ESIA-007004: ")
    assert "[the account no longer exists]" in gone["error_description"][0]


def test_a_browser_skipping_the_consent_page_is_sent_back_to_it(app, client):
    """Resume before the consent decision issues no code: the person has not agreed yet."""
    inter = interaction_of(authorize(client))
    log_in(app, inter, ROSHCHINA["oid"], None)  # password and SMS passed, consent not given
    skipped = resume(client, inter)
    assert skipped.status_code == 302
    assert urlsplit(skipped.headers["Location"]).path == "/consent"
    with app.test_request_context():
        assert db_session().query(AuthorizationCode).count() == 0
    log_in(app, inter, ROSHCHINA["oid"], "allow")
    assert "code=" in resume(client, inter).headers["Location"]  # the login goes on from there


def test_a_parameter_sent_twice_is_esia_007003(client):
    """Which of two values counts is a client bug: ESIA refuses it ("invalid or repeated")."""
    query = urlencode({"client_id": "esia-none", "client_secret": "anything",
                       "redirect_uri": CALLBACK, "response_type": "code", "state": STATE,
                       "timestamp": ec.timestamp()})  # fmt: skip
    twice = client.get(f"/aas/oauth2/v2/ac?{query}&scope=openid&scope=fullname")
    refused = parse_qs(urlsplit(twice.headers["Location"]).query)
    assert refused["error"] == ["invalid_request"] and refused["state"] == [STATE]
    assert refused["error_description"][0].startswith("ESIA-007003: ")
    assert "[scope]" in refused["error_description"][0]
    # two redirect URIs: none is trusted, the refusal is a page
    other = urlencode({"redirect_uri": CALLBACK + "/other", "scope": "openid"})
    page = client.get(f"/aas/oauth2/v2/ac?{query}&{other}")
    assert page.status_code == 400 and "Location" not in page.headers
    assert "ESIA-007003" in page.get_data(as_text=True)
    # the token endpoint too
    form = {"client_id": "esia-none", "client_secret": "x", "grant_type": "authorization_code",
            "code": ["a", "b"], "redirect_uri": CALLBACK, "state": STATE,
            "timestamp": ec.timestamp(), "token_type": "Bearer", "scope": "openid"}  # fmt: skip
    answer = client.post("/aas/oauth2/v3/te", data=form)
    assert answer.status_code == 400
    assert answer.get_json()["error_description"].startswith("ESIA-007003: ")
