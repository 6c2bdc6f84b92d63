"""Client-side ESIA helpers for the tests: sign requests exactly as docs/esia-protocol.md
describes."""

from __future__ import annotations

import base64
import functools
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from gosuslugi_sandbox.shared import gost, gost_x509
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.esia_time import format_timestamp

ESIA_FIXTURES = FIXTURES_DIR / "esia"
MSK = timezone(timedelta(hours=3))


def read(name: str) -> bytes:
    """A file from fixtures/esia."""
    return (ESIA_FIXTURES / name).read_bytes()


@functools.cache  # loading an RSA key checks it (milliseconds), and most tests sign
def cms_key():
    """The cms fixture client's RSA key and certificate."""
    key = serialization.load_pem_private_key(read("cms-client.key.pem"), password=None)
    cert = x509.load_pem_x509_certificate(read("cms-client.crt.pem"))
    return key, cert


@functools.cache
def gost_key() -> tuple[gost.PrivateKey, gost_x509.Certificate]:
    """The gost fixture client's private key and certificate."""
    key = gost_x509.load_private_key(read("gost-client.key.pem"))
    return key, gost_x509.load_certificate(read("gost-client.crt.pem"))


def timestamp(moment: float | None = None) -> str:
    """An ESIA timestamp in Moscow time (`2025.09.02 13:00:29 +0300`)."""
    when = datetime.fromtimestamp(moment, UTC) if moment is not None else datetime.now(UTC)
    return format_timestamp(when.astimezone(MSK))


def new_state() -> str:
    """A fresh UUID v4 state."""
    return str(uuid.uuid4())


def encode(der: bytes, style: str) -> str:
    """base64url with padding (`urlpad`), without (`url`), or standard base64 (`std`)."""
    if style == "std":
        return base64.b64encode(der).decode()
    text = base64.urlsafe_b64encode(der).decode()
    return text if style == "urlpad" else text.rstrip("=")


def cms_sign(message: str, key=None, cert=None, style: str = "urlpad") -> str:
    """A detached CMS signature (DER, SHA-256) of message, encoded in style."""
    if key is None:
        key, cert = cms_key()
    der = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(message.encode("utf-8"))
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    )
    return encode(der, style)


def gost_sign(message: str, private_key: gost.PrivateKey | None = None, style: str = "url") -> str:
    """A raw GOST R 34.10-2012/256 signature (`s || r`, as OpenSSL) of message, in style."""
    if private_key is None:
        private_key = gost_key()[0]
    return encode(private_key.sign(message.encode("utf-8")), style)


def legacy_string(scope: str, ts: str, client_id: str, state: str) -> str:
    """What /ac and /te sign: scope + timestamp + client_id + state."""
    return scope + ts + client_id + state


def v2_string(
    client_id: str, scope: str, scope_org: str, ts: str, state: str, redirect_uri: str, code=""
) -> str:
    """What /v2/ac signs (and /v3/te, with the code appended)."""
    return client_id + scope + scope_org + ts + state + redirect_uri + code


def other_rsa_signer():
    """A throw-away RSA key and self-signed certificate (a foreign signer)."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intruder")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def fixture_path(name: str) -> Path:
    """Absolute path of a fixtures/esia file (for openssl commands)."""
    return ESIA_FIXTURES / name
