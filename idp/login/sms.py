"""SMS confirmation codes: issue (write to the outbox), check, resend rules."""

from __future__ import annotations

import enum

from sqlalchemy import select, update

from idp.models import SmsChallenge, SmsMessage
from idp.runtime import config, db_session, digest, now, runtime


class Check(enum.Enum):
    """The outcome of entering a code."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    MISSING = "missing"


def _code_hash(challenge_key: str, code: str) -> str:
    # salted with the interaction so equal codes of two logins do not share a digest
    return digest(f"{challenge_key}:{code.strip()}")


def send_code(phone: str, interaction_id: str, person_oid: int | None, purpose: str = "login"):
    """Issue a new code for the interaction (older ones stop working) and 'send' it."""
    moment = now()
    db_session().execute(
        update(SmsChallenge)
        .where(SmsChallenge.interaction_id == interaction_id, SmsChallenge.used_at.is_(None))
        .values(used_at=moment)
    )
    code = runtime().sms_code(int(config("SMS_CODE_LENGTH", 6)))
    challenge = SmsChallenge(
        interaction_id=interaction_id,
        person_oid=person_oid,
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(interaction_id, code),
        attempts=0,
        created_at=moment,
        expires_at=moment + int(config("SMS_CODE_TTL", 300)),
        resend_after=moment + int(config("SMS_RESEND_SECONDS", 60)),
    )
    text = f"Код подтверждения: {code}. Никому не сообщайте его. Госуслуги (песочница)"
    db_session().add(challenge)
    db_session().add(SmsMessage(phone=phone, code=code, purpose=purpose, text=text, sent_at=moment))
    return challenge


def latest(interaction_id: str) -> SmsChallenge | None:
    """The newest challenge of the interaction."""
    return db_session().scalar(
        select(SmsChallenge)
        .where(SmsChallenge.interaction_id == interaction_id)
        .order_by(SmsChallenge.id.desc())
        .limit(1)
    )


def attempts_left(challenge: SmsChallenge) -> int:
    """How many more tries the person has for this code."""
    return max(0, int(config("SMS_MAX_ATTEMPTS", 3)) - challenge.attempts)


def check(challenge: SmsChallenge | None, code: str) -> Check:
    """Check an entered code, counting the attempt (the caller commits)."""
    if challenge is None or challenge.used_at is not None:
        return Check.MISSING
    if challenge.expires_at <= now():
        return Check.EXPIRED
    if attempts_left(challenge) <= 0:
        return Check.EXHAUSTED
    challenge.attempts += 1
    if _code_hash(challenge.interaction_id or "", code or "") == challenge.code_hash:
        challenge.used_at = now()
        return Check.OK
    return Check.EXHAUSTED if attempts_left(challenge) <= 0 else Check.WRONG


def resend_wait(challenge: SmsChallenge | None) -> int:
    """Seconds until a new code may be requested (0 = now)."""
    if challenge is None:
        return 0
    return max(0, int(challenge.resend_after - now() + 0.999))
