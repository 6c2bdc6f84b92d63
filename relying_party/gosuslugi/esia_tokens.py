"""ESIA token checks for the client: the IdP's certificates, both tokens' signatures and claims.

ESIA tokens are compact JWS with the header `ver`, `typ`, `sbt`, `alg` and no `kid`; they are
read by joserfc (signed.read) with `ver` and `sbt` registered as header parameters, and verified
against the certificate the IdP publishes for the alg (/esia/certs/RS256.pem or
/esia/certs/GOST3410_2012_256.pem), cached in the database like the OIDC JWKS and refetched once
when a signature does not verify (rotation).

GOST3410_2012_256 (GOST R 34.10-2012/256 over Streebog-256, `s || r` as OpenSSL writes it) is
registered as an algorithm model of ESIA's own JWS registry, beside joserfc's RS256. Its key is
a GOST public key (shared/gost.py), which joserfc's key resolution (only its four JWK types) would
refuse, so the registry's model is called with the key directly (signed.verified_by); joserfc's
process-wide registry stays untouched. The client_secret signers are in esia_signers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.errors import InvalidKeyTypeError
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi import client, signed
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.web import now
from gosuslugi_sandbox.shared import gost, gost_x509
from gosuslugi_sandbox.shared.esia_time import format_timestamp

RS256, GOST = "RS256", "GOST3410_2012_256"
# What the fake Sferum can verify, and where the IdP publishes the certificate for each.
SUPPORTED_ALGS = {RS256: "/esia/certs/RS256.pem", GOST: "/esia/certs/GOST3410_2012_256.pem"}
CERTIFICATE_PATH = SUPPORTED_ALGS[RS256]


class Gost3410_2012_256(jws.JWSAlgModel):
    """ESIA's GOST3410_2012_256 as a joserfc algorithm model (GOST keys, shared/gost.py)."""

    name = GOST
    description = "GOST R 34.10-2012 256-bit signature over Streebog-256"
    key_type = "GOST"

    def check_key(self, key) -> None:
        """A GOST R 34.10-2012 key of 256 bits, nothing else."""
        if not isinstance(key, gost.PublicKey | gost.PrivateKey) or key.curve.size != 32:
            raise InvalidKeyTypeError(f"Algorithm '{self.name}' requires a GOST 256-bit key")

    def sign(self, msg: bytes, key: gost.PrivateKey) -> bytes:
        """`s || r` of msg."""
        return key.sign(msg)

    def verify(self, msg: bytes, sig: bytes, key: gost.PublicKey) -> bool:
        """Whether sig (`s || r`) signs msg."""
        return key.verify(msg, sig)


class EsiaRegistry(jws.JWSRegistry):
    """ESIA's JWS algorithms: joserfc's RS256 and GOST3410_2012_256, in a table of its own."""

    algorithms: ClassVar[dict[str, jws.JWSAlgModel]] = {RS256: jws.JWSRegistry.algorithms[RS256]}
    recommended: ClassVar[list[str]] = []


EsiaRegistry.register(Gost3410_2012_256())
# ESIA's own header fields, registered so joserfc's strict header check accepts them.
REGISTRY = EsiaRegistry(
    header_registry={
        "ver": HeaderParameter("ESIA token format version", "int"),
        "sbt": HeaderParameter("ESIA token subtype (access, id)", "str"),
    },
    algorithms=list(SUPPORTED_ALGS),
)


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


def _public_key(pem: str, alg: str = RS256) -> RSAKey | gost.PublicKey:
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
        key = RSAKey.import_key(key)
    moment = now()
    if not (
        certificate.not_valid_before_utc.timestamp()
        <= moment
        <= certificate.not_valid_after_utc.timestamp()
    ):
        raise GosuslugiError("esia_certificate", "certificate not valid now")
    return key


def idp_public_key(alg: str = RS256, force: bool = False) -> RSAKey | gost.PublicKey:
    """The IdP's token-signing key for alg from its published certificate (cached)."""
    url = settings().idp_url.rstrip("/") + SUPPORTED_ALGS[alg]
    body = client.cached("esia-cert:" + url, lambda: _fetch_certificate(url, alg), force=force)
    return _public_key(body.get("pem") or "", alg)


def verify_jws(token: object, kind: str, sbt: str, allowed_algs: list[str]) -> dict:
    """Check a token's form, alg, sbt and signature; return its claims.

    kind is `id_token` or `access_token` and prefixes every refusal code.
    """
    parsed = signed.read(token, kind, REGISTRY)
    model = signed.algorithm(parsed, allowed_algs, REGISTRY)
    if parsed.header.get("sbt") != sbt:
        raise GosuslugiError(f"{kind}_type", f"sbt {parsed.header.get('sbt')!r}, expected {sbt!r}")
    for force in (False, True):  # the second try refetches the certificate (rotation)
        if signed.verified_by(parsed, model, idp_public_key(model.name, force)):
            return parsed.claims
    raise GosuslugiError(f"{kind}_signature", "the IdP certificate does not verify it")


def verify_tokens(
    token: Mapping, algs: list[str], issuer: str, client_id: str, rules: signed.TimeRules
) -> tuple[int, bool]:
    """Both tokens checked; the person's oid and the ID token's is_tru."""
    id_claims = verify_jws(token["id_token"], "id_token", "id", algs)
    signed.check_issuer(id_claims, "id_token", issuer)
    if id_claims.get("aud") != client_id:
        raise GosuslugiError("id_token_aud", f"aud {id_claims.get('aud')!r}")
    signed.check_times(id_claims, "id_token", rules)

    access = verify_jws(token["access_token"], "access_token", "access", algs)
    signed.check_issuer(access, "access_token", issuer)
    if access.get("client_id") != client_id:
        raise GosuslugiError("access_token_client", f"client_id {access.get('client_id')!r}")
    signed.check_times(access, "access_token", rules)

    sub = id_claims.get("sub")
    if not (signed.is_number(sub) and isinstance(sub, int)) or sub <= 0:
        raise GosuslugiError("id_token_sub", f"sub {sub!r} is not a number")
    subject = id_claims.get("urn:esia:sbj")
    subject = subject if isinstance(subject, dict) else {}
    if not signed.same_number(subject.get("urn:esia:sbj:oid"), sub):
        raise GosuslugiError("esia_subject", "sub differs from urn:esia:sbj:oid")
    if not signed.same_number(access.get("urn:esia:sbj_id"), sub):
        raise GosuslugiError("esia_subject", "access token urn:esia:sbj_id differs from sub")
    return sub, subject.get("urn:esia:sbj:is_tru") is True
