"""Flow attempts kept server-side (one row per trip to Gosuslugi): create, consume once."""

from __future__ import annotations

from sqlalchemy import update

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.models import FlowAttempt
from gosuslugi_sandbox.relying_party.web import db, now
from gosuslugi_sandbox.shared.sql import claimed


def store_attempt(
    state: str, purpose: str, user_id: int | None, nonce: str = "", code_verifier: str = ""
) -> None:
    """Persist a fresh attempt (committed: the browser leaves for the IdP next)."""
    db().add(
        FlowAttempt(
            state=state,
            nonce=nonce,
            code_verifier=code_verifier,
            purpose=purpose,
            user_id=user_id,
            created_at=now(),
        )
    )
    db().commit()


def consume_attempt(state: str) -> FlowAttempt:
    """Mark the attempt used (exactly once, across workers) and return it; else refuse."""
    # Only one UPDATE can flip consumed_at from NULL, whichever worker runs it.
    result = db().execute(
        update(FlowAttempt)
        .where(FlowAttempt.state == state, FlowAttempt.consumed_at.is_(None))
        .values(consumed_at=now())
    )
    db().commit()
    if not state or result.rowcount != 1:
        raise GosuslugiError("state_unknown", "state unknown or already used")
    attempt = db().get(FlowAttempt, state)
    if attempt.created_at + settings().flow_ttl_seconds < now():
        raise GosuslugiError("state_expired", "attempt too old")
    return attempt


def finish_attempt(attempt: FlowAttempt) -> bool:
    """Close the attempt (linked or cancelled): one conditional UPDATE, one winner."""
    won = claimed(
        db(),
        update(FlowAttempt)
        .where(FlowAttempt.state == attempt.state, FlowAttempt.finished.is_(False))
        .values(finished=True)
        .execution_options(synchronize_session=False),
    )
    attempt.finished = True
    return won
