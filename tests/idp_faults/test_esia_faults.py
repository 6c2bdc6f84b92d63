"""ID token and person REST faults in the ESIA dialect (/aas/oauth2/v3/te, /te, /rs/prns)."""

from __future__ import annotations

import json
import time

import pytest
import requests
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from gosuslugi_sandbox.idp.esia import jwt as esia_jwt
from gosuslugi_sandbox.shared import gost_x509
from tests.idp_esia.conftest import ROSHCHINA

from .conftest import arm, esia_client, esia_tokens, parts

ISSUER = "http://esia.gosuslugi.ru/"
OID = 1000000001


def verify_rs256(base: str, token: str) -> tuple[dict, dict]:
    """(header, claims) verified with the served JWKS's RSA key."""
    keys = KeySet.import_key_set(requests.get(f"{base}/jwks.json", timeout=5).json())
    rsa = next(k for k in keys.keys if k.key_type == "RSA")
    obj = jws.deserialize_compact(token, rsa, registry=esia_jwt.JWS_REGISTRY)
    return obj.protected, json.loads(obj.payload)


def verify_gost(base: str, token: str) -> tuple[dict, dict]:
    """(header, claims) verified with the published GOST certificate."""
    pem = requests.get(f"{base}/esia/certs/GOST3410_2012_256.pem", timeout=5).content
    return esia_jwt.decode_gost(token, gost_x509.load_certificate(pem).public_key)


EXPECTED = {
    "invalid-iss": lambda c: c["iss"] == ISSUER.rstrip("/") + "/invalid-issuer",
    "invalid-aud": lambda c: c["aud"] == "esia-none-invalid",
    "missing-aud": lambda c: "aud" not in c and c["sub"] == OID,
    "missing-sub": lambda c: "sub" not in c and "urn:esia:sbj:oid" not in c["urn:esia:sbj"],
    "missing-iat": lambda c: "iat" not in c and c["exp"] > time.time(),
    "expired-exp": lambda c: c["exp"] < time.time() - 3000,
    "iat-week-in-past": lambda c: (
        c["iat"] < time.time() - 7 * 86400 + 60 and c["exp"] > time.time()
    ),
    "invalid-secondary-aud": lambda c: c["aud"] == ["esia-none", "https://untrusted.example/rp"],
}


def test_claims_override_in_the_esia_dialect(idp):
    override = {"set": {"urn:esia:sbj": {"urn:esia:sbj:typ": "P"}}, "remove": ["amr"]}
    arm(idp.url, "claims-override", client_id="esia-none", params=override)
    _header, claims = verify_rs256(idp.url, esia_tokens(idp, esia_client(idp))["id_token"])
    assert claims["urn:esia:sbj"] == {"urn:esia:sbj:typ": "P"} and "amr" not in claims
    assert claims["sub"] == OID


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_esia_id_token_claim_faults(idp, fault):
    arm(idp.url, fault, client_id="esia-none")
    body = esia_tokens(idp, esia_client(idp))
    header, claims = verify_rs256(idp.url, body["id_token"])
    assert header == {"ver": 0, "typ": "JWT", "sbt": "id", "alg": "RS256"}
    assert EXPECTED[fault](claims), claims
    # the access token is never altered
    _head, access = verify_rs256(idp.url, body["access_token"])
    assert access["iss"] == ISSUER and access["urn:esia:sbj_id"] == OID


def test_esia_invalid_sig_and_sig_none(idp):
    client = esia_client(idp)
    arm(idp.url, "invalid-sig")
    token = esia_tokens(idp, client, v3=False)["id_token"]
    assert parts(token)[1]["sub"] == OID
    with pytest.raises(BadSignatureError):
        verify_rs256(idp.url, token)
    arm(idp.url, "idtoken-sig-none")
    token = esia_tokens(idp, client)["id_token"]
    header, claims, signature = parts(token)
    assert header == {"ver": 0, "typ": "JWT", "sbt": "id", "alg": "none"} and signature == ""
    assert claims["urn:esia:sbj"]["urn:esia:sbj:oid"] == OID


def test_esia_alternate_alg_swaps_rs256_and_gost(idp):
    arm(idp.url, "invalid-alternate-alg", client_id="esia-none")
    token = esia_tokens(idp, esia_client(idp))["id_token"]
    header, claims = verify_gost(idp.url, token)
    assert header["alg"] == "GOST3410_2012_256" and claims["sub"] == OID
    arm(idp.url, "invalid-alternate-alg", client_id="esia-gost")
    token = esia_tokens(idp, esia_client(idp, "esia-gost", "gost"))["id_token"]
    header, claims = verify_rs256(idp.url, token)
    assert header["alg"] == "RS256" and claims["aud"] == "esia-gost"


def test_esia_refresh_faults(idp):
    client = esia_client(idp)
    first = esia_tokens(idp, client)
    arm(idp.url, "refresh-token-invalid-sub")
    second = client.token("refresh_token", first["refresh_token"]).json()
    _h, claims = verify_rs256(idp.url, second["id_token"])
    assert claims["sub"] == int(f"9{OID}")
    assert claims["urn:esia:sbj"]["urn:esia:sbj:oid"] == int(f"9{OID}")
    arm(idp.url, "refresh-token-invalid-issuer")
    third = client.token("refresh_token", second["refresh_token"]).json()
    assert (
        verify_rs256(idp.url, third["id_token"])[1]["iss"]
        == "http://esia.gosuslugi.ru/invalid-issuer"
    )


def test_oidc_only_faults_stay_armed_through_an_esia_login(idp):
    for fault in ("kid-absent-single-jwks", "nonce-invalid", "signing-key-rotation"):
        arm(idp.url, fault)
    body = esia_tokens(idp, esia_client(idp))
    assert verify_rs256(idp.url, body["id_token"])[1]["iss"] == ISSUER
    left = requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"]
    assert sorted(f["fault"] for f in left if f["remaining"] == 1) == [
        "kid-absent-single-jwks", "nonce-invalid", "signing-key-rotation",
    ]  # fmt: skip


def test_person_rest_with_userinfo_invalid_sub(idp):
    client = esia_client(idp)
    access = esia_tokens(idp, client)["access_token"]
    url = f"{idp.url}/rs/prns/{OID}"
    headers = {"Authorization": f"Bearer {access}"}
    honest = requests.get(url, headers=headers, timeout=5).json()
    assert "oid" not in honest
    arm(idp.url, "userinfo-invalid-sub", client_id="esia-none")
    faulty = requests.get(url, headers=headers, timeout=5).json()
    assert faulty["oid"] == int(f"9{OID}")
    assert {k: v for k, v in faulty.items() if k != "oid"} == honest
    assert requests.get(url, headers=headers, timeout=5).json() == honest


def test_esia_code_reuse_allowed(idp):
    client = esia_client(idp)
    code = client.code_for(ROSHCHINA)  # a fresh browser: no SSO session yet
    assert client.token("authorization_code", code).status_code == 200
    arm(idp.url, "code-reuse-allowed", client_id="esia-none")
    again = client.token("authorization_code", code)
    assert again.status_code == 200 and verify_rs256(idp.url, again.json()["id_token"])
    third = client.token("authorization_code", code)
    assert third.status_code == 400
    assert third.json()["error_description"].startswith("ESIA-007011")


def test_esia_access_token_claims_override(idp):
    client = esia_client(idp)
    params = {"set": {"urn:esia:sbj_id": 1000000002, "client_id": "esia-other"}, "remove": ["exp"]}
    arm(idp.url, "access-token-claims-override", client_id="esia-none", params=params)
    body = esia_tokens(idp, client)
    header, access = verify_rs256(idp.url, body["access_token"])  # still signed by the IdP
    assert header["sbt"] == "access"
    assert access["urn:esia:sbj_id"] == 1000000002 and access["client_id"] == "esia-other"
    assert "exp" not in access and access["iss"] == ISSUER
    assert verify_rs256(idp.url, body["id_token"])[1]["urn:esia:sbj"]["urn:esia:sbj:oid"] == OID
    _head, honest = verify_rs256(idp.url, esia_tokens(idp, client)["access_token"])
    assert honest["urn:esia:sbj_id"] == OID and honest["exp"] > honest["iat"]
