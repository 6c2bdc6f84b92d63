"""CMS (RSA and GOST) and raw GOST client_secret verification, certificate hash, timestamps."""

import re
import subprocess
from datetime import UTC, datetime

import pytest

from gosuslugi_sandbox.idp.esia import certificates, signatures
from gosuslugi_sandbox.idp.esia.errors import TimestampOutOfRange, WrongClientSecret
from gosuslugi_sandbox.shared import gost, gost_x509
from tests import openssl_gost as ossl

from . import esia_client as ec

MESSAGE = "openid fullname2025.09.02 13:00:29 +0300esia-cms0b1e6c2f-4f2b-4f6a-9d3c-3c1c6a0f8e11"


@pytest.fixture(scope="module")
def rsa_cert():
    return certificates.load(ec.read("cms-client.crt.pem"))


@pytest.fixture(scope="module")
def gost_cert():
    return certificates.load(ec.read("gost-client.crt.pem"))


@pytest.mark.parametrize("style", ["urlpad", "url", "std"])
def test_cms_accepted_in_every_encoding(rsa_cert, style):
    secret = ec.cms_sign(MESSAGE, style=style)
    assert signatures.verify_cms(secret, rsa_cert, [b"other", MESSAGE.encode()]) == MESSAGE.encode()


def test_cms_by_openssl_smime_is_accepted(rsa_cert, tmp_path):
    data = tmp_path / "msg"
    data.write_text(MESSAGE)
    der = subprocess.run(
        [
            "openssl",
            "smime",
            "-sign",
            "-md",
            "sha256",
            "-binary",
            "-outform",
            "DER",
            "-in",
            str(data),
            "-signer",
            str(ec.fixture_path("cms-client.crt.pem")),
            "-inkey",
            str(ec.fixture_path("cms-client.key.pem")),
        ],
        check=True,
        capture_output=True,
    ).stdout
    assert signatures.verify_cms(ec.encode(der, "urlpad"), rsa_cert, [MESSAGE.encode()])


def test_cms_of_another_message_or_key_is_refused(rsa_cert):
    with pytest.raises(WrongClientSecret):
        signatures.verify_cms(ec.cms_sign(MESSAGE + "x"), rsa_cert, [MESSAGE.encode()])
    key, cert = ec.other_rsa_signer()
    with pytest.raises(WrongClientSecret):
        signatures.verify_cms(ec.cms_sign(MESSAGE, key, cert), rsa_cert, [MESSAGE.encode()])


@pytest.mark.parametrize(
    "secret", ["", "not base64!", "AAAA", ec.encode(b"\x30\x03\x02\x01\x01", "url")]
)
def test_cms_garbage_is_refused(rsa_cert, secret):
    with pytest.raises(WrongClientSecret):
        signatures.verify_cms(secret, rsa_cert, [MESSAGE.encode()])


@pytest.mark.parametrize("style", ["urlpad", "url", "std"])
def test_gost_accepted_in_every_encoding(gost_cert, style):
    secret = ec.gost_sign(MESSAGE, style=style)
    assert signatures.verify_gost(secret, gost_cert, [MESSAGE.encode()]) == MESSAGE.encode()


def test_gost_cryptopro_byte_order_accepted(gost_cert):
    raw = ec.gost_key()[0].sign(MESSAGE.encode())
    reversed_secret = ec.encode(gost.cryptopro_order(raw), "std")
    assert signatures.verify_gost(reversed_secret, gost_cert, [MESSAGE.encode()])


def test_gost_by_another_key_or_bad_length_is_refused(gost_cert):
    with pytest.raises(WrongClientSecret):
        signatures.verify_gost(
            ec.gost_sign(MESSAGE, gost.PrivateKey.generate()), gost_cert, [MESSAGE.encode()]
        )
    with pytest.raises(WrongClientSecret):
        signatures.verify_gost(ec.encode(b"\x01" * 63, "url"), gost_cert, [MESSAGE.encode()])
    with pytest.raises(WrongClientSecret):
        signatures.verify_gost("%%%", gost_cert, [MESSAGE.encode()])


def test_certificate_hash_is_streebog_of_der_upper_hex(gost_cert):
    expected = gost.streebog256(gost_cert.der).hex().upper()
    assert gost_cert.hash == expected and len(expected) == 64
    assert signatures.certificate_hash_matches(gost_cert, expected.lower())
    pem_hash = gost_x509.certificate_hash(gost_x509.load_certificate(gost_cert.der).pem())
    assert not signatures.certificate_hash_matches(gost_cert, pem_hash)


@ossl.requires_engine
@pytest.mark.parametrize("attributes", [False, True], ids=["noattr", "signed-attributes"])
def test_gost_cms_by_openssl_smime_is_accepted(tmp_path, attributes):
    """fr05t1k/esia's CliSignerPKCS7 and ekapusta's OpensslCli run exactly this command."""
    key, cert = ossl.genkey(tmp_path, "client")
    registered = certificates.load(cert.read_bytes())
    der = ossl.smime_sign(key, cert, MESSAGE.encode(), attributes=attributes)
    secret = ec.encode(der, "url")
    assert signatures.verify_cms(secret, registered, [b"x", MESSAGE.encode()]) == MESSAGE.encode()
    with pytest.raises(WrongClientSecret):
        signatures.verify_cms(secret, registered, [MESSAGE.encode() + b"x"])
    other_key, other_cert = ossl.genkey(tmp_path, "other")
    foreign = ec.encode(ossl.smime_sign(other_key, other_cert, MESSAGE.encode()), "url")
    with pytest.raises(WrongClientSecret):
        signatures.verify_cms(foreign, registered, [MESSAGE.encode()])


@ossl.requires_engine
def test_gost_512_cms_and_raw_are_verified(tmp_path):
    """ekapusta/oauth2-esia's own test keys are GOST2012_512 (paramset A)."""
    key, cert = ossl.genkey(tmp_path, "client512", "gost2012_512", "A")
    registered = certificates.load(cert.read_bytes())
    assert registered.algorithm == "GOST R 34.10-2012/512"
    der = ossl.smime_sign(key, cert, MESSAGE.encode())
    assert signatures.verify_cms(ec.encode(der, "url"), registered, [MESSAGE.encode()])
    raw = ossl.dgst_sign(key, MESSAGE.encode(), "md_gost12_512")
    assert signatures.verify_gost(ec.encode(raw, "std"), registered, [MESSAGE.encode()])


@pytest.mark.parametrize(
    ("openssl_args", "named"),
    [
        (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "EC (ECDSA)"),
        (["-newkey", "ed25519"], "Ed25519"),
    ],
)
def test_certificates_we_cannot_verify_are_refused_clearly(tmp_path, openssl_args, named):
    cert = tmp_path / "c.pem"
    ossl.run("req", "-x509", *openssl_args, "-nodes", "-keyout", str(tmp_path / "k.pem"),
             "-subj", "/CN=x", "-out", str(cert))  # fmt: skip
    with pytest.raises(certificates.UnsupportedCertificate, match=re.escape(named)):
        certificates.load(cert.read_bytes())
    with pytest.raises(certificates.UnsupportedCertificate, match=r"not an X\.509"):
        certificates.load(b"garbage")


def test_streebog_known_answer():
    # GOST R 34.11-2012 example M1 (RFC 6986 section 10.1), 256-bit digest, in memory byte
    # order (the RFC prints both as big-endian numbers; this is what openssl prints too).
    m1 = b"012345678901234567890123456789012345678901234567890123456789012"
    assert gost.streebog256(m1).hex() == (
        "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
    )


def test_timestamp_parsing_and_skew():
    moment = datetime(2025, 9, 2, 10, 0, 29, tzinfo=UTC).timestamp()
    assert signatures.check_timestamp("2025.09.02 13:00:29 +0300", moment, 300)
    # a "+" decoded as a space by a sloppy client is read as "+"
    assert signatures.check_timestamp("2025.09.02 13:00:29  0300", moment + 299, 300) == (
        "2025.09.02 13:00:29 +0300"
    )
    with pytest.raises(TimestampOutOfRange):
        signatures.check_timestamp("2025.09.02 13:00:29 +0300", moment + 301, 300)
    for bad in ("", "2025-09-02T13:00:29Z", "2025.13.02 13:00:29 +0300", "2025.09.02 13:00:29"):
        with pytest.raises(TimestampOutOfRange):
            signatures.check_timestamp(bad, moment, 300)
