"""The sandbox's «Эл. подпись» token: test certificates, their state, and unlocking by PIN.

fixtures/signature/certificates.yaml lists the certificates "on the device"; each is a real
X.509 certificate of the test CA with the person's name and SNILS, and its key is encrypted
PKCS#8 whose password is the PIN. Everything is checked with the `cryptography` library
(OpenSSL): the issuer's signature, the dates, the CA's CRL, and — once the PIN opens the key —
a signature over a fresh challenge that the certificate's public key must verify.
"""

from __future__ import annotations

import enum
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from gosuslugi_sandbox.shared.fixtures import load_fixture

SNILS_OID = ObjectIdentifier("1.2.643.100.3")


class State(enum.Enum):
    """Whether a certificate can sign a person in at a given moment."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    UNTRUSTED = "untrusted"  # not issued by the sandbox's test CA


@dataclass(frozen=True)
class Certificate:
    """One certificate on the token, as the pages show it."""

    id: str
    owner: str
    snils: str
    issuer: str
    serial: int
    not_before: datetime
    not_after: datetime
    cert: x509.Certificate
    key_pem: bytes

    def state(self, moment: float, token: Token) -> State:
        """Its state at `moment` (epoch seconds): issuer, CRL, then dates."""
        try:
            self.cert.verify_directly_issued_by(token.ca)
        except (ValueError, TypeError, InvalidSignature):
            return State.UNTRUSTED
        if token.crl.get_revoked_certificate_by_serial_number(self.serial) is not None:
            return State.REVOKED
        when = datetime.fromtimestamp(moment, tz=UTC)
        if when < self.not_before:
            return State.NOT_YET_VALID
        if when > self.not_after:
            return State.EXPIRED
        return State.VALID

    def unlock(self, pin: str) -> bool:
        """Whether the PIN opens the key, and the key signs what this certificate verifies."""
        return _opens(self.key_pem, self.cert, pin)


@lru_cache(maxsize=256)
def _opens(key_pem: bytes, cert: x509.Certificate, pin: str) -> bool:
    """Certificate.unlock's answer, worked out once per key, certificate and PIN: decrypting
    the key from its PIN and checking it take milliseconds, and the answer never changes."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=pin.encode())
    except (ValueError, TypeError):
        return False
    if not isinstance(key, rsa.RSAPrivateKey):
        return False
    challenge = secrets.token_bytes(32)
    signature = key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
    try:
        cert.public_key().verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Token:
    """Every certificate of the sandbox's token, with the CA and its CRL."""

    ca: x509.Certificate
    crl: x509.CertificateRevocationList
    certificates: tuple[Certificate, ...]

    def get(self, certificate_id: str | None) -> Certificate | None:
        """The certificate with that id, or None."""
        return next((c for c in self.certificates if c.id == certificate_id), None)


def _text(name: x509.Name, oid: ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _read(directory: Path) -> Token:
    entries = (load_fixture(directory / "certificates.yaml") or {}).get("certificates", [])
    ca = x509.load_pem_x509_certificate((directory / "ca.crt.pem").read_bytes())
    crl = x509.load_pem_x509_crl((directory / "ca.crl.pem").read_bytes())
    found = []
    for entry in entries:
        cert_id = str(entry["id"])
        cert = x509.load_pem_x509_certificate((directory / f"{cert_id}.crt.pem").read_bytes())
        found.append(
            Certificate(
                id=cert_id,
                owner=_text(cert.subject, NameOID.COMMON_NAME),
                snils=_text(cert.subject, SNILS_OID),
                issuer=_text(cert.issuer, NameOID.COMMON_NAME),
                serial=cert.serial_number,
                not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
                cert=cert,
                key_pem=(directory / f"{cert_id}.key.pem").read_bytes(),
            )
        )
    return Token(ca=ca, crl=crl, certificates=tuple(found))


@lru_cache(maxsize=4)
def _cached(directory: str, stamp: float) -> Token:
    return _read(Path(directory))


def load_token(fixtures_dir: Path) -> Token:
    """The token described by <fixtures>/signature/ (parsed once per change of its list)."""
    directory = Path(fixtures_dir) / "signature"
    return _cached(str(directory), os.stat(directory / "certificates.yaml").st_mtime)
