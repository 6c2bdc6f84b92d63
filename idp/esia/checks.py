"""Request checks shared by the authorization and token endpoints (each raises an EsiaError)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping

from sqlalchemy import select

from idp.esia import signatures
from idp.esia.clients import EsiaClient, hash_of_other_client
from idp.esia.errors import (
    CertificateMismatch,
    InvalidParameter,
    InvalidScope,
    MissingParameter,
    WrongClientSecret,
)
from idp.models import Client
from idp.runtime import db_session, now

# ESIA's scopes for a person (esia-protocol.md "Scopes"); the URI is the oldest form.
KNOWN_SCOPES = frozenset(
    {
        "openid", "fullname", "birthdate", "gender", "snils", "inn", "id_doc", "email",
        "mobile", "contacts", "addresses", "usr_org", "birthplace", "citizenship",
        "http://esia.gosuslugi.ru/usr_inf",
    }
)  # fmt: skip
USR_INF = "http://esia.gosuslugi.ru/usr_inf"


def require(params: Mapping[str, str], *names: str) -> None:
    """ESIA-007014 naming the first missing (or empty) parameter."""
    for name in names:
        if not (params.get(name) or "").strip():
            raise MissingParameter(name)


def check_state(esia: EsiaClient, state: str) -> None:
    """ESIA-007003 unless state is a UUID (when the client's switch is on)."""
    if not esia.check_state:
        return
    try:
        uuid.UUID(state.strip())
    except ValueError as exc:
        raise InvalidParameter("state") from exc


def check_timestamp(esia: EsiaClient, value: str) -> str:
    """ESIA-007015 unless within the skew of the IdP's clock; the value as signed."""
    if not esia.check_timestamp:
        try:
            return signatures.normalize_timestamp(value)
        except signatures.TimestampOutOfRange:
            return value
    return signatures.check_timestamp(value, now(), esia.skew)


def parse_scopes(esia: EsiaClient, raw: str) -> list[str]:
    """The requested scopes, in order; unknown or not registered → ESIA-007006 (or dropped)."""
    allowed = set((esia.client.client_metadata or {}).get("scope", "").split())
    result: list[str] = []
    for scope in raw.split():
        name = "usr_inf" if scope == USR_INF else scope
        ok = scope in KNOWN_SCOPES and (scope in allowed or name in allowed)
        if not ok:
            if esia.check_scope:
                raise InvalidScope(scope)
            continue
        if name not in result:
            result.append(name)
    if not result:
        raise InvalidScope("no usable scope")
    return result


def wants_confirmed_only(esia: EsiaClient, raw: str | None) -> bool:
    """Whether person_filter (base64) asks for confirmed accounts only; ESIA-007003 if bad."""
    if not raw or not esia.check_person_filter:
        return False
    text = raw.strip().replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise InvalidParameter("person_filter") from exc
    return "conf_acc" in decoded


def verify_secret(
    esia: EsiaClient, params: Mapping[str, str], messages: list[str], gost_messages: list[str]
) -> None:
    """Check client_secret by the client's mode; `messages` for CMS, `gost_messages` for GOST."""
    if esia.mode == "none":
        return
    secret = params.get("client_secret") or ""
    if not secret.strip():
        raise MissingParameter("client_secret")
    if esia.mode == "cms" and esia.rsa_certificate is not None:
        signatures.verify_cms(secret, esia.rsa_certificate, [m.encode() for m in messages])
        return
    if esia.gost_certificate is None:
        raise WrongClientSecret("no registered certificate")
    cert_hash = params.get("client_certificate_hash") or ""
    if esia.check_certificate_hash:
        if not cert_hash.strip():
            raise MissingParameter("client_certificate_hash")
        if not signatures.certificate_hash_matches(esia.gost_certificate, cert_hash):
            clients = list(db_session().scalars(select(Client)))
            if hash_of_other_client(clients, esia.client_id, cert_hash):
                raise CertificateMismatch("client_certificate_hash")
            raise WrongClientSecret("client_certificate_hash")
    signatures.verify_gost(secret, esia.gost_certificate, [m.encode() for m in gost_messages])
