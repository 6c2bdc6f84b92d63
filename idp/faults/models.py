"""Tables of the fault injector: armed faults and the effects a served fault leaves behind.

Both live on the core's Base, so `POST /_control/reset` empties them with everything else,
and every worker sees the same rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gosuslugi_sandbox.idp.models import Base


class ArmedFault(Base):
    """A fault armed for the next `remaining` matching responses."""

    __tablename__ = "armed_faults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fault: Mapped[str] = mapped_column(String(60))
    client_id: Mapped[str | None] = mapped_column(String(100))  # None = any client
    endpoint: Mapped[str | None] = mapped_column(String(20))  # transport faults only
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    times: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)

    def as_dict(self) -> dict[str, Any]:
        """The control API's view of the row."""
        return {
            "id": self.id,
            "fault": self.fault,
            "client_id": self.client_id,
            "endpoint": self.endpoint,
            "params": dict(self.params or {}),
            "times": self.times,
            "remaining": self.remaining,
            "created_at": self.created_at,
        }


class FaultEffect(Base):
    """What a served fault changed for a while: the JWKS shape.

    kind: `jwks_single` (data: kty) or `jwks_decoy` (data: jwk, a public key nobody signs
    with) until `until`. (A key rotation is the IdP's own: the signing_keys table.)
    """

    __tablename__ = "fault_effects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[float] = mapped_column(Float)
    until: Mapped[float | None] = mapped_column(Float)
