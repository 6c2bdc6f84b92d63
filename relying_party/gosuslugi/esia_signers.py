"""The fake Sferum's ESIA client_secret: raw GOST R 34.10-2012 (v2/ac, v3/te) or legacy RSA CMS.

The key file decides the mode: a GOST R 34.10-2012/256 PKCS#8 key signs the current strings raw
(OpenSSL's byte order, base64url without padding, as ilimurzin/esia 4.x sends them) and sends
the certificate's hash; an RSA key signs the v1 string as detached CMS (real ESIA refuses RSA
since 2020: the fixture client `esia-cms` is marked legacy for it).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from gosuslugi_sandbox.shared import gost, gost_x509

GOST, CMS = "gost", "cms"


@dataclass(frozen=True)
class ClientSigner:
    """The client's certificate and RSA key, parsed once at start; signs client_secret (CMS)."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    mode = CMS
    certificate_hash = None

    @classmethod
    def from_files(cls, cert_file: str, key_file: str) -> ClientSigner | GostClientSigner:
        """Load the PEM certificate and key; ValueError naming the file on any problem."""
        key_bytes = _read(key_file, "RP_ESIA_KEY_FILE")
        cert_bytes = _read(cert_file, "RP_ESIA_CERT_FILE")
        try:
            gost_key = gost_x509.load_private_key(key_bytes)
        except gost.UnsupportedKey:
            gost_key = None
        if gost_key is not None:
            return GostClientSigner.build(cert_bytes, gost_key, cert_file)
        try:
            certificate = x509.load_pem_x509_certificate(cert_bytes)
        except ValueError as exc:
            raise ValueError(f"RP_ESIA_CERT_FILE {cert_file}: {exc}") from exc
        try:
            key = serialization.load_pem_private_key(key_bytes, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise ValueError(f"RP_ESIA_KEY_FILE {key_file}: {exc}") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"RP_ESIA_KEY_FILE {key_file}: neither GOST R 34.10-2012 nor RSA")
        try:
            public = certificate.public_key()
        except UnsupportedAlgorithm as exc:
            raise ValueError(f"RP_ESIA_CERT_FILE {cert_file}: {exc}") from exc
        if not isinstance(public, rsa.RSAPublicKey) or (
            key.public_key().public_numbers() != public.public_numbers()
        ):
            raise ValueError("RP_ESIA_KEY_FILE does not belong to RP_ESIA_CERT_FILE")
        return cls(certificate, key)

    def sign(self, text: str) -> str:
        """Detached CMS (DER, SHA-256) of text, base64url with padding, as ESIA wants."""
        der = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(text.encode("utf-8"))
            .add_signer(self.certificate, self.private_key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
        )
        return base64.urlsafe_b64encode(der).decode("ascii")


@dataclass(frozen=True)
class GostClientSigner:
    """A GOST R 34.10-2012/256 key and its certificate; signs raw, sends the certificate hash."""

    certificate: gost_x509.Certificate
    private_key: gost.PrivateKey
    mode = GOST

    @classmethod
    def build(cls, cert_bytes: bytes, key: gost.PrivateKey, cert_file: str) -> GostClientSigner:
        """Check that the certificate is GOST and holds key's public half."""
        try:
            certificate = gost_x509.load_certificate(cert_bytes)
        except gost.UnsupportedKey as exc:
            raise ValueError(f"RP_ESIA_CERT_FILE {cert_file}: {exc}") from exc
        if certificate.public_key != key.public_key:
            raise ValueError("RP_ESIA_KEY_FILE does not belong to RP_ESIA_CERT_FILE")
        if key.curve.size != 32:
            raise ValueError("RP_ESIA_KEY_FILE: ESIA signs with GOST R 34.10-2012/256")
        return cls(certificate, key)

    @property
    def certificate_hash(self) -> str:
        """client_certificate_hash: Streebog-256 of the certificate DER, upper-case hex."""
        return self.certificate.hash

    def sign(self, text: str) -> str:
        """The raw signature (`s || r`) of text, base64url without padding."""
        raw = self.private_key.sign(text.encode("utf-8"))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _read(path: str, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"{setting} {path}: {exc}") from exc
