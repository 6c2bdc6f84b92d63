"""Client request checks: CMS/PKCS#7 detached signatures, raw GOST signatures, timestamps.

CMS is parsed with asn1crypto; its signature is verified with the registered certificate's key:
GOST R 34.10-2012 with Streebog (gosuslugi_sandbox.shared.gost), or RSA PKCS#1 v1.5 with
cryptography (legacy). A raw GOST signature is `s || r` as OpenSSL writes it, or CryptoPro's
reversed bytes. Every failure raises an EsiaError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from asn1crypto.algos import DigestAlgorithmId
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from gosuslugi_sandbox.idp.esia.certificates import GOST, RSA, ClientCertificate
from gosuslugi_sandbox.idp.esia.errors import TimestampOutOfRange, WrongClientSecret
from gosuslugi_sandbox.shared import esia_time, gost, gost_x509

if TYPE_CHECKING:
    from asn1crypto import cms

_RSA_HASHES = {
    "sha1": (hashlib.sha1, hashes.SHA1),
    "sha256": (hashlib.sha256, hashes.SHA256),
    "sha384": (hashlib.sha384, hashes.SHA384),
    "sha512": (hashlib.sha512, hashes.SHA512),
}


def normalize_timestamp(value: str) -> str:
    """The timestamp as the client signed it (`yyyy.MM.dd HH:mm:ss +ZZZZ`), or ESIA-007015."""
    try:
        return esia_time.normalize_timestamp(value)
    except ValueError as exc:
        raise TimestampOutOfRange(esia_time.FORMAT_HINT) from exc


def parse_timestamp(value: str) -> datetime:
    """Parse an ESIA timestamp into an aware datetime, or raise ESIA-007015."""
    try:
        return esia_time.parse_timestamp(value)
    except ValueError as exc:
        raise TimestampOutOfRange(esia_time.FORMAT_HINT) from exc


def check_timestamp(value: str, now: float, skew_seconds: float) -> str:
    """Raise ESIA-007015 unless value is within skew of now; return the normalized value."""
    moment = parse_timestamp(value).timestamp()
    if abs(moment - now) > skew_seconds:
        raise TimestampOutOfRange()
    return normalize_timestamp(value)


def b64decode_any(value: str) -> bytes:
    """Decode standard base64 or base64url, with or without padding; ValueError otherwise."""
    text = "".join(value.split())
    if not text:
        raise ValueError("empty")
    text = text.replace("-", "+").replace("_", "/").rstrip("=")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ValueError("not base64") from exc


def _cms_signer(encoded: str) -> cms.SignerInfo:
    # on first use: asn1crypto's CMS (with its CRL and OCSP) is for signed client requests only,
    # and costs every start ~4 ms
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(b64decode_any(encoded))
        if info["content_type"].native != "signed_data":
            raise ValueError("not signed data")
        signers = info["content"]["signer_infos"]
        if len(signers) == 0:
            raise ValueError("no signer")
        return signers[0]
    except (ValueError, TypeError, KeyError) as exc:
        raise WrongClientSecret("client_secret is not a CMS signature") from exc


def _cms_parts(signer: cms.SignerInfo) -> tuple[str, bytes, bytes | None, bytes | None]:
    """Digest OID, signature, DER SET of the signed attributes and their messageDigest."""
    try:
        digest_oid = signer["digest_algorithm"]["algorithm"].dotted
        signature = signer["signature"].native
        signed_attrs = signer["signed_attrs"]
        if signed_attrs.native is None or not len(signed_attrs):
            return digest_oid, signature, None, None
        # The signature covers the attributes re-tagged as a universal SET (RFC 5652 5.4).
        attrs_der = b"\x31" + signed_attrs.dump()[1:]
        for attr in signed_attrs:
            if attr["type"].native == "message_digest":
                return digest_oid, signature, attrs_der, attr["values"][0].native
    except (KeyError, ValueError, TypeError) as exc:
        raise WrongClientSecret("unsupported CMS signature") from exc
    raise WrongClientSecret("no messageDigest attribute")


def _cms_verifier(
    certificate: ClientCertificate, digest_oid: str
) -> tuple[Callable[[bytes], bytes], Callable[[bytes, bytes], bool]]:
    """The content digest function and the signature check for this certificate."""
    if certificate.kind == GOST:
        key = certificate.gost.public_key
        size = gost_x509.DIGEST_OIDS.get(digest_oid)
        if size != key.curve.size:
            raise WrongClientSecret(f"digest {digest_oid} does not match the GOST key")
        return (lambda data: gost.streebog(data, size)), key.verify
    if certificate.kind == RSA:
        name = DigestAlgorithmId.map(digest_oid)
        if name not in _RSA_HASHES:
            raise WrongClientSecret(f"unsupported digest {digest_oid}")
        hash_fn, hash_cls = _RSA_HASHES[name]

        def check(covered: bytes, signature: bytes) -> bool:
            try:
                certificate.rsa_key.verify(signature, covered, padding.PKCS1v15(), hash_cls())
                return True
            except InvalidSignature:
                return False

        return (lambda data: hash_fn(data).digest()), check
    raise WrongClientSecret("the registered certificate cannot verify CMS")


def verify_cms(encoded: str, certificate: ClientCertificate, messages: Iterable[bytes]) -> bytes:
    """Verify a detached CMS signature of one of messages by certificate; return that message.

    With signed attributes, messageDigest must equal the digest of the content and the
    signature covers the DER SET of the attributes; without them (`-noattr`) the content itself.
    """
    digest_oid, signature, attrs_der, message_digest = _cms_parts(_cms_signer(encoded))
    digest, check = _cms_verifier(certificate, digest_oid)
    for message in messages:
        if attrs_der is not None:
            if not hmac.compare_digest(digest(message), message_digest):
                continue
            covered = attrs_der
        else:
            covered = message
        if check(covered, signature):
            return message
    raise WrongClientSecret()


def verify_gost(encoded: str, certificate: ClientCertificate, messages: Iterable[bytes]) -> bytes:
    """Verify a raw GOST R 34.10-2012 signature of one of messages; return that message.

    The standard `s || r` (OpenSSL, BouncyCastle) and CryptoPro's reversed bytes are accepted.
    """
    try:
        signature = b64decode_any(encoded)
    except ValueError as exc:
        raise WrongClientSecret("client_secret is not base64") from exc
    key = certificate.gost.public_key
    if len(signature) != 2 * key.curve.size:
        raise WrongClientSecret(f"a raw GOST signature is {2 * key.curve.size} bytes")
    for message in messages:
        digest = gost.streebog(message, key.curve.size)
        for candidate in (signature, gost.cryptopro_order(signature)):
            if key.verify_digest(digest, candidate):
                return message
    raise WrongClientSecret()


def certificate_hash_matches(certificate: ClientCertificate, value: str) -> bool:
    """Whether value is the certificate's Streebog-256 hash (hex, any case)."""
    return hmac.compare_digest(certificate.hash, (value or "").strip().upper())
