"""Real ESIA's strictness (docs/esia-gost.md), each rule switchable per client for legacy tests."""

from __future__ import annotations

import pytest
import requests

from gosuslugi_sandbox.idp import clients as client_store
from gosuslugi_sandbox.shared import gost_x509
from tests import openssl_gost as ossl

from . import esia_client as ec
from .conftest import CALLBACK, SCOPE, assert_esia_error
from .test_live_errors import start_error, token_error


@pytest.fixture
def register(idp):
    """POST /_control/clients; every client made is deleted afterwards."""
    made = []

    def post(client_id: str, **esia) -> requests.Response:
        meta = {
            "client_id": client_id,
            "redirect_uris": [CALLBACK],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid fullname birthdate gender snils inn id_doc email mobile contacts "
            "addresses",
            **esia,
        }
        response = requests.post(f"{idp.url}/_control/clients", json=meta, timeout=5)
        if response.status_code == 201:
            made.append(client_id)
        return response

    yield post
    for client_id in made:
        requests.delete(f"{idp.url}/_control/clients/{client_id}", timeout=5)


def test_rsa_key_is_unauthorized_client_unless_allowed(register, client_factory):
    rsa = {"esia_signature_mode": "cms", "esia_certificate": ec.read("cms-client.crt.pem").decode()}
    assert register("rsa-strict", **rsa).status_code == 201
    strict = client_factory("rsa-strict", "cms")
    result = start_error(strict, strict.auth_params(), v2=False)
    assert_esia_error(result, "ESIA-007005", "unauthorized_client")
    assert "RSA" in result["error_description"]
    body = token_error(strict.token("authorization_code", "x", v3=False), "ESIA-007005")
    assert body["error"] == "unauthorized_client"
    assert register("rsa-legacy", esia_allow_rsa=True, **rsa).status_code == 201
    legacy = client_factory("rsa-legacy", "cms")
    assert legacy.start(legacy.auth_params(), v2=False).has("login-form")


def test_v1_text_is_refused_at_v2_unless_the_client_is_legacy(
    gost_client, register, client_factory
):
    ts, state = ec.timestamp(), ec.new_state()
    v1 = gost_client.auth_params(ts=ts, state=state)
    v1["client_secret"] = ec.gost_sign(ec.legacy_string(v1["scope"], ts, "esia-gost", state))
    assert_esia_error(start_error(gost_client, v1), "ESIA-007053", "access_denied")
    assert gost_client.start(v1, v2=False).has("login-form")  # its own endpoint: /ac
    # the v3/te side: the v1 string instead of client_id+...+code
    code = gost_client.code_for()
    state = ec.new_state()
    legacy = ec.gost_sign(ec.legacy_string(SCOPE, ts, "esia-gost", state))
    refused = gost_client.token(
        "authorization_code", code, state=state, ts=ts, scope=SCOPE,
        client_secret=legacy,
    )  # fmt: skip
    assert token_error(refused, "ESIA-007053")["error"] == "access_denied"

    cert = ec.read("gost-client.crt.pem").decode()
    assert register("gost-v1", esia_signature_mode="gost", esia_certificate=cert,
                    esia_allow_v1_text=True).status_code == 201  # fmt: skip
    marked = client_factory("gost-v1", "gost")
    v1 = marked.auth_params(ts=ts, state=state)
    v1["client_secret"] = ec.gost_sign(ec.legacy_string(v1["scope"], ts, "gost-v1", state))
    assert marked.start(v1).has("login-form")


def test_wrong_certificate_hash_is_access_denied_007053_as_real_esia_sends_it(gost_client):
    params = gost_client.auth_params(client_certificate_hash="D9570D99024C4F8B95A70A22E4EA50C8")
    result = start_error(gost_client, params)
    assert result["error"] == "access_denied"
    assert result["error_description"].startswith("ESIA-007053: OAuthErrorEnum.clientSecretWrong")


@pytest.mark.parametrize(
    ("keygen", "named"),
    [
        (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "EC (ECDSA)"),
        (["-engine", "gost", "-newkey", "gost2001", "-pkeyopt", "paramset:A"], "GOST R 34.10-2001"),
    ],
    ids=["ecdsa", "gost2001"],
)
def test_registration_refuses_a_certificate_we_cannot_verify(register, tmp_path, keygen, named):
    if "gost" in keygen and not ossl.available():
        # outside the project: Debian's GOST engine for OpenSSL (only a bare pytest lacks it)
        pytest.skip("OpenSSL's GOST engine is not installed (make test installs it)")
    cert = tmp_path / "c.pem"
    ossl.run("req", "-x509", *keygen, "-nodes", "-keyout", str(tmp_path / "k.pem"), "-subj",
             "/CN=x", "-out", str(cert))  # fmt: skip
    for mode in ("cms", "gost"):
        response = register("bad-alg", esia_signature_mode=mode, esia_certificate=cert.read_text())
        assert response.status_code == 400, response.text
        text = response.text
        assert "esia_certificate" in text and named in text and "cannot be verified" in text


def test_registration_refuses_raw_gost_with_an_rsa_certificate_and_bad_modes(register):
    rsa = ec.read("cms-client.crt.pem").decode()
    response = register("raw-rsa", esia_signature_mode="gost", esia_certificate=rsa)
    assert response.status_code == 400 and "RSA" in response.text
    assert register("no-cert", esia_signature_mode="cms").status_code == 400
    assert register("bad-mode", esia_signature_mode="pkcs11").status_code == 400
    with pytest.raises(client_store.ValidationError, match="esia_token_alg"):
        client_store.validate(
            {"client_id": "x", "redirect_uris": [CALLBACK], "esia_token_alg": "HS256"}
        )


def test_a_certificate_gone_after_registration_is_an_esia_error_not_a_500(
    register, client_factory, tmp_path
):
    cert = tmp_path / "client.crt.pem"
    cert.write_bytes(ec.read("gost-client.crt.pem"))
    created = register("gone", esia_signature_mode="gost", esia_certificate_file=str(cert))
    assert created.status_code == 201, created.text
    client = client_factory("gone", "gost")
    assert client.start(client.auth_params()).has("login-form")
    cert.unlink()
    page = client.start(client.auth_params())
    assert page.status == 400 and "ESIA-007005" in page.text()
    token_error(client.token("authorization_code", "x"), "ESIA-007005")


@ossl.requires_engine
def test_openssl_verifies_every_gost_certificate_and_key_the_sandbox_ships(idp, tmp_path):
    published = tmp_path / "published.pem"
    published.write_bytes(
        requests.get(f"{idp.url}/esia/certs/GOST3410_2012_256.pem", timeout=5).content
    )
    assert ossl.verify_certificate(published)
    assert published.read_bytes() == ec.read("idp-gost.crt.pem")
    for name in ("gost-client", "idp-gost"):
        cert, key = ec.fixture_path(f"{name}.crt.pem"), ec.fixture_path(f"{name}.key.pem")
        assert ossl.verify_certificate(cert), name
        from_key = ossl.run("pkey", "-engine", "gost", "-in", str(key), "-pubout")
        from_cert = ossl.run("x509", "-engine", "gost", "-in", str(cert), "-pubkey", "-noout")
        assert from_key == from_cert, name
        ours = gost_x509.load_certificate(cert.read_bytes())
        assert ours.signed_by(ours.public_key)
