"""The JWKS shapes of the kid-absent faults: one key only, or a decoy key beside the real ones.

Key rotation itself is the IdP's own (gosuslugi_sandbox.idp.keys.rotate_now); the
`signing-key-rotation` fault only asks for it (Edge.rotations, done by the after-request hook).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from gosuslugi_sandbox.idp.faults.models import FaultEffect
from gosuslugi_sandbox.idp.runtime import runtime
from gosuslugi_sandbox.shared.keys import public_jwk

SINGLE, DECOY = "jwks_single", "jwks_decoy"
ALGS = {"RSA": "RS256", "EC": "ES256"}


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


def jwks(honest: dict, rows: list[FaultEffect], moment: float, single_kty: str | None) -> dict:
    """The JWKS to publish: the honest one plus live decoys; or the current key of one type."""
    for row in rows:
        if row.kind == SINGLE and (row.until or 0) > moment:
            single_kty = single_kty or row.data.get("kty", "RSA")
    if single_kty is not None:
        return {"keys": [public_jwk(runtime().keys.for_alg(ALGS[single_kty]))]}
    decoys = [
        dict(row.data["jwk"]) for row in rows if row.kind == DECOY and (row.until or 0) > moment
    ]
    return {"keys": [*honest["keys"], *decoys]}
