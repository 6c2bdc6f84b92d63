"""Live server: a complete ESIA login per mode; tokens, person, refresh and logout checked."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from cryptography import x509
from joserfc import jws
from joserfc.jwk import KeySet, RSAKey

from gosuslugi_sandbox.idp.esia import jwt as esia_jwt
from gosuslugi_sandbox.shared import gost_x509

from .conftest import ROSHCHINA, SCOPE, SMIRNOV, assert_esia_error

ISSUER = "http://esia.gosuslugi.ru/"


def verify_rs256(idp, token: str) -> tuple[dict, dict]:
    """Verify with the JWKS and with the published PEM certificate; (header, claims)."""
    jwks = KeySet.import_key_set(requests.get(f"{idp.url}/jwks.json", timeout=5).json())
    rsa_jwk = next(k for k in jwks.keys if k.key_type == "RSA")
    obj = jws.deserialize_compact(token, rsa_jwk, registry=esia_jwt.JWS_REGISTRY)
    pem = requests.get(f"{idp.url}/esia/certs/RS256.pem", timeout=5)
    assert pem.status_code == 200
    pinned = RSAKey.import_key(x509.load_pem_x509_certificate(pem.content).public_key())
    jws.deserialize_compact(token, pinned, registry=esia_jwt.JWS_REGISTRY)
    return obj.protected, json.loads(obj.payload)


def verify_gost(idp, token: str) -> tuple[dict, dict]:
    """Verify with the published GOST certificate; (header, claims)."""
    pem = requests.get(f"{idp.url}/esia/certs/GOST3410_2012_256.pem", timeout=5)
    assert pem.status_code == 200
    return esia_jwt.decode_gost(token, gost_x509.load_certificate(pem.content).public_key)


def check_tokens(idp, body: dict, client_id: str, alg: str, oid: int, trusted: bool) -> dict:
    """Every header field and claim of both tokens; returns the access claims."""
    assert set(body) == {
        "access_token",
        "refresh_token",
        "id_token",
        "state",
        "token_type",
        "expires_in",
    }
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert str(uuid.UUID(body["refresh_token"])) == body["refresh_token"]
    verify = verify_rs256 if alg == "RS256" else verify_gost
    head, access = verify(idp, body["access_token"])
    assert head == {"ver": 1, "typ": "JWT", "sbt": "access", "alg": alg}
    now = time.time()
    assert set(access) == {
        "nbf",
        "exp",
        "iat",
        "iss",
        "client_id",
        "scope",
        "urn:esia:sid",
        "urn:esia:sbj_id",
    }
    assert access["iss"] == ISSUER and access["client_id"] == client_id
    assert abs(access["iat"] - now) < 60 and access["nbf"] == access["iat"]
    assert access["exp"] - access["iat"] == 3600
    assert access["urn:esia:sbj_id"] == oid and isinstance(access["urn:esia:sbj_id"], int)
    expected_scope = " ".join(s if s == "openid" else f"{s}?oid={oid}" for s in SCOPE.split())
    assert access["scope"] == expected_scope
    head, idt = verify(idp, body["id_token"])
    assert head == {"ver": 0, "typ": "JWT", "sbt": "id", "alg": alg}
    assert idt["aud"] == client_id and idt["sub"] == oid and isinstance(idt["sub"], int)
    assert idt["iss"] == ISSUER and idt["exp"] - idt["iat"] == 10800
    assert idt["nbf"] == idt["iat"] and idt["auth_time"] <= idt["iat"]
    assert idt["amr"] == "PWD" and idt["urn:esia:amd"] == "PWD"
    assert idt["urn:esia:sid"] == access["urn:esia:sid"]
    sbj = {"urn:esia:sbj:typ": "P", "urn:esia:sbj:oid": oid, "urn:esia:sbj:nam": f"OID.{oid}"}
    if trusted:
        sbj["urn:esia:sbj:is_tru"] = True
    assert idt["urn:esia:sbj"] == sbj
    return access


def check_person(idp, access_token: str, oid: int) -> None:
    """The root, the three collections in both shapes, each element URL, the root's embed."""
    auth = {"Authorization": f"Bearer {access_token}"}
    base = f"{idp.url}/rs/prns/{oid}"
    root = requests.get(base, headers=auth, timeout=5).json()
    assert root["stateFacts"] == ["EntityRoot"] and root["trusted"] is True
    assert (root["lastName"], root["firstName"], root["middleName"]) == (
        "Рощина",
        "Елизавета",
        "Вадимовна",
    )
    assert root["birthDate"] == "23.04.1990" and root["gender"] == "F"
    assert root["snils"] == "112-233-445 95" and root["inn"] == "780123456724"
    for name, size in (("ctts", 2), ("addrs", 2), ("docs", 1)):
        plain = requests.get(f"{base}/{name}", headers=auth, timeout=5).json()
        assert plain["stateFacts"] == ["hasSize"] and plain["size"] == size
        embedded = requests.get(
            f"{base}/{name}", params={"embed": "(elements)"}, headers=auth, timeout=5
        ).json()
        assert embedded["size"] == size
        for url, inline in zip(plain["elements"], embedded["elements"], strict=True):
            assert url.startswith(f"{base}/{name}/")
            single = requests.get(url, headers=auth, timeout=5)
            assert single.status_code == 200 and single.json() == inline
    contacts = requests.get(f"{base}/ctts?embed=(elements)", headers=auth, timeout=5).json()
    assert {(c["type"], c["value"]) for c in contacts["elements"]} == {
        ("MBT", "+7(965)1234575"),
        ("EML", "roshchina@example.ru"),
    }
    full = requests.get(
        base,
        params={"embed": "(contacts.elements,documents.elements,addresses.elements)"},
        headers=auth,
        timeout=5,
    ).json()
    assert full["contacts"]["size"] == 2 and full["documents"]["elements"][0]["series"] == "4010"
    assert full["addresses"]["elements"][0]["type"] == "PRG"


@pytest.mark.parametrize(
    ("client_id", "mode", "alg", "v2"),
    [
        ("esia-cms", "cms", "RS256", False),
        ("esia-gost", "gost", "GOST3410_2012_256", True),
        ("esia-none", "none", "RS256", True),
    ],
)
def test_complete_esia_login(idp, client_factory, client_id, mode, alg, v2):
    client = client_factory(client_id, mode)
    params = client.auth_params()
    page = client.start(params, v2=v2)
    assert page.has("login-form")
    result = client.login(ROSHCHINA)
    assert result["state"] == params["state"] and set(result) == {"code", "state"}
    state = str(uuid.uuid4())
    response = client.token("authorization_code", result["code"], v3=v2, state=state)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == state
    check_tokens(idp, body, client_id, alg, ROSHCHINA["oid"], trusted=True)
    check_person(idp, body["access_token"], ROSHCHINA["oid"])

    # refresh: new tokens; the old refresh token is single use
    refreshed = client.token("refresh_token", body["refresh_token"], v3=v2)
    assert refreshed.status_code == 200, refreshed.text
    check_tokens(idp, refreshed.json(), client_id, alg, ROSHCHINA["oid"], trusted=True)
    again = client.token("refresh_token", body["refresh_token"], v3=v2)
    assert again.status_code == 400
    assert_esia_error(again.json(), "ESIA-007011", "invalid_grant")

    # logout ends the IdP session and goes back to the registered URL only
    out = client.browser.send(
        "GET",
        f"{idp.url}/idp/ext/Logout",
        params={"client_id": client_id, "redirect_url": "http://127.0.0.1:5555/"},
    )
    assert out.status == 302 and out.headers["Location"] == "http://127.0.0.1:5555/"
    assert client.start(client.auth_params(), v2=v2).has("login-form")


def test_sso_session_skips_password_second_time(cms_client):
    cms_client.code_for()
    cms_client.start(cms_client.auth_params())
    page = cms_client.browser.page
    # logged in already: straight to consent
    assert page.has("consent-form")


def test_unconfirmed_account_has_no_is_tru(idp, none_client):
    code = none_client.code_for(SMIRNOV)
    body = none_client.token("authorization_code", code).json()
    _head, claims = verify_rs256(idp, body["id_token"])
    assert "urn:esia:sbj:is_tru" not in claims["urn:esia:sbj"]
    root = requests.get(
        f"{idp.url}/rs/prns/{SMIRNOV['oid']}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    ).json()
    assert root["trusted"] is False


def test_logout_refuses_unregistered_url(idp):
    response = requests.get(
        f"{idp.url}/idp/ext/Logout",
        params={"client_id": "esia-cms", "redirect_url": "https://evil.example/"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400 and "ESIA-007023" in response.text
    plain = requests.get(f"{idp.url}/idp/ext/Logout", timeout=5)
    assert plain.status_code == 200 and 'data-testid="esia-logout-done"' in plain.text
