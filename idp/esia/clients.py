"""ESIA settings of a registered client, read from its metadata's `esia_*` extra fields.

| field | default | meaning |
|---|---|---|
| `esia_signature_mode` | `none` | `none` (any client_secret), `cms` (detached CMS), `gost` (raw) |
| `esia_certificate` | — | the certificate, PEM text (GOST R 34.10-2012; RSA for cms only) |
| `esia_certificate_file` | — | or a path to it, relative to the fixtures directory |
| `esia_allow_rsa` | false | accept RSA (real ESIA: unauthorized_client since 2020) |
| `esia_allow_v1_text` | false | accept `scope+timestamp+client_id+state` at /v2/ac and /v3/te too |
| `esia_check_timestamp` | true | refuse a timestamp outside the skew (ESIA-007015) |
| `esia_timestamp_skew` | config `ESIA_TIMESTAMP_SKEW` (300) | allowed skew in seconds |
| `esia_check_state` | true | state must be a UUID (ESIA-007003) |
| `esia_check_scope` | true | unknown scopes are refused (ESIA-007006) instead of dropped |
| `esia_check_certificate_hash` | true | client_certificate_hash must match (cms: if sent) |
| `esia_check_person_filter` | true | honour person_filter=conf_acc (ESIA-007055) |
| `esia_token_alg` | `RS256` | `RS256` or `GOST3410_2012_256` for both tokens |
The redirect URI check is not switchable: it guards against open redirects. docs/esia-gost.md
has the evidence for each strict default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import has_app_context

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.esia import certificates
from gosuslugi_sandbox.idp.esia.certificates import ClientCertificate, UnsupportedCertificate
from gosuslugi_sandbox.idp.esia.errors import UnauthorizedClient
from gosuslugi_sandbox.idp.esia.jwt import ALGORITHMS, RS256
from gosuslugi_sandbox.idp.models import Client
from gosuslugi_sandbox.shared.config import FIXTURES_DIR, switch

MODES = ("none", "cms", "gost")


def _flag(meta: dict[str, Any], name: str, default: bool = True) -> bool:
    return switch(meta.get(name), default)


@dataclass
class EsiaClient:
    """A client's ESIA switches plus its parsed certificate; the client as the ESIA
    AuthorizationServer sees it (Authlib's ClientMixin at the token endpoint)."""

    client: Client
    mode: str
    allow_rsa: bool
    allow_v1_text: bool
    check_timestamp: bool
    skew: float
    check_state: bool
    check_scope: bool
    check_certificate_hash: bool
    check_person_filter: bool
    token_alg: str
    certificate: ClientCertificate | None = None

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def auth_method(self) -> str:
        """The client-authentication method of its mode (gosuslugi_sandbox.idp.esia.client_auth)."""
        return f"esia_{self.mode}"

    def get_client_id(self) -> str:
        return self.client.client_id

    def check_grant_type(self, grant_type: str) -> bool:
        return self.client.check_grant_type(grant_type)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method


def _certificate_bytes(meta: dict[str, Any]) -> bytes | None:
    if meta.get("esia_certificate"):
        return str(meta["esia_certificate"]).encode("ascii", "replace")
    if meta.get("esia_certificate_file"):
        name = str(meta["esia_certificate_file"])
        configured = settings().fixtures_dir if has_app_context() else None
        path = Path(configured or FIXTURES_DIR) / name
        # A test fixtures directory may hold persons and clients only: fall back to the repo's.
        return (path if path.exists() else FIXTURES_DIR / name).read_bytes()
    return None


def _certificate(meta: dict[str, Any], mode: str) -> ClientCertificate:
    """The registered certificate; UnsupportedCertificate says what is wrong with it."""
    try:
        data = _certificate_bytes(meta)
    except OSError as exc:
        raise UnsupportedCertificate(f"cannot read esia_certificate_file ({exc})") from exc
    if data is None:
        raise UnsupportedCertificate(f"mode {mode} needs esia_certificate or esia_certificate_file")
    cert = certificates.load(data)
    if mode == "gost" and cert.kind != certificates.GOST:
        raise UnsupportedCertificate(
            f"mode gost signs raw GOST R 34.10-2012; the certificate is {cert.algorithm}"
        )
    return cert


def registration_problem(meta: dict[str, Any]) -> tuple[str, str] | None:
    """(field, message) when the esia_* fields cannot work, else None (control API, fixtures)."""
    mode = str(meta.get("esia_signature_mode", "none")).lower()
    if mode not in MODES:
        return "esia_signature_mode", "must be one of " + ", ".join(MODES)
    if str(meta.get("esia_token_alg", RS256)) not in ALGORITHMS:
        return "esia_token_alg", "must be one of " + ", ".join(ALGORITHMS)
    if mode == "none":
        return None
    try:
        _certificate(meta, mode)
    except UnsupportedCertificate as exc:
        field = "esia_certificate_file" if meta.get("esia_certificate_file") else "esia_certificate"
        return field, str(exc)
    return None


def client_settings(client: Client) -> EsiaClient:
    """The ESIA settings of client; an unusable certificate gives ESIA-007005 (never a 500)."""
    meta = client.client_metadata or {}
    problem = registration_problem(meta)
    if problem is not None:
        raise UnauthorizedClient(f"{problem[0]}: {problem[1]}")
    mode = str(meta.get("esia_signature_mode", "none")).lower()
    result = EsiaClient(
        client=client,
        mode=mode,
        allow_rsa=_flag(meta, "esia_allow_rsa", default=False),
        allow_v1_text=_flag(meta, "esia_allow_v1_text", default=False),
        check_timestamp=_flag(meta, "esia_check_timestamp"),
        skew=float(meta.get("esia_timestamp_skew") or settings().esia_timestamp_skew),
        check_state=_flag(meta, "esia_check_state"),
        check_scope=_flag(meta, "esia_check_scope"),
        check_certificate_hash=_flag(meta, "esia_check_certificate_hash"),
        check_person_filter=_flag(meta, "esia_check_person_filter"),
        token_alg=str(meta.get("esia_token_alg", RS256)),
    )
    if mode != "none":
        result.certificate = _certificate(meta, mode)
    return result


def hash_of_other_client(clients: list[Client], own_id: str, value: str) -> bool:
    """Whether value is the certificate hash of another registered client (ESIA-007002)."""
    wanted = (value or "").strip().upper()
    for client in clients:
        meta = client.client_metadata or {}
        mode = str(meta.get("esia_signature_mode", "")).lower()
        if client.client_id == own_id or mode not in ("cms", "gost"):
            continue
        try:
            if _certificate(meta, mode).hash == wanted:
                return True
        except UnsupportedCertificate:
            continue
    return False
