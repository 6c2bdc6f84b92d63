"""GOST keys in X.509 certificates and PKCS#8 files (RFC 9215, as OpenSSL's GOST engine writes).

A public key is an OCTET STRING of `x || y`, each little-endian; a private key an OCTET STRING
of d little-endian; the parameters name the curve (and, for 256-bit CryptoPro curves, the
digest). Certificate signatures are `s || r` (gosuslugi_sandbox.shared.gost). asn1crypto has no GOST
specs, so the few structures are declared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import ClassVar

from asn1crypto import core, keys, pem, x509

from gosuslugi_sandbox.shared import gost

OID_KEY_256 = "1.2.643.7.1.1.1.1"  # id-tc26-gost3410-12-256
OID_KEY_512 = "1.2.643.7.1.1.1.2"  # id-tc26-gost3410-12-512
OID_SIGN_256 = "1.2.643.7.1.1.3.2"  # id-tc26-signwithdigest-gost3410-12-256
OID_SIGN_512 = "1.2.643.7.1.1.3.3"
OID_STREEBOG_256 = "1.2.643.7.1.1.2.2"
OID_STREEBOG_512 = "1.2.643.7.1.1.2.3"
KEY_OIDS = {OID_KEY_256: 32, OID_KEY_512: 64}
SIGN_OIDS = {OID_SIGN_256: 32, OID_SIGN_512: 64}
DIGEST_OIDS = {OID_STREEBOG_256: 32, OID_STREEBOG_512: 64}
OID_GOST2001 = "1.2.643.2.2.19"


class GostKeyParams(core.Sequence):
    """GostR3410-2012-PublicKeyParameters (RFC 9215 section 4)."""

    _fields: ClassVar[list] = [
        ("public_key_param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


class _Algorithm(core.Sequence):
    _fields: ClassVar[list] = [("algorithm", core.ObjectIdentifier), ("parameters", GostKeyParams)]


class GostPublicKeyInfo(core.Sequence):
    """A SubjectPublicKeyInfo holding a GOST key."""

    _fields: ClassVar[list] = [("algorithm", _Algorithm), ("public_key", core.OctetBitString)]


class GostPrivateKeyInfo(core.Sequence):
    """A PKCS#8 PrivateKeyInfo holding a GOST key."""

    _fields: ClassVar[list] = [
        ("version", core.Integer),
        ("private_key_algorithm", _Algorithm),
        ("private_key", core.OctetString),
    ]


def unarmor(data: bytes) -> bytes:
    """DER from PEM or DER."""
    return pem.unarmor(data)[2] if pem.detect(data) else data


def _curve(algorithm: _Algorithm) -> gost.Curve:
    size = KEY_OIDS.get(algorithm["algorithm"].dotted)
    if size is None:
        raise gost.UnsupportedKey(f"not a GOST R 34.10-2012 key: {algorithm['algorithm'].dotted}")
    curve = gost.curve_for(algorithm["parameters"]["public_key_param_set"].dotted)
    if curve.size != size:
        raise gost.UnsupportedKey("the parameter set does not match the key size")
    return curve


def public_key_from_spki(spki_der: bytes) -> gost.PublicKey:
    """The public key of a DER SubjectPublicKeyInfo; UnsupportedKey if not GOST 2012."""
    try:
        info = GostPublicKeyInfo.load(spki_der)
        curve = _curve(info["algorithm"])
        point = core.OctetString.load(info["public_key"].native).native
    except (ValueError, TypeError, KeyError) as exc:
        raise gost.UnsupportedKey(f"unreadable GOST public key: {exc}") from exc
    if len(point) != 2 * curve.size:
        raise gost.UnsupportedKey("bad GOST public key length")
    size = curve.size
    x, y = int.from_bytes(point[:size], "little"), int.from_bytes(point[size:], "little")
    return gost.PublicKey(curve, x, y)


def _algorithm(curve: gost.Curve) -> dict:
    # the first OID listed for a curve is the one OpenSSL's engine writes (CryptoPro-A: .35.1)
    oid = next(o for o, c in gost.CURVES.items() if c is curve)
    params = {"public_key_param_set": oid}
    if oid.startswith("1.2.643.2.2."):  # RFC 9215 section 4: CryptoPro sets name the digest
        params["digest_param_set"] = OID_STREEBOG_256
    return {"algorithm": OID_KEY_256 if curve.size == 32 else OID_KEY_512, "parameters": params}


def spki(key: gost.PublicKey) -> GostPublicKeyInfo:
    """The SubjectPublicKeyInfo of a public key."""
    size = key.curve.size
    point = key.x.to_bytes(size, "little") + key.y.to_bytes(size, "little")
    return GostPublicKeyInfo(
        {"algorithm": _algorithm(key.curve), "public_key": core.OctetString(point).dump()}
    )


def load_private_key(data: bytes) -> gost.PrivateKey:
    """A GOST private key from an unencrypted PKCS#8 PEM or DER (OpenSSL's engine writes these)."""
    try:
        info = GostPrivateKeyInfo.load(unarmor(data))
        curve = _curve(info["private_key_algorithm"])
        raw = info["private_key"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise gost.UnsupportedKey(f"not a GOST R 34.10-2012 PKCS#8 key: {exc}") from exc
    if len(raw) == curve.size + 2 and raw[0] == 0x04:  # some writers nest an OCTET STRING
        raw = core.OctetString.load(raw).native
    if len(raw) != curve.size:
        raise gost.UnsupportedKey("bad GOST private key length")
    return gost.PrivateKey(curve, int.from_bytes(raw, "little"))


def dump_private_key(key: gost.PrivateKey) -> bytes:
    """A PKCS#8 PEM of the key, byte for byte as `openssl genpkey -engine gost` writes it."""
    info = GostPrivateKeyInfo(
        {
            "version": 0,
            "private_key_algorithm": _algorithm(key.curve),
            "private_key": key.d.to_bytes(key.curve.size, "little"),
        }
    )
    return pem.armor("PRIVATE KEY", info.dump())


@dataclass(frozen=True)
class Certificate:
    """A parsed GOST certificate: DER, public key, ESIA's hash, subject, signature parts."""

    der: bytes
    public_key: gost.PublicKey
    subject: str
    tbs: bytes
    signature_oid: str
    signature: bytes

    @property
    def hash(self) -> str:
        """ESIA's client_certificate_hash: Streebog-256 of the DER, upper-case hex."""
        return certificate_hash(self.der)

    def signed_by(self, issuer: gost.PublicKey) -> bool:
        """Whether the certificate's own signature verifies with issuer's key."""
        size = SIGN_OIDS.get(self.signature_oid)
        return size == issuer.curve.size and issuer.verify(self.tbs, self.signature)

    def pem(self) -> bytes:
        """The certificate as PEM."""
        return pem.armor("CERTIFICATE", self.der)


@lru_cache(maxsize=256)
def certificate_hash(der: bytes) -> str:
    """Streebog-256 of bytes, upper-case hex (cached: ~2 ms per certificate in pure Python)."""
    return gost.streebog256(der).hex().upper()


@lru_cache(maxsize=64)
def load_certificate(data: bytes) -> Certificate:
    """Parse a GOST certificate (PEM or DER) once; UnsupportedKey if it is not GOST 2012."""
    der = unarmor(data)
    try:
        cert = x509.Certificate.load(der)
        tbs = cert["tbs_certificate"]
        key = public_key_from_spki(tbs["subject_public_key_info"].dump())
        signature_oid = cert["signature_algorithm"]["algorithm"].dotted
        return Certificate(
            der=der,
            public_key=key,
            subject=tbs["subject"].human_friendly,
            tbs=tbs.dump(),
            signature_oid=signature_oid,
            signature=cert["signature_value"].native,
        )
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, gost.UnsupportedKey):
            raise
        raise gost.UnsupportedKey(f"unreadable certificate: {exc}") from exc


def build_self_signed(
    key: gost.PrivateKey, common_name: str, serial: int, not_before: datetime, not_after: datetime
) -> bytes:
    """A self-signed CA certificate (DER) for key that `openssl verify` accepts."""
    name = x509.Name.build({"common_name": common_name, "organization_name": "TEST ONLY"})
    public = spki(key.public_key)
    key_id = gost.streebog256(public["public_key"].native)[:20]
    sign_oid = OID_SIGN_256 if key.curve.size == 32 else OID_SIGN_512
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": sign_oid},
            "issuer": name,
            "validity": {
                "not_before": x509.Time(name="utc_time", value=not_before),
                "not_after": x509.Time(name="utc_time", value=not_after),
            },
            "subject": name,
            "subject_public_key_info": keys.PublicKeyInfo.load(public.dump()),
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": True}},
                {
                    "extn_id": "key_usage",
                    "critical": True,
                    "extn_value": {"digital_signature", "key_cert_sign", "crl_sign"},
                },
                {"extn_id": "key_identifier", "critical": False, "extn_value": key_id},
            ],
        }
    )
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": sign_oid},
            "signature_value": key.sign(tbs.dump()),
        }
    )
    return cert.dump()
