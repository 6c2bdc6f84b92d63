"""The bearer token of an `Authorization` header (RFC 6750 section 2.1), parsed in one place."""

from __future__ import annotations


def bearer_token(header: str | None) -> str | None:
    """The token of `Bearer <token>` (scheme in any case), or None."""
    scheme, _, value = (header or "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None
