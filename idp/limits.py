"""The IdP's attempt limits (IDP_* settings) on the shared counters
(gosuslugi_sandbox.shared.limits).

Keys are per person, so a limit holds across codes, resends, logins, workers and hosts:

- `password:person:<oid>` — wrong passwords (MAX_FAILED_LOGINS, then LOCKOUT_SECONDS);
  a login nobody has is counted as `password:login:<normalised login>` the same way, so the
  lockout looks the same whether or not the account exists.
- `sms-wrong:<oid>` — wrong SMS codes (SMS_MAX_WRONG per SMS_WRONG_WINDOW seconds, then the
  person's SMS step is blocked for SMS_BLOCK_SECONDS).
- `pin:<certificate>` — wrong PINs of a «Эл. подпись» certificate (SIGNATURE_PIN_ATTEMPTS).
- `recovery:<kind>:<login>` — recovery codes requested (one per RECOVERY_RESEND_SECONDS);
  `recovery-wrong:<address>` — wrong recovery codes (RECOVERY_MAX_WRONG per window, then
  blocked for RECOVERY_BLOCK_SECONDS).
- `sms-resend:<oid>` — codes sent again on request (SMS_RESENDS_PER_HOUR per person);
  `sms-resend:<interaction>` — resends in one login (SMS_RESENDS_PER_LOGIN). The code a
  login sends after the password is not capped: every login needs one.
"""

from __future__ import annotations

from sqlalchemy import String, cast, literal, select

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.models import COUNTERS, Interaction, Person
from gosuslugi_sandbox.idp.runtime import db_session, now
from gosuslugi_sandbox.shared.limits import Counters, Limit

counters = Counters(COUNTERS, db_session, now)


def sms_key(oid: int) -> str:
    """The counter of a person's wrong SMS codes."""
    return f"sms-wrong:{oid}"


def _sms_blocked_until(oid):
    # the counter's blocked_until as a column of a statement that reads the person anyway
    key = literal("sms-wrong:", String) + cast(oid, String)
    return select(COUNTERS.c.blocked_until).where(COUNTERS.c.key == key).scalar_subquery()


# SQL columns: until when the SMS step of the interaction's / the person's row is blocked
SMS_BLOCKED_UNTIL = _sms_blocked_until(Interaction.person_oid)
PERSON_SMS_BLOCKED_UNTIL = _sms_blocked_until(Person.oid)


def blocked_now(until: float | None) -> bool:
    """Whether a blocked_until read with another statement is still in the future."""
    return until is not None and until > now()


def password_limit() -> Limit:
    """Wrong passwords before a lockout."""
    return Limit(
        settings().max_failed_logins,
        block_seconds=settings().lockout_seconds,
    )


def sms_wrong_limit() -> Limit:
    """Wrong SMS codes per person before the SMS step is blocked."""
    return Limit(
        settings().sms_max_wrong,
        settings().sms_wrong_window,
        settings().sms_block_seconds,
    )


def sms_resend_hourly_limit() -> Limit:
    """Codes sent again to one person per hour."""
    return Limit(settings().sms_resends_per_hour, 3600.0)


def sms_resend_limit() -> Limit:
    """Resends within one login."""
    return Limit(settings().sms_resends_per_login)


def pin_limit() -> Limit:
    """Wrong PINs a signature certificate takes; then it stays blocked (until unlock/reset)."""
    return Limit(settings().signature_pin_attempts)


def recovery_pacing() -> Limit:
    """One recovery code per RECOVERY_RESEND_SECONDS for what was typed."""
    return Limit(1, settings().recovery_resend_seconds)


def recovery_wrong_limit() -> Limit:
    """Wrong recovery codes per address across codes, then blocked."""
    return Limit(
        settings().recovery_max_wrong,
        settings().recovery_wrong_window,
        settings().recovery_block_seconds,
    )


def password_key(oid: int | None, login: str) -> str:
    """The counter of a person, or of a login nobody has."""
    return f"password:person:{oid}" if oid is not None else f"password:login:{login}"


def person_state(oid: int) -> dict:
    """What the control API shows of a person's limits."""
    moment = now()
    password = counters.state(password_key(oid, ""), password_limit())
    sms = counters.state(f"sms-wrong:{oid}", sms_wrong_limit())
    sent = counters.state(f"sms-resend:{oid}", sms_resend_hourly_limit())
    return {
        "locked": password.blocked(moment),
        "locked_until": password.blocked_until if password.blocked(moment) else None,
        "failed_logins": password.count,
        "sms_blocked": sms.blocked(moment),
        "sms_blocked_until": sms.blocked_until if sms.blocked(moment) else None,
        "sms_wrong_codes": sms.count,
        "sms_resends_last_hour": sent.count,
    }


def unlock_person(oid: int) -> None:
    """End every lockout and count of a person (not committed)."""
    counters.clear(password_key(oid, ""), f"sms-wrong:{oid}", f"sms-resend:{oid}")


def block_person(oid: int, what: str, seconds: float) -> None:
    """Block a person's password login (`password`) or SMS step (`sms`) for a while."""
    key = password_key(oid, "") if what == "password" else f"sms-wrong:{oid}"
    counters.block(key, seconds)
