"""Signing keys under `signing-key-rotation` and the JWKS shapes of the kid-absent faults.

A rotation stores the new private key (PEM) as a FaultEffect row, so every worker signs with
it; each worker parses a rotated key once (cached by kid on the app's runtime), never per
request. JWKS = the current key of each type, plus a replaced key for IDP_KEY_ROTATION_GRACE
seconds after its replacement.
"""

from __future__ import annotations

import itertools

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey, RSAKey

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.faults.models import FaultEffect
from gosuslugi_sandbox.idp.runtime import runtime
from gosuslugi_sandbox.shared.keys import generate_pem, import_private_key, public_jwk

ROTATED, SINGLE, DECOY = "rotated_key", "jwks_single", "jwks_decoy"


def _parsed(row: FaultEffect) -> RSAKey | ECKey:
    """The rotated key of row, parsed on first sight by this worker only."""
    cache = runtime().extra.setdefault("rotated_keys", {})
    kid = row.data["kid"]
    if kid not in cache:
        cache[kid] = import_private_key(row.data["pem"].encode("ascii"))
    return cache[kid]


def rotation_effect(kty: str, client_id: str | None, moment: float) -> FaultEffect:
    """A new key of type kty, ready to be stored (it becomes the signing key for kty)."""
    pem = generate_pem(kty)
    key = import_private_key(pem)
    runtime().extra.setdefault("rotated_keys", {})[key.kid] = key
    data = {"kty": kty, "kid": key.kid, "pem": pem.decode("ascii")}
    return FaultEffect(kind=ROTATED, client_id=client_id, data=data, created_at=moment)


def decoy_effect(client_id: str | None, moment: float, until: float) -> FaultEffect:
    """A public RSA key nobody signs with, published next to the real ones for a while."""
    decoy = RSAKey.import_key(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    )
    decoy.ensure_kid()
    jwk = public_jwk(decoy)
    return FaultEffect(
        kind=DECOY, client_id=client_id, data={"jwk": jwk}, created_at=moment, until=until
    )


def chains(rows: list[FaultEffect]) -> dict[str, list[tuple[RSAKey | ECKey, float]]]:
    """Per key type: (key, time it became current), the start-up key first."""
    result: dict[str, list[tuple[RSAKey | ECKey, float]]] = {
        key.key_type: [(key, float("-inf"))] for key in runtime().keys.keys
    }
    for row in rows:
        if row.kind == ROTATED:
            result.setdefault(row.data["kty"], []).append((_parsed(row), row.created_at))
    return result


def current_key(kty: str, rows: list[FaultEffect]) -> RSAKey | ECKey:
    """The key that signs for kty now (the start-up key unless rotated)."""
    if not any(row.kind == ROTATED for row in rows):
        return next(k for k in runtime().keys.keys if k.key_type == kty)
    return chains(rows)[kty][-1][0]


def jwks(rows: list[FaultEffect], moment: float, single_kty: str | None) -> dict:
    """The JWKS to publish: current keys, keys within their grace, decoys; or one key only."""
    grace = settings().key_rotation_grace
    for row in rows:
        if row.kind == SINGLE and (row.until or 0) > moment:
            single_kty = single_kty or row.data.get("kty", "RSA")
    published = []
    for kty, chain in chains(rows).items():
        current = chain[-1][0]
        if single_kty is not None:
            if kty == single_kty:
                published.append(public_jwk(current))
            continue
        published.append(public_jwk(current))
        for (key, _since), (_next, replaced_at) in itertools.pairwise(chain):
            if replaced_at + grace > moment:
                published.append(public_jwk(key))
    if single_kty is None:
        published += [
            dict(row.data["jwk"]) for row in rows if row.kind == DECOY and (row.until or 0) > moment
        ]
    return {"keys": published}
