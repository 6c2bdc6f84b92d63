"""Protocol faults: userinfo sub, discovery issuer, key rotation, the authorization response
(state-mismatch, access-denied) and code-reuse-allowed, in both dialects where they apply."""

from __future__ import annotations

import uuid

import requests

from gosuslugi_sandbox.idp import keys as signing_keys
from tests.idp_esia.conftest import ROSHCHINA

from .conftest import arm, esia_client, jwks, parts, verify


def faults_left(base: str) -> list[tuple[str, int]]:
    listed = requests.get(f"{base}/_control/faults", timeout=5).json()["faults"]
    return [(f["fault"], f["remaining"]) for f in listed]


def test_userinfo_invalid_sub(idp, rp):
    body = rp.tokens()
    arm(idp.url, "userinfo-invalid-sub", client_id="sferum")
    faulty = rp.userinfo(body["access_token"])
    assert faulty.status_code == 200
    assert faulty.json()["sub"] == "91000000001"
    assert verify(idp.url, body["id_token"])["sub"] == "1000000001"
    assert rp.userinfo(body["access_token"]).json()["sub"] == "1000000001"


def test_discovery_issuer_mismatch(idp):
    url = f"{idp.url}/.well-known/openid-configuration"
    honest = requests.get(url, timeout=5).json()
    arm(idp.url, "discovery-issuer-mismatch")
    faulty = requests.get(url, timeout=5).json()
    assert faulty["issuer"] == f"{idp.url}/invalid-issuer"
    assert {k: v for k, v in faulty.items() if k != "issuer"} == {
        k: v for k, v in honest.items() if k != "issuer"
    }
    assert requests.get(url, timeout=5).json()["issuer"] == idp.url


def test_signing_key_rotation_with_grace(idp, rp, monkeypatch):
    parsed = []
    real_import = signing_keys.import_private_key
    monkeypatch.setattr(
        signing_keys, "import_private_key", lambda pem: parsed.append(1) or real_import(pem)
    )
    old_kid = next(k["kid"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA")
    arm(idp.url, "signing-key-rotation", client_id="sferum")
    first = rp.tokens()["id_token"]
    assert parts(first)[0]["kid"] == old_kid  # the next ID token is still signed with the old key
    rsa = [k["kid"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA"]
    assert len(rsa) >= 2 and rsa[1] == old_kid  # the current key first, then the retired ones
    new_kid = rsa[0]
    for _ in range(3):
        token = rp.tokens()["id_token"]
        assert parts(token)[0]["kid"] == new_kid
        assert verify(idp.url, token)["sub"] == "1000000001"
    assert parsed == [1]  # parsed once, when it was generated; never per request
    # after the grace (IDP_KEY_ROTATION_GRACE, 300 s) the old key leaves the JWKS
    requests.post(f"{idp.url}/_control/clock", json={"offset_seconds": 301}, timeout=5)
    assert [k["kid"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA"] == [new_kid]
    # a rotation is the IdP's own, as a real one: a reset keeps the new key
    requests.post(f"{idp.url}/_control/reset", json={}, timeout=10)
    assert parts(rp.tokens()["id_token"])[0]["kid"] == new_kid
    assert jwks(idp.url)["keys"][0]["kid"] == new_kid


def test_state_mismatch_oidc(idp, rp):
    arm(idp.url, "state-mismatch", client_id="sferum")
    callback = rp.login(rp.authorize_url())
    assert callback["code"] and callback["state"] != rp.state
    assert rp.exchange(callback["code"]).status_code == 200  # the code itself is good


def test_state_mismatch_esia(idp):
    arm(idp.url, "state-mismatch")
    client = esia_client(idp)
    params = client.auth_params()
    client.start(params)
    callback = client.login(ROSHCHINA)
    assert callback["code"]
    assert callback["state"] != params["state"]
    assert uuid.UUID(callback["state"]).version == 4


def test_access_denied_oidc(idp, rp):
    arm(idp.url, "access-denied")
    callback = rp.login(rp.authorize_url())
    assert callback == {
        "error": "access_denied",
        "error_description": "The resource owner denied the request",
        "state": rp.state,
    }
    assert faults_left(idp.url) == []
    assert "code" in rp.login(rp.authorize_url())


def test_access_denied_esia(idp):
    arm(idp.url, "access-denied", client_id="esia-none")
    client = esia_client(idp)
    params = client.auth_params()
    client.start(params)
    callback = client.login(ROSHCHINA)
    assert callback["error"] == "access_denied"
    assert callback["error_description"].startswith("ESIA-007004")
    assert callback["state"] == params["state"] and "code" not in callback


def test_redirect_faults_wait_for_the_callback(idp, rp):
    """The login pages' redirects do not use up an authorization-response fault."""
    arm(idp.url, "access-denied")
    rp.browser.open(rp.authorize_url())  # stops on the login page
    assert faults_left(idp.url) == [("access-denied", 1)]


def test_code_reuse_allowed_oidc(idp, rp):
    arm(idp.url, "code-reuse-allowed", client_id="sferum")
    code = rp.code()
    first = rp.exchange(code)
    assert first.status_code == 200
    assert faults_left(idp.url) == [("code-reuse-allowed", 1)]  # a first use is no reuse
    second = rp.exchange(code)
    assert second.status_code == 200
    assert verify(idp.url, second.json()["id_token"])["sub"] == "1000000001"
    assert rp.userinfo(first.json()["access_token"]).status_code == 200  # nothing revoked
    third = rp.exchange(code)
    assert third.status_code == 400 and third.json()["error"] == "invalid_grant"
