"""ESIA's client_secret checks as Authlib client-authentication methods (authorization, token).

A client authenticates by its `esia_signature_mode`: `esia_cms` (detached CMS), `esia_gost`
(raw GOST R 34.10-2012) or `esia_none` (any client_secret). The signature must cover one of
the strings the client may have signed (`signed_strings`); a refusal is the ESIA error real
ESIA sends (ESIA-007053, -007005, -007014, -007002), never Authlib's invalid_client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gosuslugi_sandbox.idp.esia import checks
from gosuslugi_sandbox.idp.esia.clients import MODES, EsiaClient

METHODS = [f"esia_{mode}" for mode in MODES]


def signed_strings(form: Mapping[str, str], esia: EsiaClient, v3: bool, token: bool) -> list[str]:
    """The strings a client may have signed, most likely first (clients differ for refresh);
    `v3` at /v2/ac and /v3/te, `token` at /te and /v3/te (with the code or refresh token)."""
    scope, ts, state = form.get("scope") or "", form.get("timestamp") or "", form["state"]
    ts = checks.check_timestamp(esia, ts) if ts else ts
    cid, org, uri = esia.client_id, form.get("scope_org") or "", form.get("redirect_uri") or ""
    current = cid + scope + org + ts + state + uri
    legacy = scope + ts + cid + state
    if not token:
        return [current, legacy] if v3 else [legacy, current]
    grant_type = form.get("grant_type")
    grant_value = form["code"] if grant_type == "authorization_code" else form["refresh_token"]
    if v3 and grant_type == "authorization_code":
        return [current + grant_value]  # v3 signs the code too (docs/esia-protocol.md)
    options = [current + grant_value, current, legacy]
    return options if v3 else [legacy, current + grant_value, current]


def _method(mode: str) -> Callable:
    """Authlib's `func(query_client, request)` for the clients of one signature mode."""

    def authenticate(query_client, request) -> EsiaClient | None:
        params = request.payload.data  # the query at /ac, the form at /te
        esia = query_client(params["client_id"].strip())
        if esia is None or esia.mode != mode:
            return None  # another mode's method answers for this client
        strings = signed_strings(params, esia, request.versioned, request.token)
        checks.verify_secret(esia, params, strings, versioned=request.versioned)
        return esia

    return authenticate


def register(server) -> None:
    """Register the three modes' methods on the ESIA AuthorizationServer."""
    for mode in MODES:
        server.register_client_auth_method(f"esia_{mode}", _method(mode))
