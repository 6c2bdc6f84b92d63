"""What the IdP saw of each protocol request: one row per request, written after it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gosuslugi_sandbox.idp.models import Base


class RpEvent(Base):
    """One protocol request of a relying party (secrets only as digests).

    kind: authorize | redirect | token | userinfo | person | jwks | discovery |
    certificate. auth_key ties
    the requests of one authorization together (digest of the interaction id); data holds
    what the checks need (state/nonce/PKCE facts, code and token digests, faults served).
    """

    __tablename__ = "rp_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[float] = mapped_column(Float)
    dialect: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(100), index=True)
    auth_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
