"""Strict ID token validation: algorithm allow-list, signature against JWKS, every claim."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import import_key

from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError

KTY_FOR_ALG = {"RS": "RSA", "PS": "RSA", "ES": "EC"}


def read_header(token: str) -> dict:
    """The JOSE header of a compact JWS, unverified."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise GosuslugiError("id_token_malformed", "not a compact JWS")
    try:
        raw = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise GosuslugiError("id_token_malformed", "header unreadable") from exc
    if not isinstance(header, dict):
        raise GosuslugiError("id_token_malformed", "header not an object")
    return header


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
    header = read_header(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in allowed_algs:
        raise GosuslugiError("id_token_alg", f"alg {alg!r} not in {allowed_algs}")
    if alg[:2] not in KTY_FOR_ALG:
        raise GosuslugiError("id_token_alg", f"alg {alg!r} is not asymmetric")
    # Without a kid and with several keys every key of the type is tried (conformance allows it).
    for data in candidate_keys(header, fetch_keys):
        try:
            key = _imported_key(json.dumps(data, sort_keys=True))
            return dict(jwt.decode(token, key, algorithms=[alg]).claims)
        except JoseError:
            continue
        except (ValueError, TypeError) as exc:
            raise GosuslugiError("id_token_malformed", f"{type(exc).__name__}") from exc
    raise GosuslugiError("id_token_signature", "no key verifies the signature")


def check_claims(
    claims: dict,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float,
    leeway: float,
    max_age: float,
    trusted_audiences: tuple[str, ...] = (),
) -> None:
    """Check iss, aud/azp, exp, iat, nbf, nonce and sub (raise GosuslugiError)."""
    if claims.get("iss") != issuer:
        raise GosuslugiError("id_token_iss", f"iss {claims.get('iss')!r}")
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
    exp, iat = claims.get("exp"), claims.get("iat")
    if not _is_number(exp) or exp + leeway < now:
        raise GosuslugiError("id_token_exp", f"exp {exp!r}, now {now:.0f}")
    if not _is_number(iat) or iat - leeway > now or iat + max_age + leeway < now:
        raise GosuslugiError("id_token_iat", f"iat {iat!r}, now {now:.0f}")
    nbf = claims.get("nbf")
    if nbf is not None and (not _is_number(nbf) or nbf - leeway > now):
        raise GosuslugiError("id_token_iat", f"nbf {nbf!r}")
    if claims.get("nonce") != nonce:
        raise GosuslugiError("id_token_nonce", "nonce differs")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise GosuslugiError("id_token_sub", "sub missing")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
