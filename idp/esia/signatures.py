"""Client request checks: CMS/PKCS#7 detached signatures, raw GOST signatures, timestamps.

CMS is parsed with asn1crypto and verified with cryptography (RSA PKCS#1 v1.5); GOST with
gostcrypto (see idp.esia.gost for the byte order). Every failure raises an EsiaError.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from idp.esia import gost
from idp.esia.errors import TimestampOutOfRange, WrongClientSecret

TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
# A "+" that reached us unencoded in a query string arrives as a space: accept it as "+".
_TIMESTAMP_RE = re.compile(r"^(\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}) ?([+\- ])(\d{4})$")

_HASHES = {
    "sha1": (hashlib.sha1, hashes.SHA1),
    "sha256": (hashlib.sha256, hashes.SHA256),
    "sha384": (hashlib.sha384, hashes.SHA384),
    "sha512": (hashlib.sha512, hashes.SHA512),
}


def normalize_timestamp(value: str) -> str:
    """The timestamp as the client signed it (`yyyy.MM.dd HH:mm:ss +ZZZZ`), or ESIA-007015."""
    match = _TIMESTAMP_RE.match((value or "").strip())
    if not match:
        raise TimestampOutOfRange("timestamp format must be yyyy.MM.dd HH:mm:ss Z")
    sign = "+" if match.group(2) == " " else match.group(2)
    return f"{match.group(1)} {sign}{match.group(3)}"


def parse_timestamp(value: str) -> datetime:
    """Parse an ESIA timestamp into an aware datetime, or raise ESIA-007015."""
    try:
        return datetime.strptime(normalize_timestamp(value), TIMESTAMP_FORMAT)
    except ValueError as exc:
        raise TimestampOutOfRange("timestamp format must be yyyy.MM.dd HH:mm:ss Z") from exc


def check_timestamp(value: str, now: float, skew_seconds: float) -> str:
    """Raise ESIA-007015 unless value is within skew of now; return the normalized value."""
    moment = parse_timestamp(value).timestamp()
    if abs(moment - now) > skew_seconds:
        raise TimestampOutOfRange()
    return normalize_timestamp(value)


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as an ESIA timestamp (clients and tests)."""
    return moment.strftime(TIMESTAMP_FORMAT)


def load_rsa_certificate(pem_or_der: bytes) -> x509.Certificate:
    """Parse a client's registered X.509 certificate (PEM or DER)."""
    if b"-----BEGIN" in pem_or_der:
        return x509.load_pem_x509_certificate(pem_or_der)
    return x509.load_der_x509_certificate(pem_or_der)


def _cms_signer(encoded: str) -> tuple[cms.SignerInfo, cms.SignedData]:
    try:
        der = gost.b64decode_any(encoded)
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise ValueError("not signed data")
        signed = info["content"]
        signers = signed["signer_infos"]
        if len(signers) == 0:
            raise ValueError("no signer")
        return signers[0], signed
    except (ValueError, TypeError, KeyError) as exc:
        raise WrongClientSecret("client_secret is not a CMS signature") from exc


def verify_cms(encoded: str, certificate: x509.Certificate, messages: Iterable[bytes]) -> bytes:
    """Verify a detached CMS signature of one of messages by certificate; return that message.

    With signed attributes, messageDigest must equal the digest of the content and the RSA
    signature covers the DER SET of the attributes; without them it covers the content itself.
    """
    signer, _signed = _cms_signer(encoded)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise WrongClientSecret("the registered certificate is not RSA")
    try:
        digest_name = signer["digest_algorithm"]["algorithm"].native
        hash_fn, hash_cls = _HASHES[digest_name]
        signature = signer["signature"].native
        signed_attrs = signer["signed_attrs"]
        attrs_der = None
        message_digest = None
        if signed_attrs.native is not None and len(signed_attrs):
            # The signature covers the attributes re-tagged as a universal SET (RFC 5652 5.4).
            attrs_der = b"\x31" + signed_attrs.dump()[1:]
            for attr in signed_attrs:
                if attr["type"].native == "message_digest":
                    message_digest = attr["values"][0].native
            if message_digest is None:
                raise WrongClientSecret("no messageDigest attribute")
    except (KeyError, ValueError, TypeError) as exc:
        raise WrongClientSecret("unsupported CMS signature") from exc
    for message in messages:
        if attrs_der is not None:
            if not hmac.compare_digest(hash_fn(message).digest(), message_digest):
                continue
            covered = attrs_der
        else:
            covered = message
        try:
            public_key.verify(signature, covered, padding.PKCS1v15(), hash_cls())
            return message
        except InvalidSignature:
            continue
    raise WrongClientSecret()


def verify_gost(
    encoded: str, certificate: gost.GostCertificate, messages: Iterable[bytes]
) -> bytes:
    """Verify a raw GOST R 34.10-2012/256 signature of one of messages; return that message."""
    try:
        signature = gost.b64decode_any(encoded)
    except ValueError as exc:
        raise WrongClientSecret("client_secret is not base64") from exc
    if len(signature) != 2 * gost.SIZE:
        raise WrongClientSecret("a GOST R 34.10-2012/256 signature is 64 bytes")
    for message in messages:
        for candidate in (signature, signature[::-1]):
            if gost.verify(certificate.public_key, message, candidate):
                return message
    raise WrongClientSecret()


def certificate_hash_matches(certificate: gost.GostCertificate, value: str) -> bool:
    """Whether value is the certificate's Streebog-256 hash (hex, any case)."""
    return hmac.compare_digest(certificate.hash, (value or "").strip().upper())
