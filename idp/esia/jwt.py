"""ESIA JWTs: shapes and signing (docs/esia-protocol.md "Access token", "ID token").

RS256 is signed with joserfc and the IdP's RSA key. GOST3410_2012_256 is a JWS compact built
by hand: the signing input `b64url(header) + "." + b64url(payload)` (ASCII) is signed with the
IdP's GOST R 34.10-2012/256 key over its Streebog-256 digest; the third part is b64url of the
64 bytes `s || r` exactly as `openssl dgst -engine gost -md_gost12_256 -sign` writes them
(gosuslugi_sandbox.shared.gost), so clients verifying with OpenSSL (fr05t1k/esia,
ekapusta/oauth2-esia) accept it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from gosuslugi_sandbox.shared import gost, gost_x509

# ESIA's own header fields, registered so joserfc's strict header check accepts them.
JWS_REGISTRY = jws.JWSRegistry(
    header_registry={
        "ver": HeaderParameter("ESIA token format version", "int"),
        "sbt": HeaderParameter("ESIA token subtype (access, id)", "str"),
    },
    algorithms=["RS256"],
)
RS256 = "RS256"
GOST = "GOST3410_2012_256"
ALGORITHMS = (RS256, GOST)


@dataclass
class GostSigner:
    """The IdP's GOST key pair and certificate, parsed once at start."""

    private_key: gost.PrivateKey
    certificate: gost_x509.Certificate


def b64url(data: bytes) -> str:
    """base64url without padding (JOSE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode(header: dict, claims: dict, alg: str, rsa_key: RSAKey, gost_signer: GostSigner) -> str:
    """Sign claims as a JWS compact token with ESIA's header fields plus alg."""
    header = {**header, "alg": alg}
    if alg == RS256:
        return jws.serialize_compact(header, _json(claims), rsa_key, registry=JWS_REGISTRY)
    if alg == GOST:
        signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}"
        signature = gost_signer.private_key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(signature)}"
    raise ValueError(f"unsupported ESIA token algorithm {alg}")


def decode_gost(token: str, public_key: gost.PublicKey) -> tuple[dict, dict]:
    """Verify a GOST3410_2012_256 token; return (header, claims) or raise ValueError."""
    try:
        head, body, sig = token.split(".")
        header = json.loads(b64url_decode(head))
        claims = json.loads(b64url_decode(body))
        signature = b64url_decode(sig)
    except (ValueError, TypeError) as exc:
        raise ValueError("malformed token") from exc
    if header.get("alg") != GOST:
        raise ValueError("not a GOST3410_2012_256 token")
    if not public_key.verify(f"{head}.{body}".encode("ascii"), signature):
        raise ValueError("bad signature")
    return header, claims


def esia_scope(scopes: list[str], oid: int) -> str:
    """ESIA's access-token scope: `openid fullname?oid=X mobile?oid=X`."""
    return " ".join(s if s == "openid" else f"{s}?oid={oid}" for s in scopes)


def access_claims(
    *, issuer: str, client_id: str, scopes: list[str], oid: int, sid: str, now: int, lifetime: int
) -> dict[str, Any]:
    """The access token payload (no `aud`)."""
    return {
        "nbf": now,
        "exp": now + lifetime,
        "iat": now,
        "iss": issuer,
        "client_id": client_id,
        "scope": esia_scope(scopes, oid),
        "urn:esia:sid": sid,
        "urn:esia:sbj_id": oid,
    }


def id_claims(
    *,
    issuer: str,
    client_id: str,
    oid: int,
    trusted: bool,
    sid: str,
    now: int,
    auth_time: int,
    lifetime: int,
    amr: str = "PWD",
) -> dict[str, Any]:
    """The ID token payload; `urn:esia:sbj:is_tru` only for a confirmed account."""
    subject: dict[str, Any] = {"urn:esia:sbj:typ": "P"}
    if trusted:
        subject["urn:esia:sbj:is_tru"] = True
    subject["urn:esia:sbj:oid"] = oid
    subject["urn:esia:sbj:nam"] = f"OID.{oid}"
    return {
        "aud": client_id,
        "sub": oid,
        "nbf": now,
        "exp": now + lifetime,
        "iat": now,
        "auth_time": auth_time,
        "iss": issuer,
        "amr": amr,
        "urn:esia:amd": amr,
        "urn:esia:sid": sid,
        "urn:esia:sbj": subject,
    }


ACCESS_HEADER = {"ver": 1, "typ": "JWT", "sbt": "access"}
ID_HEADER = {"ver": 0, "typ": "JWT", "sbt": "id"}


def amd_for(amr: list[str] | None) -> str:
    """ESIA's `urn:esia:amd` for an RFC 8176 amr list: "DS" for a signature login, else "PWD"."""
    return "DS" if "DS" in (amr or []) else "PWD"
