"""The fake Sferum's attempt limits (RP_* settings) on the shared counters
(gosuslugi_sandbox.shared.limits).

- `password:user:<id>` — wrong VK ID passwords (LOCKOUT_ATTEMPTS, then LOCKOUT_SECONDS);
  a login nobody has counts as `password:login:<normalised login>` the same way, so the
  answer and the lockout look alike whether or not the account exists.
- `reset-guess:user:<id>` and `reset-guess:address:<address>` — wrong reset codes per account
  and per address (RESET_MAX_WRONG per RESET_WRONG_WINDOW, then RESET_BLOCK_SECONDS).
- `reset-send:<address>` — reset codes sent (RESET_SENDS_PER_HOUR).
"""

from __future__ import annotations

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.models import COUNTERS
from gosuslugi_sandbox.relying_party.web import db, now
from gosuslugi_sandbox.shared.limits import Counters, Limit

counters = Counters(COUNTERS, db, now)


def password_limit() -> Limit:
    """Wrong passwords before a lockout."""
    return Limit(settings().lockout_attempts, block_seconds=settings().lockout_seconds)


def reset_guess_limit() -> Limit:
    """Wrong reset codes per account or address before a block."""
    cfg = settings()
    return Limit(cfg.reset_max_wrong, cfg.reset_wrong_window, cfg.reset_block_seconds)


def reset_send_limit() -> Limit:
    """Reset codes sent to one address per hour."""
    return Limit(settings().reset_sends_per_hour, 3600.0)


def password_key(user_id: int | None, login: str) -> str:
    """The counter of an account, or of a login nobody has."""
    return f"password:user:{user_id}" if user_id is not None else f"password:login:{login}"


def user_state(user_id: int) -> dict:
    """What the control API shows of an account's lockout."""
    state = counters.state(password_key(user_id, ""), password_limit())
    return {
        "failed_logins": state.count,
        "locked_until": state.blocked_until if state.blocked(now()) else None,
    }
