"""GOST R 34.10-2012/256 keys, certificates and raw signatures (gostcrypto + asn1crypto).

Byte order used everywhere in this sandbox (the verifier is the exact inverse of the signer):
- digest: Streebog-256 of the message as `gostcrypto` returns it (`digest()`), passed unchanged
  to `gostcrypto` (which reads it as a big-endian integer);
- signature: 64 bytes `r || s`, each 32 bytes big-endian (what `gostcrypto.sign` returns).
  Request signatures are also accepted fully byte-reversed (little-endian `s || r`, the way
  CryptoAPI-based clients emit them); tokens are always `r || s`.
- certificate and PKCS#8 encodings follow RFC 4491/9215: the public key is an OCTET STRING of
  x || y little-endian, the private key an OCTET STRING of 32 bytes little-endian.
GOST verification costs ~90 ms: call it only where a GOST signature must be checked.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache
from typing import ClassVar

import gostcrypto.gosthash
import gostcrypto.gostsignature as gostsig
from asn1crypto import core, pem, x509

SIZE = 32
CURVE_NAME = "id-tc26-gost-3410-2012-256-paramSetB"  # = CryptoPro-A
CURVE = gostsig.CURVES_R_1323565_1_024_2019[CURVE_NAME]
OID_GOST2012_256 = "1.2.643.7.1.1.1.1"
OID_SIGN_GOST2012_256 = "1.2.643.7.1.1.3.2"
OID_PARAMSET_CRYPTOPRO_A = "1.2.643.2.2.35.1"
OID_STREEBOG_256 = "1.2.643.7.1.1.2.2"


class GostKeyParams(core.Sequence):
    """GostR3410-2012-PublicKeyParameters (RFC 9215)."""

    _fields: ClassVar[list] = [
        ("public_key_param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


class _AlgorithmIdentifier(core.Sequence):
    _fields: ClassVar[list] = [("algorithm", core.ObjectIdentifier), ("parameters", GostKeyParams)]


class GostPublicKeyInfo(core.Sequence):
    """A SubjectPublicKeyInfo holding a GOST key (asn1crypto's own class has no GOST spec)."""

    _fields: ClassVar[list] = [
        ("algorithm", _AlgorithmIdentifier),
        ("public_key", core.OctetBitString),
    ]


class GostPrivateKeyInfo(core.Sequence):
    """A PKCS#8 PrivateKeyInfo holding a GOST R 34.10-2012/256 key."""

    _fields: ClassVar[list] = [
        ("version", core.Integer),
        ("private_key_algorithm", _AlgorithmIdentifier),
        ("private_key", core.OctetString),
    ]


def streebog256(data: bytes) -> bytes:
    """The Streebog-256 (GOST R 34.11-2012) digest of data."""
    return bytes(gostcrypto.gosthash.new("streebog256", data=data).digest())


def certificate_hash(der: bytes) -> str:
    """ESIA's client_certificate_hash: Streebog-256 of the certificate DER, upper-case hex."""
    return streebog256(der).hex().upper()


def public_key_from_private(private_key: bytes) -> bytes:
    """The public key x || y (big-endian) of a 32-byte big-endian private key."""
    signer = gostsig.new(gostsig.MODE_256, CURVE)
    return bytes(signer.public_key_generate(bytearray(private_key)))


def sign(private_key: bytes, data: bytes) -> bytes:
    """A raw signature r || s (big-endian) of data's Streebog-256 digest."""
    signer = gostsig.new(gostsig.MODE_256, CURVE)
    return bytes(signer.sign(bytearray(private_key), bytearray(streebog256(data))))


def verify(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Whether signature (r || s, big-endian) is valid for data under public_key."""
    if len(signature) != 2 * SIZE or len(public_key) != 2 * SIZE:
        return False
    verifier = gostsig.new(gostsig.MODE_256, CURVE)
    try:
        return bool(
            verifier.verify(
                bytearray(public_key), bytearray(streebog256(data)), bytearray(signature)
            )
        )
    except gostsig.GOSTSignatureError:
        return False


def _unarmor(data: bytes) -> bytes:
    if pem.detect(data):
        return pem.unarmor(data)[2]
    return data


def load_private_key(data: bytes) -> bytes:
    """The 32-byte big-endian private key from a PKCS#8 PEM or DER file."""
    info = GostPrivateKeyInfo.load(_unarmor(data))
    if info["private_key_algorithm"]["algorithm"].dotted != OID_GOST2012_256:
        raise ValueError("not a GOST R 34.10-2012/256 private key")
    raw = info["private_key"].native
    inner = core.OctetString.load(raw).native if raw[:1] == b"\x04" and len(raw) == 34 else raw
    return bytes(reversed(inner))


def dump_private_key(private_key: bytes) -> bytes:
    """A PKCS#8 PEM for a 32-byte big-endian private key."""
    info = GostPrivateKeyInfo(
        {
            "version": 0,
            "private_key_algorithm": {
                "algorithm": OID_GOST2012_256,
                "parameters": {
                    "public_key_param_set": OID_PARAMSET_CRYPTOPRO_A,
                    "digest_param_set": OID_STREEBOG_256,
                },
            },
            "private_key": core.OctetString(bytes(reversed(private_key))).dump(),
        }
    )
    return pem.armor("PRIVATE KEY", info.dump())


class GostCertificate:
    """A parsed GOST certificate: its DER, ESIA hash and public key (x || y, big-endian)."""

    def __init__(self, data: bytes) -> None:
        self.der = _unarmor(data)
        cert = x509.Certificate.load(self.der)
        spki = GostPublicKeyInfo.load(cert["tbs_certificate"]["subject_public_key_info"].dump())
        if spki["algorithm"]["algorithm"].dotted != OID_GOST2012_256:
            raise ValueError("not a GOST R 34.10-2012/256 certificate")
        point = core.OctetString.load(spki["public_key"].native).native
        if len(point) != 2 * SIZE:
            raise ValueError("bad GOST public key length")
        self.public_key = bytes(reversed(point[:SIZE])) + bytes(reversed(point[SIZE:]))
        self.hash = certificate_hash(self.der)
        self.subject = cert.subject.human_friendly

    @staticmethod
    @lru_cache(maxsize=64)
    def parsed(data: bytes) -> GostCertificate:
        """The certificate of these bytes, parsed (and hashed, ~2 ms in pure Python) once."""
        return GostCertificate(data)

    def pem(self) -> bytes:
        """The certificate as PEM."""
        return pem.armor("CERTIFICATE", self.der)


def build_certificate(
    private_key: bytes, common_name: str, serial: int, not_before: datetime, not_after: datetime
) -> bytes:
    """A self-signed GOST R 34.10-2012/256 X.509 certificate (DER) for private_key."""
    public = public_key_from_private(private_key)
    point = bytes(reversed(public[:SIZE])) + bytes(reversed(public[SIZE:]))
    params = GostKeyParams(
        {"public_key_param_set": OID_PARAMSET_CRYPTOPRO_A, "digest_param_set": OID_STREEBOG_256}
    )
    spki = GostPublicKeyInfo(
        {
            "algorithm": {"algorithm": OID_GOST2012_256, "parameters": params},
            "public_key": core.OctetString(point).dump(),
        }
    )
    name = x509.Name.build({"common_name": common_name, "organization_name": "TEST ONLY"})
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": OID_SIGN_GOST2012_256},
            "issuer": name,
            "validity": {
                "not_before": x509.Time(name="utc_time", value=not_before),
                "not_after": x509.Time(name="utc_time", value=not_after),
            },
            "subject": name,
            "subject_public_key_info": x509.PublicKeyInfo.load(spki.dump()),
        }
    )
    # X.509 carries GOST signatures as s || r big-endian (RFC 4491 section 2.2.2).
    raw = sign(private_key, tbs.dump())
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": OID_SIGN_GOST2012_256},
            "signature_value": raw[SIZE:] + raw[:SIZE],
        }
    )
    return cert.dump()


def b64decode_any(value: str) -> bytes:
    """Decode standard base64 or base64url, with or without padding; ValueError otherwise."""
    text = "".join(value.split())
    if not text:
        raise ValueError("empty")
    text = text.replace("-", "+").replace("_", "/").rstrip("=")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, base64.binascii.Error) as exc:
        raise ValueError("not base64") from exc


def generate_private_key() -> bytes:
    """A fresh 32-byte big-endian private key (0 < d < q)."""
    import secrets

    while True:
        candidate = secrets.randbelow(CURVE["q"])
        if candidate:
            return candidate.to_bytes(SIZE, "big")
