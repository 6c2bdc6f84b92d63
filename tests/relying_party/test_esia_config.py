"""PROTOCOL=esia at start-up: settings, key loading, refusals; the client_secret and timestamp."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from gosuslugi_sandbox.relying_party import create_app
from gosuslugi_sandbox.relying_party.gosuslugi.esia import EsiaProtocol
from gosuslugi_sandbox.relying_party.gosuslugi.esia_signers import ClientSigner, GostClientSigner
from gosuslugi_sandbox.relying_party.gosuslugi.esia_tokens import timestamp
from gosuslugi_sandbox.shared.config import FIXTURES_DIR

CERT = FIXTURES_DIR / "esia" / "cms-client.crt.pem"
KEY = FIXTURES_DIR / "esia" / "cms-client.key.pem"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def verify_cms(secret: str, message: str, certificate: x509.Certificate) -> bool:
    """Whether secret (base64url DER) is a detached CMS signature of message by certificate."""
    info = cms.ContentInfo.load(base64.urlsafe_b64decode(secret))
    signer = info["content"]["signer_infos"][0]
    attrs = signer["signed_attrs"]
    digest = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
    if digest != hashlib.sha256(message.encode()).digest():
        return False
    der = attrs.untag().dump(force=True)  # signed over as a SET OF, not [0] IMPLICIT
    certificate.public_key().verify(
        signer["signature"].native, der, padding.PKCS1v15(), hashes.SHA256()
    )
    return True


def build(tmp_path, **config):
    return create_app({"INSTANCE_PATH": str(tmp_path), "PROTOCOL": "esia", **config})


def test_defaults(tmp_path):
    app = build(tmp_path)
    protocol = app.extensions["gosuslugi_protocol"]
    assert isinstance(protocol, EsiaProtocol) and protocol.name == "esia"
    assert app.config["ESIA_CLIENT_ID"] == "esia-cms"
    assert app.config["ESIA_ISSUER"] == "http://esia.gosuslugi.ru/"
    assert app.config["ESIA_SCOPE"] == "openid fullname birthdate gender snils"
    assert app.config["ESIA_CERT_FILE"] == str(CERT)
    assert app.config["ESIA_KEY_FILE"] == str(KEY)


def test_environment_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("RP_PROTOCOL", "esia")
    monkeypatch.setenv("RP_ESIA_CLIENT_ID", "other-system")
    monkeypatch.setenv("RP_ESIA_ISSUER", "http://esia-portal1.test.gosuslugi.ru/")
    monkeypatch.setenv("RP_ESIA_SCOPE", "openid fullname")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert isinstance(app.extensions["gosuslugi_protocol"], EsiaProtocol)
    assert app.config["ESIA_CLIENT_ID"] == "other-system"
    assert app.config["ESIA_ISSUER"] == "http://esia-portal1.test.gosuslugi.ru/"
    assert app.config["ESIA_SCOPE"] == "openid fullname"


def test_missing_key_file_fails_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="RP_ESIA_KEY_FILE"):
        build(tmp_path, ESIA_KEY_FILE=str(tmp_path / "nowhere.pem"))
    with pytest.raises(ValueError, match="RP_ESIA_CERT_FILE"):
        build(tmp_path, ESIA_CERT_FILE=str(tmp_path / "nowhere.pem"))


def test_a_key_of_another_certificate_fails_at_start_up(tmp_path):
    other = tmp_path / "other.key.pem"
    other.write_bytes(
        new_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="does not belong"):
        build(tmp_path, ESIA_KEY_FILE=str(other))


GOST_CERT = FIXTURES_DIR / "esia" / "gost-client.crt.pem"
GOST_KEY = FIXTURES_DIR / "esia" / "gost-client.key.pem"


def test_a_gost_key_speaks_the_current_endpoints(tmp_path):
    app = build(tmp_path, ESIA_CERT_FILE=str(GOST_CERT), ESIA_KEY_FILE=str(GOST_KEY))
    protocol = app.extensions["gosuslugi_protocol"]
    assert isinstance(protocol.signer, GostClientSigner) and protocol.gost
    assert (protocol.authorize_path, protocol.token_path) == (
        "/aas/oauth2/v2/ac",
        "/aas/oauth2/v3/te",
    )


def test_a_gost_key_with_an_rsa_certificate_fails_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="RP_ESIA_CERT_FILE"):
        build(tmp_path, ESIA_CERT_FILE=str(CERT), ESIA_KEY_FILE=str(GOST_KEY))
    with pytest.raises(ValueError, match="does not belong"):
        build(
            tmp_path,
            ESIA_CERT_FILE=str(FIXTURES_DIR / "esia" / "idp-gost.crt.pem"),
            ESIA_KEY_FILE=str(GOST_KEY),
        )


def test_gost_client_secret_is_raw_base64url_openssl_order():
    from gosuslugi_sandbox.shared import gost_x509

    signer = ClientSigner.from_files(str(GOST_CERT), str(GOST_KEY))
    message = (
        "esia-gostopenid fullname2025.01.02 03:04:05 +0000b2d5a6b4-1f0e-4c43-9c1b-7d3c5e6f7a8b"
    )
    secret = signer.sign(message)
    assert "=" not in secret and "+" not in secret and "/" not in secret
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    certificate = gost_x509.load_certificate(GOST_CERT.read_bytes())
    assert len(raw) == 64 and certificate.public_key.verify(message.encode(), raw)
    assert signer.certificate_hash == certificate.hash


@pytest.mark.parametrize("algs", [["none"], ["RS256", "HS256"], ["ES256"], []])
def test_token_algorithms_that_cannot_be_verified_fail_at_start_up(tmp_path, algs):
    with pytest.raises(ValueError, match="RP_ESIA_TOKEN_ALGS"):
        build(tmp_path, ESIA_TOKEN_ALGS=algs)


def test_client_secret_is_a_detached_cms_signature_base64url_with_padding():
    signer = ClientSigner.from_files(str(CERT), str(KEY))
    message = "openid fullname2025.01.02 03:04:05 +0000esia-cmsb2d5a6b4-1f0e-4c43-9c1b-7d3c5e6f7a8b"
    secret = signer.sign(message)
    assert "+" not in secret and "/" not in secret
    assert len(secret) % 4 == 0
    assert base64.urlsafe_b64decode(secret)[:1] == b"\x30"  # DER SEQUENCE
    certificate = x509.load_pem_x509_certificate(CERT.read_bytes())
    assert verify_cms(secret, message, certificate)
    assert not verify_cms(secret, message + "x", certificate)


def test_timestamp_format():
    moment = datetime(2025, 9, 2, 13, 0, 29, tzinfo=UTC).timestamp()
    assert timestamp(moment) == "2025.09.02 13:00:29 +0000"
