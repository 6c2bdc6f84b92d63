"""Request checks shared by the authorization and token endpoints (each raises an EsiaError)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import uuid
from collections.abc import Mapping

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from gosuslugi_sandbox.idp.esia import certificates, signatures
from gosuslugi_sandbox.idp.esia.clients import EsiaClient, hash_of_other_client
from gosuslugi_sandbox.idp.esia.errors import (
    CertificateMismatch,
    InvalidParameter,
    InvalidScope,
    MissingParameter,
    UnauthorizedClient,
    WrongClientSecret,
)
from gosuslugi_sandbox.idp.models import Client
from gosuslugi_sandbox.idp.runtime import db_session, now

# ESIA's scopes for a person (docs/esia-protocol.md "Scopes"); the URI is the oldest form.
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


def refuse_repeated(params: MultiDict, *names: str) -> None:
    """ESIA-007003 naming the first parameter (of names, else of all) sent more than once."""
    for name in names or params.keys():
        if len(params.getlist(name)) > 1:
            raise InvalidParameter(name)


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
    esia: EsiaClient, params: Mapping[str, str], messages: list[str], versioned: bool
) -> None:
    """Check client_secret by the client's mode against the strings it may have signed.

    At /v2/ac and /v3/te (`versioned`) the v1 string scope+timestamp+client_id+state counts
    only for clients marked `esia_allow_v1_text`: real ESIA signs the current strings there.
    """
    if esia.mode == "none":
        return
    cert = esia.certificate
    if cert.kind == certificates.RSA and not esia.allow_rsa:
        raise UnauthorizedClient("RSA keys are refused since 2020 (esia_allow_rsa for legacy)")
    secret = params.get("client_secret") or ""
    if not secret.strip():
        raise MissingParameter("client_secret")
    check_certificate_hash(esia, params)
    candidates = list(messages)
    if versioned:
        v1 = _v1_string(esia, params)
        candidates = [m for m in candidates if m != v1]
        if esia.allow_v1_text:
            candidates.append(v1)
    encoded = [m.encode("utf-8") for m in candidates]
    if esia.mode == "cms":
        signatures.verify_cms(secret, cert, encoded)
    else:
        signatures.verify_gost(secret, cert, encoded)


def _v1_string(esia: EsiaClient, params: Mapping[str, str]) -> str:
    """scope + timestamp (as signed) + client_id + state, the /ac and /te string."""
    ts = params.get("timestamp") or ""
    with contextlib.suppress(signatures.TimestampOutOfRange):  # unchecked timestamps: as sent
        ts = signatures.normalize_timestamp(ts)
    return (params.get("scope") or "") + ts + esia.client_id + (params.get("state") or "")


def check_certificate_hash(esia: EsiaClient, params: Mapping[str, str]) -> None:
    """client_certificate_hash: required in gost mode, checked in cms mode when sent.

    A wrong value is ESIA-007053 (access_denied), the hash of another client's certificate
    ESIA-007002.
    """
    value = params.get("client_certificate_hash") or ""
    if not esia.check_certificate_hash or (esia.mode == "cms" and not value.strip()):
        return
    if not value.strip():
        raise MissingParameter("client_certificate_hash")
    if signatures.certificate_hash_matches(esia.certificate, value):
        return
    clients = list(db_session().scalars(select(Client)))
    if hash_of_other_client(clients, esia.client_id, value):
        raise CertificateMismatch("client_certificate_hash")
    raise WrongClientSecret("client_certificate_hash")
