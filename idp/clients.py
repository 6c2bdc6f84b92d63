"""Clients: RFC 7591 metadata validation (unknown extra fields such as esia_* are kept)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from gosuslugi_sandbox.idp.models import Client
from gosuslugi_sandbox.idp.validation import ValidationError

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)
ID_TOKEN_ALGS = ("RS256", "ES256")
LIST_FIELDS = ("redirect_uris", "post_logout_redirect_uris", "grant_types", "response_types")

# (field, message) or None for a client's metadata: each dialect registers its own fields' check
METADATA_CHECKS: list[Callable[[dict[str, Any]], tuple[str, str] | None]] = []


def register_metadata_check(check: Callable[[dict[str, Any]], tuple[str, str] | None]) -> None:
    """Validate a dialect's own registration fields (once per check, whatever the app count)."""
    if check not in METADATA_CHECKS:
        METADATA_CHECKS.append(check)


def _check_uri(field: str, uri: Any) -> str:
    if not isinstance(uri, str):
        raise ValidationError(field, "must be a list of absolute URLs")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") and not parts.scheme.isalpha():
        raise ValidationError(field, f"not an absolute URL: {uri}")
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.netloc):
        raise ValidationError(field, f"not an absolute URL: {uri}")
    if parts.fragment:
        raise ValidationError(field, f"must not contain a fragment: {uri}")
    return uri


def validate(data: Any, client_id: str | None = None) -> dict[str, Any]:
    """Validated metadata with client_id and client_secret; ValidationError names the field."""
    if not isinstance(data, dict):
        raise ValidationError("body", "must be a JSON object")
    meta = dict(data)
    cid = meta.pop("client_id", None) or client_id
    if client_id is not None and cid != client_id:
        raise ValidationError("client_id", "does not match the URL")
    if not isinstance(cid, str) or not cid.strip() or len(cid) > 100:
        raise ValidationError("client_id", "must be a non-empty string (max 100 characters)")
    secret = meta.pop("client_secret", None)
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise ValidationError("client_secret", "must be a non-empty string")
    for field in LIST_FIELDS:
        if field in meta and not isinstance(meta[field], list):
            raise ValidationError(field, "must be a list")
    uris = meta.get("redirect_uris")
    if not uris:
        raise ValidationError("redirect_uris", "at least one redirect URI is required")
    meta["redirect_uris"] = [_check_uri("redirect_uris", u) for u in uris]
    meta["post_logout_redirect_uris"] = [
        _check_uri("post_logout_redirect_uris", u)
        for u in meta.get("post_logout_redirect_uris", [])
    ]
    method = meta.setdefault(
        "token_endpoint_auth_method", "client_secret_basic" if secret else "none"
    )
    if method not in AUTH_METHODS:
        raise ValidationError(
            "token_endpoint_auth_method", "must be one of " + ", ".join(AUTH_METHODS)
        )
    if method != "none" and not secret:
        raise ValidationError("client_secret", f"is required for {method}")
    grants = meta.setdefault("grant_types", ["authorization_code"])
    if not grants or any(g not in GRANT_TYPES for g in grants):
        raise ValidationError("grant_types", "allowed: " + ", ".join(GRANT_TYPES))
    types = meta.setdefault("response_types", ["code"])
    if not types or any(t not in RESPONSE_TYPES for t in types):
        raise ValidationError("response_types", "only code is supported")
    scope = meta.setdefault("scope", "openid")
    if not isinstance(scope, str) or "openid" not in scope.split():
        raise ValidationError("scope", "must be a space-separated string containing openid")
    alg = meta.setdefault("id_token_signed_response_alg", "RS256")
    if alg not in ID_TOKEN_ALGS:
        raise ValidationError("id_token_signed_response_alg", "must be RS256 or ES256")
    for check in METADATA_CHECKS:  # a dialect's own fields (ESIA: esia_*)
        if (problem := check(meta)) is not None:
            raise ValidationError(*problem)
    return {"client_id": cid, "client_secret": secret, "metadata": meta}


def build(clean: dict[str, Any]) -> Client:
    """A new Client row from validated data."""
    return Client(
        client_id=clean["client_id"],
        client_secret=clean["client_secret"],
        client_metadata=clean["metadata"],
    )


def update(client: Client, clean: dict[str, Any]) -> Client:
    """Replace a client's secret and metadata with validated data."""
    client.client_secret = clean["client_secret"]
    client.client_metadata = clean["metadata"]
    return client
