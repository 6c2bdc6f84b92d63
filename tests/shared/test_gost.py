"""GOST R 34.10-2012 / Streebog against oracles we did not write: RFC vectors, OpenSSL, gostcrypto.

A byte order consistent only with itself fails here: every signature our code makes is checked
by OpenSSL's GOST engine and every one OpenSSL makes must verify with our code.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import gostcrypto.gostsignature as gostcrypto_signature
import pytest

from gosuslugi_sandbox.shared import gost, gost_x509
from tests import openssl_gost as ossl

# RFC 6986 section 10.1, example M1 (also GOST R 34.11-2012 annex A), as OpenSSL prints digests
M1 = b"012345678901234567890123456789012345678901234567890123456789012"
M1_256 = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
M1_512 = (
    "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
    "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
)

# RFC 7091 appendix A.1 (the GOST R 34.10-2012 example 1, test parameter set)
RFC7091_D = 0x7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28
RFC7091_E = 0x2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5
RFC7091_K = 0x77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3
RFC7091_QX = 0x7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B
RFC7091_QY = 0x26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA
RFC7091_R = 0x41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493
RFC7091_S = 0x01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40

# RFC 9215 section 4.1: the example certificate, self-signed with RFC 7091's key (test curve)
RFC9215_CERT = base64.b64decode(
    "MIIBLTCB26ADAgECAgEKMAoGCCqFAwcBAQMCMBIxEDAOBgNVBAMTB0V4YW1wbGUw"
    "IBcNMDEwMTAxMDAwMDAwWhgPMjA1MDEyMzEwMDAwMDBaMBIxEDAOBgNVBAMTB0V4"
    "YW1wbGUwZjAfBggqhQMHAQEBATATBgcqhQMCAiMABggqhQMHAQECAgNDAARAC9hv"
    "5djbiWaPeJtOHbqFhcVQi0XsW1nYkG3bcOJJK3/ad/+HGhD73ydm0pPF0WSvuzx7"
    "lzpByIXRHXDWibTxJqMTMBEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhQMHAQEDAgNB"
    "AE1T8BL+CBd2UH1Nm7gfAO/bTu/Uq4O6xLrPc1Fzz6gcQaoo0vGrFIKAzZ7Vb+2k"
    "GXQFNVSkJ2e4OtBD/TncBJM="
)


def test_streebog_known_answers():
    assert gost.streebog256(M1).hex() == M1_256
    assert gost.streebog(M1, 64).hex() == M1_512


def test_rfc7091_example_signature():
    key = gost.PrivateKey(gost.TEST_256, RFC7091_D)
    assert (key.public_key.x, key.public_key.y) == (RFC7091_QX, RFC7091_QY)
    digest = RFC7091_E.to_bytes(32, "little")  # e is alpha mod q, alpha the digest read LE
    signature = key.sign_digest(digest, k=RFC7091_K)
    assert signature == RFC7091_S.to_bytes(32, "big") + RFC7091_R.to_bytes(32, "big")
    assert key.public_key.verify_digest(digest, signature)
    assert not key.public_key.verify_digest(digest, signature[32:] + signature[:32])


def test_rfc9215_example_certificate_verifies():
    """Digest byte order, `s || r` and the public key encoding at once, from the RFC's bytes."""
    cert = gost_x509.load_certificate(RFC9215_CERT)
    assert (cert.public_key.x, cert.public_key.y) == (RFC7091_QX, RFC7091_QY)
    assert cert.public_key.curve is gost.TEST_256
    assert cert.signed_by(cert.public_key)
    assert cert.signature[32:] == RFC7091_R.to_bytes(32, "big")  # the RFC reuses k
    tampered = gost_x509.Certificate(**{**cert.__dict__, "tbs": cert.tbs[:-1] + b"\x00"})
    assert not tampered.signed_by(cert.public_key)


def test_gostcrypto_agrees_once_told_the_standard_byte_order():
    """A second implementation we did not write: gostcrypto reads digests and keys big-endian
    and writes `r || s`, so it verifies our signature after those three conversions."""
    key = gost.PrivateKey.generate(gost.CRYPTOPRO_A)
    signature = key.sign(M1)
    verifier = gostcrypto_signature.new(
        gostcrypto_signature.MODE_256,
        gostcrypto_signature.CURVES_R_1323565_1_024_2019["id-tc26-gost-3410-2012-256-paramSetB"],
    )
    public = key.public_key.x.to_bytes(32, "big") + key.public_key.y.to_bytes(32, "big")
    digest = gost.streebog256(M1)[::-1]
    assert verifier.verify(
        bytearray(public), bytearray(digest), bytearray(signature[32:] + signature[:32])
    )


def test_invalid_signatures_and_points_are_refused():
    key = gost.PrivateKey.generate()
    signature = key.sign(M1)
    public = key.public_key
    assert public.verify(M1, signature)
    assert not public.verify(M1 + b"x", signature)
    assert not public.verify(M1, gost.cryptopro_order(signature))
    assert not public.verify(M1, signature[:-1])
    assert not public.verify(M1, b"\x00" * 64)
    q = gost.CRYPTOPRO_A.q.to_bytes(32, "big")
    assert not public.verify(M1, q + signature[32:])  # s out of range
    with pytest.raises(gost.UnsupportedKey):
        gost.PublicKey(gost.CRYPTOPRO_A, public.x, public.y + 1)
    with pytest.raises(gost.UnsupportedKey):
        gost.PrivateKey(gost.CRYPTOPRO_A, 0)


@ossl.requires_engine
@pytest.mark.parametrize(
    ("algorithm", "paramset"),
    [("gost2012_256", "A"), ("gost2012_256", "B"), ("gost2012_256", "TCA"), ("gost2012_512", "A")],
)
def test_openssl_and_we_verify_each_other(tmp_path, algorithm, paramset):
    key_file, cert_file = ossl.genkey(tmp_path, "k", algorithm, paramset)
    key = gost_x509.load_private_key(key_file.read_bytes())
    cert = gost_x509.load_certificate(cert_file.read_bytes())
    assert cert.public_key == key.public_key  # OpenSSL's key and certificate, read by us
    assert cert.signed_by(cert.public_key)  # OpenSSL's certificate signature
    digest = "md_gost12_256" if key.curve.size == 32 else "md_gost12_512"
    theirs = ossl.dgst_sign(key_file, M1, digest)
    assert key.public_key.verify(M1, theirs)
    assert key.curve.size != 32 or ossl.dgst_verify(cert_file, M1, key.sign(M1), tmp_path)


@ossl.requires_engine
def test_our_keys_and_certificates_are_openssls(tmp_path):
    key_file, _ = ossl.genkey(tmp_path, "k")
    key = gost_x509.load_private_key(key_file.read_bytes())
    assert gost_x509.dump_private_key(key) == key_file.read_bytes()  # byte for byte
    der = gost_x509.build_self_signed(
        key, "t", 7, datetime(2025, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC)
    )
    cert_file = tmp_path / "ours.crt.pem"
    cert_file.write_bytes(gost_x509.load_certificate(der).pem())
    assert ossl.verify_certificate(cert_file)
    forged = bytearray(der)
    forged[-1] ^= 1
    cert_file.write_bytes(gost_x509.Certificate.pem(gost_x509.load_certificate(bytes(forged))))
    assert not ossl.verify_certificate(cert_file)
