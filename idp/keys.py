"""The IdP's signing keys, kept in the database so that every worker and host signs alike.

At set-up each key type (RSA for RS256, EC for ES256) gets a current key if it has none:
taken from `KEYS_DIR` when that is configured (tests share one generated pair; a team may
pin its own), from a stand's older instance directory (`<instance>/keys/*.pem`, where the
keys lived before they moved here), or generated. `rotate_now` retires a type's current key and
makes a new one current (POST /_control/keys/rotate, the `signing-key-rotation` fault).

Each worker holds the keys parsed (`KeyRing`). Every protocol request reads the keys'
`GENERATION` with the stand state (gosuslugi_sandbox.idp.faults.hooks); the worker reloads
and parses the keys only when it changed, so a rotation reaches every worker without a
restart and without a read of the keys per request. The JWKS lists the current keys and
those retired less than IDP_KEY_ROTATION_GRACE seconds ago.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp.models import SigningKey
from gosuslugi_sandbox.shared.keys import (
    SigningKeys,
    generate_pem,
    import_private_key,
    load_or_create_pem,
    public_jwk,
)
from gosuslugi_sandbox.shared.sql import insert_ignore
from gosuslugi_sandbox.shared.storage import Database

KEY_FILES = {"RSA": "rsa.pem", "EC": "ec.pem"}
# The number of key rows: a rotation adds one and nothing deletes any (a reset keeps the
# keys), so an equal count means the same keys. A settings row would be emptied by a reset
# and could come back to a value a worker saw before the reset (then it would not reload).
GENERATION = select(func.count()).select_from(SigningKey.__table__).scalar_subquery()
# two rotations at once: the loser retries on the keys the winner left (bounded)
ROTATE_ATTEMPTS = 20


class RotationConflict(Exception):
    """Another rotation of the same key type retired the current key first."""


def _initial_pem(config: Mapping[str, Any], kty: str) -> bytes:
    """The PEM a new stand starts with for kty."""
    if config.get("KEYS_DIR"):
        return load_or_create_pem(Path(config["KEYS_DIR"]) / KEY_FILES[kty], kty)
    legacy = Path(config["INSTANCE_PATH"]) / "keys" / KEY_FILES[kty]
    if legacy.exists():
        return legacy.read_bytes()
    return generate_pem(kty)


def ensure_keys(session: Session, config: Mapping[str, Any], moment: float) -> None:
    """Give every key type a current key (race-free: the first insert wins)."""
    for kty in KEY_FILES:
        current = session.scalar(
            select(SigningKey.kid).where(SigningKey.kty == kty, SigningKey.retired_at.is_(None))
        )
        if current is not None:
            continue
        pem = _initial_pem(config, kty)
        row = {"kid": import_private_key(pem).kid, "kty": kty, "pem": pem.decode("ascii"),
               "created_at": moment, "retired_at": None}  # fmt: skip
        insert_ignore(session, SigningKey.__table__, [row], ["kid"])


def _replace(session: Session, kty: str, moment: float, pem: bytes, kid: str) -> str:
    """Retire kty's current key, insert kid as the current one.

    The conditional UPDATE decides: when it retires no key, another rotation got there first
    (RotationConflict: roll back and try again). The partial unique index
    uq_signing_keys_one_current refuses a second current key of one type in any case.
    """
    retired = session.execute(
        update(SigningKey)
        .where(SigningKey.kty == kty, SigningKey.retired_at.is_(None))
        .values(retired_at=moment)
    ).rowcount
    if retired != 1:
        raise RotationConflict(kty)
    session.execute(
        insert(SigningKey).values(
            kid=kid, kty=kty, pem=pem.decode("ascii"), created_at=moment, retired_at=None
        )
    )
    return kid


def rotate_now(db: Database, ring: KeyRing, kty: str, moment: float) -> str:
    """Retire kty's current key at moment and make a newly generated one current, in a
    transaction of its own, again after losing to another rotation; the new kid. The new key
    is generated before the transaction starts (RSA takes up to 300 ms) and parsed once,
    here, for this worker's ring."""
    pem = generate_pem(kty)
    key = import_private_key(pem)
    ring.parsed[key.kid] = key
    for _attempt in range(ROTATE_ATTEMPTS - 1):
        try:
            with db.transaction() as session:
                return _replace(session, kty, moment, pem, key.kid)
        except (RotationConflict, IntegrityError, OperationalError):
            continue  # the winner committed: the next transaction sees its key as current
    with db.transaction() as session:
        return _replace(session, kty, moment, pem, key.kid)


@dataclass
class KeyRing:
    """One worker's parsed keys: the current ones and the recently retired ones' JWKs."""

    current: SigningKeys
    generation: int
    retired: list[tuple[dict, float]] = field(default_factory=list)  # (public JWK, retired at)
    parsed: dict[str, RSAKey | ECKey] = field(default_factory=dict)  # kid → key, kept

    def follow(self, generation: int | None, db: Database, moment: float, grace: float) -> None:
        """Reload the keys when generation is not the one this worker holds."""
        if generation is None or generation == self.generation:
            return
        with db.sessions() as session:
            fresh = load_keys(session, moment, grace, self.parsed, generation)
        # the rows read are at least as new as generation; a newer count reloads once more
        self.current, self.retired = fresh.current, fresh.retired
        self.generation = generation

    def issued_key(self, session: Session, kid: str) -> RSAKey | ECKey | None:
        """Any key this stand has signed with, current or retired (parsed once), or None."""
        if kid not in self.parsed:
            row = session.get(SigningKey, kid)
            if row is None:
                return None
            self.parsed[kid] = import_private_key(row.pem.encode("ascii"))
        return self.parsed[kid]

    def jwks(self, moment: float, grace: float) -> dict:
        """The current keys, then those retired less than grace seconds before moment."""
        recent = [jwk for jwk, retired_at in self.retired if retired_at + grace > moment]
        return {"keys": [*self.current.public_jwks()["keys"], *recent]}


def load_keys(
    session: Session,
    moment: float,
    grace: float,
    parsed: dict[str, RSAKey | ECKey] | None = None,
    generation: int | None = None,
) -> KeyRing:
    """The current keys and those retired within grace of moment, parsed (each kid once)."""
    if generation is None:
        generation = session.scalar(select(GENERATION))  # first: the rows are at least as new
    parsed = {} if parsed is None else parsed
    rows = session.scalars(
        select(SigningKey)
        .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at + grace > moment))
        .order_by(SigningKey.created_at)
    )
    newest: dict[str, SigningKey] = {}
    retired: list[tuple[dict, float]] = []
    for row in rows:
        if row.kid not in parsed:
            parsed[row.kid] = import_private_key(row.pem.encode("ascii"))
        if row.retired_at is None:
            newest[row.kty] = row
        else:
            retired.append((public_jwk(parsed[row.kid]), row.retired_at))
    retired.sort(key=lambda item: -item[1])  # the most recently retired first
    current = SigningKeys([parsed[newest[kty].kid] for kty in KEY_FILES])
    return KeyRing(current, int(generation or 0), retired, parsed)
