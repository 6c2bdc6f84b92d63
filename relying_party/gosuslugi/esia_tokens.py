"""ESIA token checks for the client: the IdP's certificates, signatures, times.

ESIA tokens are compact JWS with the header `ver`, `typ`, `sbt`, `alg` and no `kid`; they are
verified against the certificate the IdP publishes for the alg (/esia/certs/RS256.pem or
/esia/certs/GOST3410_2012_256.pem: GOST R 34.10-2012/256 over Streebog-256, `s || r` as OpenSSL
writes it), cached in the database like the OIDC JWKS and refetched once when a signature does
not verify (rotation). The client_secret signers are in esia_signers.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi import client
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.web import now
from gosuslugi_sandbox.shared import gost, gost_x509
from gosuslugi_sandbox.shared.esia_time import format_timestamp

RS256, GOST = "RS256", "GOST3410_2012_256"
# What the fake Sferum can verify, and where the IdP publishes the certificate for each.
SUPPORTED_ALGS = {RS256: "/esia/certs/RS256.pem", GOST: "/esia/certs/GOST3410_2012_256.pem"}
CERTIFICATE_PATH = SUPPORTED_ALGS[RS256]
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")  # empty: "alg": "none" tokens


def timestamp(moment: float) -> str:
    """ESIA's request timestamp, `yyyy.MM.dd HH:mm:ss +0000`."""
    return format_timestamp(moment)


def _fetch_certificate(url: str, alg: str) -> dict:
    response = client.fetch(url, "esia certificate", refusal="esia_certificate")
    _public_key(response.text, alg)  # refuse garbage before caching it
    return {"pem": response.text}


@lru_cache(maxsize=16)
def _parsed_certificate(pem: str) -> x509.Certificate:
    # Parsed once per distinct PEM and kept (a pure function of the cached text, so every
    # worker may keep its own copy); the validity window is still checked on every use.
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _public_key(pem: str, alg: str = RS256) -> rsa.RSAPublicKey | gost.PublicKey:
    try:
        certificate = _parsed_certificate(pem)
    except (ValueError, UnicodeError) as exc:
        raise GosuslugiError("esia_certificate", "not a PEM certificate") from exc
    if alg == GOST:
        try:
            key = gost_x509.load_certificate(pem.encode("ascii")).public_key
        except gost.UnsupportedKey as exc:
            raise GosuslugiError("esia_certificate", "not a GOST R 34.10-2012 certificate") from exc
        if key.curve.size != 32:
            raise GosuslugiError("esia_certificate", "not a GOST R 34.10-2012/256 key")
    else:
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


def idp_public_key(alg: str = RS256, force: bool = False) -> rsa.RSAPublicKey | gost.PublicKey:
    """The IdP's token-signing key for alg from its published certificate (cached)."""
    url = settings().idp_url.rstrip("/") + SUPPORTED_ALGS[alg]
    body = client.cached("esia-cert:" + url, lambda: _fetch_certificate(url, alg), force=force)
    return _public_key(body.get("pem") or "", alg)


def _b64decode(part: str) -> bytes:
    if not _B64URL.match(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _valid(key, alg: str, signing_input: bytes, signature: bytes) -> bool:
    if alg == GOST:
        return key.verify(signing_input, signature)
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def verify_jws(
    token: object,
    kind: str,
    sbt: str,
    allowed_algs: list[str],
    public_key: Callable[[str, bool], rsa.RSAPublicKey | gost.PublicKey],
) -> dict:
    """Check a token's form, alg, sbt and signature; return its claims.

    kind is `id_token` or `access_token` and prefixes every refusal code; public_key(alg,
    force) gives the IdP's key for the alg.
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
        if _valid(public_key(alg, force), alg, signing_input, signature):
            return payload
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
