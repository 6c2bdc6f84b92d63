"""A client's registered certificate: GOST R 34.10-2012 (256/512) or, for legacy testing, RSA.

Anything else (EC P-256, Ed25519, DSA, GOST R 34.10-2001, unknown curves) cannot be verified
here and is refused at registration (`registration_problem`) and at /ac and /te (007005).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from gosuslugi_sandbox.shared import gost, gost_x509

OID_RSA = "1.2.840.113549.1.1.1"
RSA, GOST = "rsa", "gost"


class UnsupportedCertificate(ValueError):
    """A certificate the sandbox cannot read or whose algorithm it cannot verify."""


@dataclass(frozen=True)
class ClientCertificate:
    """A parsed client certificate: its kind, DER, ESIA hash and verification key."""

    kind: str  # rsa | gost
    der: bytes
    algorithm: str  # human-readable, for error details
    rsa_key: rsa.RSAPublicKey | None = None
    gost: gost_x509.Certificate | None = None

    @property
    def hash(self) -> str:
        """ESIA's client_certificate_hash: Streebog-256 of the DER, upper-case hex."""
        return gost_x509.certificate_hash(self.der)


class _AnyAlgorithm(core.Sequence):
    _fields: ClassVar[list] = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class _AnyPublicKeyInfo(core.Sequence):
    # asn1crypto's own SubjectPublicKeyInfo raises on OIDs it has no parameter spec for
    _fields: ClassVar[list] = [("algorithm", _AnyAlgorithm), ("public_key", core.BitString)]


def _algorithm_oid(der: bytes) -> str:
    try:
        spki = asn1_x509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
        return _AnyPublicKeyInfo.load(spki.dump())["algorithm"]["algorithm"].dotted
    except (ValueError, TypeError, KeyError) as exc:
        raise UnsupportedCertificate(f"not an X.509 certificate ({exc})") from exc


def _describe(oid: str) -> str:
    names = {
        "1.2.840.10045.2.1": "EC (ECDSA)",
        "1.3.101.112": "Ed25519",
        "1.3.101.113": "Ed448",
        "1.2.840.10040.4.1": "DSA",
        gost_x509.OID_GOST2001: "GOST R 34.10-2001",
    }
    return f"{names.get(oid, 'unknown')} ({oid})"


@lru_cache(maxsize=64)
def load(data: bytes) -> ClientCertificate:
    """Parse a certificate (PEM or DER) once; UnsupportedCertificate says why it is unusable."""
    der = gost_x509.unarmor(data)
    oid = _algorithm_oid(der)
    if oid in gost_x509.KEY_OIDS:
        try:
            parsed = gost_x509.load_certificate(der)
        except gost.UnsupportedKey as exc:
            raise UnsupportedCertificate(f"GOST R 34.10-2012 certificate: {exc}") from exc
        bits = parsed.public_key.curve.size * 8
        return ClientCertificate(GOST, der, f"GOST R 34.10-2012/{bits}", gost=parsed)
    if oid == OID_RSA:
        try:
            key = x509.load_der_x509_certificate(der).public_key()
        except ValueError as exc:
            raise UnsupportedCertificate(f"RSA certificate: {exc}") from exc
        return ClientCertificate(RSA, der, f"RSA-{key.key_size}", rsa_key=key)
    raise UnsupportedCertificate(
        f"the key algorithm {_describe(oid)} cannot be verified: "
        "register a GOST R 34.10-2012 certificate (or RSA with esia_allow_rsa)"
    )
