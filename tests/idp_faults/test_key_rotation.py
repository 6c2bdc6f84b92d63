"""POST /_control/keys/rotate: the next ID token has the new kid, the JWKS keeps the old key for
IDP_KEY_ROTATION_GRACE (300 s) only, ESIA's RS256 certificate follows, a reset keeps the key."""

from __future__ import annotations

import requests
from cryptography import x509
from joserfc.jwk import RSAKey

from .conftest import esia_client, esia_tokens, jwks, parts, verify
from .test_esia_faults import verify_rs256


def rotate(base: str, kty: str) -> requests.Response:
    return requests.post(f"{base}/_control/keys/rotate", json={"kty": kty}, timeout=10)


def current(base: str, kty: str) -> str:
    """The kid of kty's current key (the JWKS lists the current keys first)."""
    return next(k["kid"] for k in jwks(base)["keys"] if k["kty"] == kty)


def test_rotating_the_rsa_key_changes_the_rs256_kid(idp, rp):
    old, ec = current(idp.url, "RSA"), current(idp.url, "EC")
    assert parts(rp.tokens()["id_token"])[0]["kid"] == old
    answer = rotate(idp.url, "RSA")
    assert answer.status_code == 200
    new = answer.json()["kid"]
    assert answer.json() == {"kty": "RSA", "kid": new} and new != old
    token = rp.tokens()["id_token"]
    assert parts(token)[0]["kid"] == new
    assert verify(idp.url, token)["sub"] == "1000000001"
    rsa = [k["kid"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA"]
    assert rsa[:2] == [new, old]  # the old key stays for the grace
    assert current(idp.url, "EC") == ec  # one type rotates alone
    requests.post(f"{idp.url}/_control/clock", json={"offset_seconds": 299}, timeout=5)
    assert old in [k["kid"] for k in jwks(idp.url)["keys"]]
    requests.post(f"{idp.url}/_control/clock", json={"offset_seconds": 301}, timeout=5)
    assert [k["kid"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA"] == [new]
    # a real rotation: a reset keeps the new key
    assert requests.post(f"{idp.url}/_control/reset", json={}, timeout=10).status_code == 200
    assert parts(rp.tokens()["id_token"])[0]["kid"] == new


def test_rotating_the_ec_key_changes_the_es256_kid(idp, es256_rp):
    old = current(idp.url, "EC")
    new = rotate(idp.url, "EC").json()["kid"]
    token = es256_rp.tokens()["id_token"]
    assert parts(token)[0]["kid"] == new != old
    assert verify(idp.url, token, algorithms=("ES256",))["sub"] == "1000000001"


def test_esia_signs_and_publishes_the_new_rsa_key(idp):
    url = f"{idp.url}/esia/certs/RS256.pem"
    before = requests.get(url, timeout=5).content
    rotate(idp.url, "RSA")
    after = requests.get(url, timeout=5)
    assert after.status_code == 200 and after.content != before
    published = x509.load_pem_x509_certificate(after.content).public_key().public_numbers().n
    newest = next(k for k in jwks(idp.url)["keys"] if k["kty"] == "RSA")
    assert RSAKey.import_key(newest).public_key.public_numbers().n == published
    body = esia_tokens(idp, esia_client(idp))
    assert verify_rs256(idp.url, body["id_token"])[0]["alg"] == "RS256"


def test_a_bad_key_type_is_a_400_naming_the_field(idp):
    for body in ({"kty": "DSA"}, {}, {"kty": "RSA", "size": 4096}):
        answer = requests.post(f"{idp.url}/_control/keys/rotate", json=body, timeout=5)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == "invalid_field"
