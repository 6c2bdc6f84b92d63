"""ESIA crypto for the client: the CMS client_secret, the IdP's certificate, token checks.

ESIA tokens are compact JWS with the header `ver`, `typ`, `sbt`, `alg` and no `kid`; they are
verified against the certificate the IdP publishes (/esia/certs/RS256.pem), cached in the
database like the OIDC JWKS and refetched once when a signature does not verify (rotation).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from flask import current_app

from relying_party.gosuslugi import client
from relying_party.gosuslugi.protocols import GosuslugiError
from relying_party.web import now

# What the fake Sferum can verify; GOST3410_2012_256 tokens are out of its scope.
SUPPORTED_ALGS = {"RS256": hashes.SHA256}
CERTIFICATE_PATH = "/esia/certs/RS256.pem"
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")  # empty: "alg": "none" tokens


@dataclass(frozen=True)
class ClientSigner:
    """The client's certificate and RSA key, parsed once at start; signs client_secret."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_files(cls, cert_file: str, key_file: str) -> ClientSigner:
        """Load the PEM certificate and key; ValueError naming the file on any problem."""
        try:
            certificate = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
        except (OSError, ValueError) as exc:
            raise ValueError(f"RP_ESIA_CERT_FILE {cert_file}: {exc}") from exc
        try:
            key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise ValueError(f"RP_ESIA_KEY_FILE {key_file}: {exc}") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"RP_ESIA_KEY_FILE {key_file}: not an RSA key (CMS needs RSA)")
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


def timestamp(moment: float) -> str:
    """ESIA's request timestamp, `yyyy.MM.dd HH:mm:ss +0000`."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y.%m.%d %H:%M:%S +0000")


def _fetch_certificate(url: str) -> dict:
    response = client.fetch(url, "esia certificate", refusal="esia_certificate")
    _public_key(response.text)  # refuse garbage before caching it
    return {"pem": response.text}


@lru_cache(maxsize=16)
def _parsed_certificate(pem: str) -> x509.Certificate:
    # Parsed once per distinct PEM and kept (a pure function of the cached text, so every
    # worker may keep its own copy); the validity window is still checked on every use.
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _public_key(pem: str) -> rsa.RSAPublicKey:
    try:
        certificate = _parsed_certificate(pem)
    except (ValueError, UnicodeError) as exc:
        raise GosuslugiError("esia_certificate", "not a PEM certificate") from exc
    try:
        key = certificate.public_key()
    except UnsupportedAlgorithm as exc:
        raise GosuslugiError("esia_certificate", "unsupported key type") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise GosuslugiError("esia_certificate", "not an RSA certificate")
    moment = now()
    if not (
        certificate.not_valid_before_utc.timestamp()
        <= moment
        <= certificate.not_valid_after_utc.timestamp()
    ):
        raise GosuslugiError("esia_certificate", "certificate not valid now")
    return key


def idp_public_key(force: bool = False) -> rsa.RSAPublicKey:
    """The IdP's token-signing RSA key from its published certificate (cached)."""
    url = current_app.config["IDP_URL"].rstrip("/") + CERTIFICATE_PATH
    body = client.cached("esia-cert:" + url, lambda: _fetch_certificate(url), force=force)
    return _public_key(body.get("pem") or "")


def _b64decode(part: str) -> bytes:
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_jws(
    token: object,
    kind: str,
    sbt: str,
    allowed_algs: list[str],
    public_key: Callable[[bool], rsa.RSAPublicKey],
) -> dict:
    """Check a token's form, alg, sbt and signature; return its claims.

    kind is `id_token` or `access_token` and prefixes every refusal code.
    """
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise GosuslugiError(f"{kind}_malformed", "not a compact JWS")
    try:
        header = json.loads(_b64decode(parts[0]))
        payload = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise GosuslugiError(f"{kind}_malformed", "unreadable part") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise GosuslugiError(f"{kind}_malformed", "header or payload not an object")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in allowed_algs:
        raise GosuslugiError(f"{kind}_alg", f"alg {alg!r} not in {allowed_algs}")
    if alg not in SUPPORTED_ALGS:
        raise GosuslugiError(f"{kind}_alg", f"alg {alg!r} cannot be verified here")
    if header.get("sbt") != sbt:
        raise GosuslugiError(f"{kind}_type", f"sbt {header.get('sbt')!r}, expected {sbt!r}")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    for force in (False, True):  # the second try refetches the certificate (rotation)
        try:
            public_key(force).verify(
                signature, signing_input, padding.PKCS1v15(), SUPPORTED_ALGS[alg]()
            )
            return payload
        except InvalidSignature:
            continue
    raise GosuslugiError(f"{kind}_signature", "the IdP certificate does not verify it")


def check_times(claims: dict, kind: str, now: float, leeway: float, max_age: float) -> None:
    """exp, iat and nbf within the leeway; iat not older than max_age."""
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
    if not is_number(exp) or exp + leeway < now:
        raise GosuslugiError(f"{kind}_exp", f"exp {exp!r}, now {now:.0f}")
    if not is_number(iat) or iat - leeway > now or iat + max_age + leeway < now:
        raise GosuslugiError(f"{kind}_iat", f"iat {iat!r}, now {now:.0f}")
    if nbf is not None and (not is_number(nbf) or nbf - leeway > now):
        raise GosuslugiError(f"{kind}_iat", f"nbf {nbf!r}, now {now:.0f}")


def is_number(value: object) -> bool:
    """A JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
