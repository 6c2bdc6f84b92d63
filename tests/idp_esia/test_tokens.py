"""ESIA token shapes and both signature algorithms (unit level)."""

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey

from gosuslugi_sandbox.idp.esia import jwt as esia_jwt
from gosuslugi_sandbox.shared import gost_x509

from . import esia_client as ec


@pytest.fixture(scope="module")
def rsa_key():
    return RSAKey.generate_key(2048)


@pytest.fixture(scope="module")
def signer():
    return esia_jwt.GostSigner(
        gost_x509.load_private_key(ec.read("idp-gost.key.pem")),
        gost_x509.load_certificate(ec.read("idp-gost.crt.pem")),
    )


def test_access_claims_shape():
    claims = esia_jwt.access_claims(
        issuer="http://esia.gosuslugi.ru/",
        client_id="c",
        scopes=["openid", "fullname", "mobile"],
        oid=1019797391,
        sid="s",
        now=100,
        lifetime=3600,
    )
    assert claims == {
        "nbf": 100,
        "exp": 3700,
        "iat": 100,
        "iss": "http://esia.gosuslugi.ru/",
        "client_id": "c",
        "scope": "openid fullname?oid=1019797391 mobile?oid=1019797391",
        "urn:esia:sid": "s",
        "urn:esia:sbj_id": 1019797391,
    }


def test_id_claims_is_tru_only_when_trusted():
    common = dict(issuer="i", client_id="c", oid=7, sid="s", now=10, auth_time=5, lifetime=10800)
    trusted = esia_jwt.id_claims(trusted=True, **common)
    assert trusted["urn:esia:sbj"] == {
        "urn:esia:sbj:typ": "P",
        "urn:esia:sbj:is_tru": True,
        "urn:esia:sbj:oid": 7,
        "urn:esia:sbj:nam": "OID.7",
    }
    assert trusted["sub"] == 7 and trusted["exp"] == 10810 and trusted["amr"] == "PWD"
    assert trusted["urn:esia:amd"] == "PWD" and trusted["aud"] == "c"
    assert "urn:esia:sbj:is_tru" not in esia_jwt.id_claims(trusted=False, **common)["urn:esia:sbj"]


def test_rs256_token(rsa_key, signer):
    token = esia_jwt.encode(esia_jwt.ACCESS_HEADER, {"a": 1}, esia_jwt.RS256, rsa_key, signer)
    obj = jws.deserialize_compact(token, rsa_key, registry=esia_jwt.JWS_REGISTRY)
    assert obj.protected == {"ver": 1, "typ": "JWT", "sbt": "access", "alg": "RS256"}
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(token, RSAKey.generate_key(2048), registry=esia_jwt.JWS_REGISTRY)


def test_gost_token_round_trip_and_tamper(rsa_key, signer):
    token = esia_jwt.encode(esia_jwt.ID_HEADER, {"sub": 1}, esia_jwt.GOST, rsa_key, signer)
    header, claims = esia_jwt.decode_gost(token, signer.certificate.public_key)
    assert header == {"ver": 0, "typ": "JWT", "sbt": "id", "alg": "GOST3410_2012_256"}
    assert claims == {"sub": 1}
    head, body, sig = token.split(".")
    forged = head + "." + esia_jwt.b64url(b'{"sub":2}') + "." + sig
    with pytest.raises(ValueError):
        esia_jwt.decode_gost(forged, signer.certificate.public_key)
    # the signature is `s || r` (OpenSSL's layout) over Streebog-256 of the ASCII signing input
    raw = esia_jwt.b64url_decode(sig)
    assert signer.certificate.public_key.verify(f"{head}.{body}".encode(), raw)


def test_unknown_algorithm_refused(rsa_key, signer):
    with pytest.raises(ValueError):
        esia_jwt.encode(esia_jwt.ID_HEADER, {}, "HS256", rsa_key, signer)
