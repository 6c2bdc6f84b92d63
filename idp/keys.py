"""The IdP's signing keys, kept in the database so that every worker and host signs alike.

At set-up each key type (RSA for RS256, EC for ES256) gets a current key if it has none:
taken from `KEYS_DIR` when that is configured (tests share one generated pair; a team may
pin its own), from a stand's older instance directory (`<instance>/keys/*.pem`, where the
keys lived before they moved here), or generated. Workers parse them once at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp.models import SigningKey
from gosuslugi_sandbox.shared.keys import (
    SigningKeys,
    generate_pem,
    import_private_key,
    load_or_create_pem,
)
from gosuslugi_sandbox.shared.sql import insert_ignore

KEY_FILES = {"RSA": "rsa.pem", "EC": "ec.pem"}


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


def load_keys(session: Session) -> SigningKeys:
    """The current key of each type, parsed (once per worker: at start)."""
    rows = session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at)
    )
    newest = {row.kty: row for row in rows}
    return SigningKeys([import_private_key(newest[kty].pem.encode("ascii")) for kty in KEY_FILES])
