"""Tables of «Восстановить»: recovery codes and the e-mail outbox.

A try of a recovery code is counted before it is checked, and the code is used up by the same
statement that compares it: conditional UPDATEs whose row count decides. (PINs and resend
pacing are counted by gosuslugi_sandbox.idp.limits.)
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Integer, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from gosuslugi_sandbox.idp.models import Base
from gosuslugi_sandbox.idp.runtime import db_session


class RecoveryCode(Base):
    """One password recovery: where its code went, tries, lifetime, single use."""

    __tablename__ = "recovery_codes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the flow, in the session
    person_oid: Mapped[int | None] = mapped_column(BigInteger)  # None: no such account
    channel: Mapped[str] = mapped_column(String(10))  # sms | email
    address: Mapped[str] = mapped_column(String(200), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    interaction_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    resend_after: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float)


class EmailMessage(Base):
    """A letter the sandbox "sent" (it sends none): the e-mail outbox."""

    __tablename__ = "email_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(200), index=True)  # lower case
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(40), default="recovery")
    sent_at: Mapped[float] = mapped_column(Float)


def count_code_attempt(flow_id: str, limit: int, moment: float) -> bool:
    """Count one try of a live, unused recovery code; False when none is left."""
    result = db_session().execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.id == flow_id,
            RecoveryCode.attempts < limit,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.expires_at > moment,
        )
        .values(attempts=RecoveryCode.attempts + 1)
    )
    return result.rowcount == 1


def use_code(flow_id: str, code_hash: str, moment: float) -> bool:
    """Use the code up if it is this one and unused (one statement: compare and spend)."""
    result = db_session().execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.id == flow_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.person_oid.is_not(None),
        )
        .values(used_at=moment)
    )
    return result.rowcount == 1
