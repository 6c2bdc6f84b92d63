"""The ESIA dialect's tables (on the core's Base): authorization codes and token grants.

Codes, access tokens and refresh tokens are stored as SHA-256 digests (idp.runtime.digest).
A code and a refresh token are single use; a second use gives ESIA-007011.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.models import Base


class EsiaCode(Base):
    """An authorization code issued by /aas/oauth2/ac or /v2/ac."""

    __tablename__ = "esia_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    person_oid: Mapped[int] = mapped_column(BigInteger)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sid: Mapped[str] = mapped_column(String(64))  # urn:esia:sid shared by the tokens
    auth_time: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float)


class EsiaToken(Base):
    """One token response: its access token and refresh token (digests)."""

    __tablename__ = "esia_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    person_oid: Mapped[int] = mapped_column(BigInteger)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sid: Mapped[str] = mapped_column(String(64))
    auth_time: Mapped[int] = mapped_column(Integer)
    # Not unique: RS256 is deterministic, so a refresh within the same second re-mints the
    # very same access token (ESIA's claims carry no jti); each row is still one grant.
    access_token_hash: Mapped[str] = mapped_column(String(64), index=True)
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    refresh_used_at: Mapped[float | None] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
