"""ESIA settings of a registered client, read from its metadata's `esia_*` extra fields.

| field | default | meaning |
|---|---|---|
| `esia_signature_mode` | `none` | `none` (any client_secret), `cms` (detached CMS), `gost` |
| `esia_certificate` | — | the client's certificate, PEM text (cms: RSA X.509; gost: GOST X.509) |
| `esia_certificate_file` | — | or a path to it, relative to the fixtures directory |
| `esia_check_timestamp` | true | refuse a timestamp outside the skew (ESIA-007015) |
| `esia_timestamp_skew` | config `ESIA_TIMESTAMP_SKEW` (300) | allowed skew in seconds |
| `esia_check_state` | true | state must be a UUID (ESIA-007003) |
| `esia_check_scope` | true | unknown scopes are refused (ESIA-007006) instead of dropped |
| `esia_check_certificate_hash` | true | gost: client_certificate_hash must match (007053/007002) |
| `esia_check_person_filter` | true | honour person_filter=conf_acc (ESIA-007055) |
| `esia_token_alg` | `RS256` | `RS256` or `GOST3410_2012_256` for both tokens |
The redirect URI check is not switchable: it guards against open redirects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from flask import current_app

from idp.esia import gost, signatures
from idp.esia.errors import ServerError
from idp.esia.tokens import ALGORITHMS, RS256
from idp.models import Client
from shared.config import FIXTURES_DIR

MODES = ("none", "cms", "gost")


def _flag(meta: dict[str, Any], name: str, default: bool = True) -> bool:
    value = meta.get(name, default)
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off", "")
    return bool(value)


@dataclass
class EsiaClient:
    """A client's ESIA switches plus its parsed certificate."""

    client: Client
    mode: str
    check_timestamp: bool
    skew: float
    check_state: bool
    check_scope: bool
    check_certificate_hash: bool
    check_person_filter: bool
    token_alg: str
    rsa_certificate: x509.Certificate | None = None
    gost_certificate: gost.GostCertificate | None = None

    @property
    def client_id(self) -> str:
        return self.client.client_id


def _certificate_bytes(meta: dict[str, Any]) -> bytes | None:
    if meta.get("esia_certificate"):
        return str(meta["esia_certificate"]).encode("ascii", "replace")
    if meta.get("esia_certificate_file"):
        name = str(meta["esia_certificate_file"])
        path = Path(current_app.config.get("FIXTURES_DIR") or FIXTURES_DIR) / name
        # A test fixtures directory may hold persons and clients only: fall back to the repo's.
        return (path if path.exists() else FIXTURES_DIR / name).read_bytes()
    return None


def settings(client: Client) -> EsiaClient:
    """The ESIA settings of client; a misconfigured registration gives ESIA-007007."""
    meta = client.client_metadata or {}
    mode = str(meta.get("esia_signature_mode", "none")).lower()
    alg = str(meta.get("esia_token_alg", RS256))
    if mode not in MODES or alg not in ALGORITHMS:
        raise ServerError("client registration: bad esia_signature_mode or esia_token_alg")
    result = EsiaClient(
        client=client,
        mode=mode,
        check_timestamp=_flag(meta, "esia_check_timestamp"),
        skew=float(meta.get("esia_timestamp_skew") or current_app.config["ESIA_TIMESTAMP_SKEW"]),
        check_state=_flag(meta, "esia_check_state"),
        check_scope=_flag(meta, "esia_check_scope"),
        check_certificate_hash=_flag(meta, "esia_check_certificate_hash"),
        check_person_filter=_flag(meta, "esia_check_person_filter"),
        token_alg=alg,
    )
    if mode == "none":
        return result
    try:
        data = _certificate_bytes(meta)
        if data is None:
            raise ValueError("no esia_certificate")
        if mode == "cms":
            result.rsa_certificate = signatures.load_rsa_certificate(data)
        else:
            result.gost_certificate = gost.GostCertificate.parsed(data)
    except (OSError, ValueError, TypeError) as exc:
        raise ServerError("client registration: the esia certificate cannot be read") from exc
    return result


def hash_of_other_client(clients: list[Client], own_id: str, value: str) -> bool:
    """Whether value is the GOST certificate hash of another registered client (ESIA-007002)."""
    wanted = (value or "").strip().upper()
    for client in clients:
        if client.client_id == own_id:
            continue
        meta = client.client_metadata or {}
        if str(meta.get("esia_signature_mode", "")).lower() != "gost":
            continue
        try:
            data = _certificate_bytes(meta)
            if data and gost.GostCertificate.parsed(data).hash == wanted:
                return True
        except (OSError, ValueError, TypeError):
            continue
    return False
