"""Strict OIDC ID token validation: algorithm allow-list, signature against JWKS, every claim."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

from joserfc import jws
from joserfc.jwk import import_key

from gosuslugi_sandbox.relying_party.gosuslugi import signed
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError

KTY_FOR_ALG = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
KIND = "id_token"
# joserfc's own algorithms and header parameters; which algs pass is the configured allow-list.
REGISTRY = jws.JWSRegistry(
    algorithms=[name for name in jws.JWSRegistry.algorithms if name[:2] in KTY_FOR_ALG]
)


def candidate_keys(header: dict, fetch_keys: Callable[[bool], list[dict]]) -> list[dict]:
    """Keys that may have signed the token: by kid (refetching JWKS once), else by type."""
    alg = header["alg"]
    kty = KTY_FOR_ALG.get(alg[:2])
    kid = header.get("kid")

    def usable(keys: list[dict]) -> list[dict]:
        found = [k for k in keys if k.get("kty") == kty and k.get("use", "sig") == "sig"]
        if kid is not None:
            found = [k for k in found if k.get("kid") == kid]
        return found

    found = usable(fetch_keys(False))
    if not found and kid is not None:
        found = usable(fetch_keys(True))  # keys rotated: fetch once more
    if not found:
        raise GosuslugiError("id_token_kid", f"no key for kid={kid!r} alg={alg}")
    return found


@lru_cache(maxsize=32)
def _imported_key(jwk_json: str):
    # A JWK is parsed once per distinct key and kept: the JWKS itself comes from the database
    # cache on every callback, so without this the RSA key was rebuilt on each login.
    return import_key(json.loads(jwk_json))


def verify_signature(token: str, allowed_algs: list[str], fetch_keys) -> dict:
    """Check the algorithm and the signature; return the claims."""
    parsed = signed.read(token, KIND, REGISTRY)
    model = signed.algorithm(parsed, allowed_algs, REGISTRY)  # asymmetric ones only
    # Without a kid and with several keys every key of the type is tried (conformance allows it).
    for data in candidate_keys(parsed.header, fetch_keys):
        try:
            key = _imported_key(json.dumps(data, sort_keys=True))
        except (ValueError, TypeError) as exc:
            raise GosuslugiError("id_token_malformed", f"{type(exc).__name__}") from exc
        if signed.verified_by(parsed, model, key):
            return parsed.claims
    raise GosuslugiError("id_token_signature", "no key verifies the signature")


def check_claims(
    claims: dict,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    rules: signed.TimeRules,
    trusted_audiences: tuple[str, ...] = (),
) -> None:
    """Check iss, aud/azp, exp, iat, nbf, nonce and sub (raise GosuslugiError)."""
    signed.check_issuer(claims, KIND, issuer)
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or client_id not in audiences:
        raise GosuslugiError("id_token_aud", f"aud {aud!r}")
    if any(a != client_id and a not in trusted_audiences for a in audiences):
        raise GosuslugiError("id_token_aud", f"untrusted extra audience in {aud!r}")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise GosuslugiError("id_token_azp", "several audiences and no matching azp")
    if "azp" in claims and claims["azp"] != client_id:
        raise GosuslugiError("id_token_azp", f"azp {claims['azp']!r}")
    signed.check_times(claims, KIND, rules)
    if claims.get("nonce") != nonce:
        raise GosuslugiError("id_token_nonce", "nonce differs")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise GosuslugiError("id_token_sub", "sub missing")
