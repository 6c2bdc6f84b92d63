"""Live server: every ESIA error code, produced as a client would meet it."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlencode

import pytest
import requests

from gosuslugi_sandbox.idp.esia import certificates
from gosuslugi_sandbox.shared import gost, gost_x509

from . import esia_client as ec
from .conftest import CALLBACK, ROSHCHINA, SMIRNOV, assert_esia_error


def start_error(client, params, v2=True) -> dict:
    """Open an authorization request that must bounce straight back with an error."""
    page = client.start(params, v2=v2)
    assert not page.has("login-form"), page.url
    return client.callback()


# ---- authorization endpoint -------------------------------------------------------------


@pytest.mark.parametrize("missing", ["scope", "response_type", "state", "timestamp"])
def test_missing_parameter_007014_names_it(cms_client, missing):
    params = cms_client.auth_params()
    params.pop(missing)
    result = start_error(cms_client, params)
    assert_esia_error(result, "ESIA-007014", "invalid_request")
    assert f"[{missing}]" in result["error_description"]


def test_missing_client_secret_and_hash_007014(cms_client, gost_client):
    params = cms_client.auth_params()
    params.pop("client_secret")
    assert "[client_secret]" in start_error(cms_client, params)["error_description"]
    params = gost_client.auth_params()
    params.pop("client_certificate_hash")
    result = start_error(gost_client, params)
    assert_esia_error(result, "ESIA-007014")
    assert "[client_certificate_hash]" in result["error_description"]


def test_state_not_uuid_007003(cms_client):
    result = start_error(cms_client, cms_client.auth_params(state="not-a-uuid"))
    assert_esia_error(result, "ESIA-007003", "invalid_request")
    assert result["state"] == "not-a-uuid"


def test_timestamp_out_of_range_007015(cms_client, gost_client, idp):
    old = ec.timestamp(time.time() - 3600)
    assert_esia_error(start_error(cms_client, cms_client.auth_params(ts=old)), "ESIA-007015")
    assert_esia_error(
        start_error(gost_client, gost_client.auth_params(ts="2025-09-02")), "ESIA-007015"
    )
    # the IdP's clock, moved through the control API, is what counts
    requests.post(f"{idp.url}/_control/clock", json={"offset_seconds": 1800}, timeout=5)
    assert_esia_error(start_error(cms_client, cms_client.auth_params()), "ESIA-007015")
    future = ec.timestamp(time.time() + 1800)
    assert cms_client.start(cms_client.auth_params(ts=future)).has("login-form")


def test_unregistered_redirect_uri_007023_is_a_page(cms_client, idp):
    params = cms_client.auth_params()
    params["redirect_uri"] = "https://evil.example/callback"
    response = requests.get(
        f"{idp.url}/aas/oauth2/v2/ac?{urlencode(params)}", allow_redirects=False, timeout=5
    )
    assert response.status_code == 400
    assert 'data-testid="error-code">ESIA-007023<' in response.text
    assert "evil.example" not in response.headers.get("Location", "")


def test_unknown_client_is_a_page(idp):
    response = requests.get(
        f"{idp.url}/aas/oauth2/ac",
        params={"client_id": "nobody", "redirect_uri": CALLBACK},
        allow_redirects=False, timeout=5,
    )  # fmt: skip
    assert response.status_code == 400 and 'data-testid="error-code">ESIA-007002<' in response.text


def test_unknown_scope_007006(none_client):
    result = start_error(none_client, none_client.auth_params(scope="openid fullname telepathy"))
    assert_esia_error(result, "ESIA-007006", "invalid_scope")


def test_response_type_007012(none_client):
    result = start_error(none_client, none_client.auth_params(response_type="token"))
    assert_esia_error(result, "ESIA-007012", "unsupported_response_type")


def test_cms_by_another_key_007053(cms_client):
    foreign = ec.other_rsa_signer()
    result = start_error(cms_client, cms_client.auth_params(key=foreign))
    assert_esia_error(result, "ESIA-007053", "access_denied")


def test_cms_of_another_string_007053(cms_client):
    params = cms_client.auth_params()
    params["client_secret"] = ec.cms_sign("something else")
    assert_esia_error(start_error(cms_client, params), "ESIA-007053")


def test_gost_by_another_key_007053(gost_client):
    result = start_error(gost_client, gost_client.auth_params(key=gost.PrivateKey.generate()))
    assert_esia_error(result, "ESIA-007053")


def test_gost_hash_of_pem_text_007053(gost_client):
    pem_hash = gost_x509.certificate_hash(ec.read("gost-client.crt.pem"))
    result = start_error(gost_client, gost_client.auth_params(client_certificate_hash=pem_hash))
    assert_esia_error(result, "ESIA-007053", "access_denied")  # as real ESIA answers it
    assert "[client_certificate_hash]" in result["error_description"]


def test_gost_hash_of_another_clients_certificate_007002(gost_client, idp):
    other = {
        "client_id": "esia-gost-other",
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "none",
        "scope": "openid fullname",
        "esia_signature_mode": "gost",
        "esia_certificate": ec.read("idp-gost.crt.pem").decode(),
    }
    created = requests.post(f"{idp.url}/_control/clients", json=other, timeout=5)
    assert created.status_code in (200, 201), created.text
    try:
        foreign_hash = gost_x509.load_certificate(ec.read("idp-gost.crt.pem")).hash
        params = gost_client.auth_params(client_certificate_hash=foreign_hash)
        assert_esia_error(start_error(gost_client, params), "ESIA-007002")
    finally:
        requests.delete(f"{idp.url}/_control/clients/esia-gost-other", timeout=5)


@pytest.mark.parametrize("style", ["urlpad", "url", "std"])
def test_every_signature_encoding_is_accepted(cms_client, gost_client, style):
    assert cms_client.start(cms_client.auth_params(style=style), v2=False).has("login-form")
    assert gost_client.start(gost_client.auth_params(style=style)).has("login-form")


def test_a_clients_gost_certificate_is_parsed_once_and_kept(gost_client):
    """Issue 8's rule: the registered certificate (~2 ms to parse and hash) is not redone per
    request; a changed registration has other bytes, so it is parsed anew."""
    certificates.load.cache_clear()
    for _ in range(3):
        assert gost_client.start(gost_client.auth_params()).has("login-form")
    info = certificates.load.cache_info()
    assert info.misses == 1 and info.hits >= 2, info


def test_person_filter_conf_acc_refuses_unconfirmed_007055(none_client):
    conf_acc = base64.b64encode(b"conf_acc").decode()
    none_client.start(none_client.auth_params(person_filter=conf_acc))
    result = none_client.login(SMIRNOV)
    assert_esia_error(result, "ESIA-007055")
    assert "code" not in result


def test_person_filter_conf_acc_lets_confirmed_in(none_client):
    conf_acc = base64.b64encode(b"conf_acc").decode()
    assert none_client.code_for(ROSHCHINA, person_filter=conf_acc)


def test_deny_on_consent_007004(none_client):
    params = none_client.auth_params()
    none_client.start(params)
    result = none_client.login(ROSHCHINA, decision="deny")
    assert result["error"] == "access_denied" and result["state"] == params["state"]
    assert_esia_error(result, "ESIA-007004", "access_denied")


# ---- token endpoint ---------------------------------------------------------------------


def token_error(response, code: str, error: str | None = None, state: str | None = None):
    assert response.status_code == 400, response.text
    body = response.json()
    assert_esia_error(body, code, error)
    if state:
        assert body["state"] == state
    return body


def test_reused_code_007011_and_tokens_revoked(idp, cms_client):
    code = cms_client.code_for()
    first = cms_client.token("authorization_code", code, v3=False)
    assert first.status_code == 200
    state = ec.new_state()
    token_error(cms_client.token("authorization_code", code, v3=False, state=state),
                "ESIA-007011", "invalid_grant", state)  # fmt: skip
    person = requests.get(
        f"{idp.url}/rs/prns/{ROSHCHINA['oid']}",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"}, timeout=5,
    )  # fmt: skip
    assert person.status_code == 401


def test_foreign_code_and_refresh_token_007011(cms_client, none_client):
    code = cms_client.code_for()
    token_error(none_client.token("authorization_code", code), "ESIA-007011")
    body = cms_client.token("authorization_code", code, v3=False).json()
    token_error(none_client.token("refresh_token", body["refresh_token"]), "ESIA-007011")
    token_error(none_client.token("authorization_code", "no-such-code"), "ESIA-007011")


def test_token_endpoint_checks(cms_client, gost_client):
    token_error(
        cms_client.token("password", "x", v3=False), "ESIA-007009", "unsupported_grant_type"
    )
    token_error(cms_client.token("authorization_code", "x", code=None), "ESIA-007014")
    body = token_error(cms_client.token("authorization_code", "x", timestamp=None), "ESIA-007014")
    assert "[timestamp]" in body["error_description"]
    token_error(
        cms_client.token("authorization_code", "x", ts=ec.timestamp(time.time() - 3600)),
        "ESIA-007015",
    )
    token_error(cms_client.token("authorization_code", "x", state="nope"), "ESIA-007003")
    token_error(
        cms_client.token("authorization_code", "x", key=ec.other_rsa_signer()), "ESIA-007053"
    )
    token_error(
        gost_client.token("authorization_code", "x", key=gost.PrivateKey.generate()), "ESIA-007053"
    )


def test_gost_v3_signature_must_cover_the_code(gost_client):
    code = gost_client.code_for()
    state, ts = ec.new_state(), ec.timestamp()
    # signed without the code: refused at v3/te
    without = ec.v2_string("esia-gost", "openid", "", ts, state, CALLBACK)
    forged = gost_client.token(
        "authorization_code", code, state=state, ts=ts, scope="openid",
        client_secret=ec.gost_sign(without),
    )  # fmt: skip
    token_error(forged, "ESIA-007053")
    assert gost_client.token("authorization_code", code).status_code == 200


# ---- person REST ------------------------------------------------------------------------


def test_person_rest_401_and_403(idp, none_client):
    base = f"{idp.url}/rs/prns/{ROSHCHINA['oid']}"
    assert requests.get(base, timeout=5).status_code == 401
    assert (
        requests.get(base, headers={"Authorization": "Bearer junk"}, timeout=5).status_code == 401
    )
    code = none_client.code_for(scope="openid fullname")
    token = none_client.token("authorization_code", code, scope="openid fullname").json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(base, headers=auth, timeout=5).status_code == 200
    assert requests.get(f"{base}/ctts", headers=auth, timeout=5).status_code == 403
    assert requests.get(f"{base}/docs/1", headers=auth, timeout=5).status_code == 403
    other = f"{idp.url}/rs/prns/{SMIRNOV['oid']}"
    assert requests.get(other, headers=auth, timeout=5).status_code == 403


# ---- per-client switches ----------------------------------------------------------------


def test_switches_in_the_registration(idp, none_client):
    url = f"{idp.url}/_control/clients/esia-none"
    original = requests.get(url, timeout=5).json()
    relaxed = {**original, "esia_check_timestamp": False, "esia_check_state": False}
    assert requests.put(url, json=relaxed, timeout=5).status_code == 200
    try:
        params = none_client.auth_params(ts=ec.timestamp(time.time() - 86400), state="free-form")
        assert none_client.start(params).has("login-form")
    finally:
        requests.put(url, json=original, timeout=5)
    assert_esia_error(
        start_error(none_client, none_client.auth_params(state="free-form")), "ESIA-007003"
    )


def test_grant_not_registered_for_the_client_007005(idp, none_client):
    code = none_client.code_for()
    refresh = none_client.token("authorization_code", code).json()["refresh_token"]
    url = f"{idp.url}/_control/clients/esia-none"
    original = requests.get(url, timeout=5).json()
    limited = {**original, "grant_types": ["authorization_code"]}
    assert requests.put(url, json=limited, timeout=5).status_code == 200
    try:
        refused = none_client.token("refresh_token", refresh)
        token_error(refused, "ESIA-007005", "unauthorized_client")
    finally:
        requests.put(url, json=original, timeout=5)
    assert none_client.token("refresh_token", refresh).status_code == 200
