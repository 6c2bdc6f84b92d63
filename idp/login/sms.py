"""SMS confirmation codes: issue (write to the outbox), check, resend rules; each use of a
code and each try is one conditional UPDATE."""

from __future__ import annotations

import enum

from sqlalchemy import bindparam, case, func, select, update

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.models import Interaction, SmsChallenge, SmsMessage
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, runtime
from gosuslugi_sandbox.shared.sql import claimed


class Check(enum.Enum):
    """The outcome of entering a code (only OK and WRONG compared it with the code)."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # its tries were used up before this one
    MISSING = "missing"


def _code_hash(challenge_key: str, code: str) -> str:
    # salted with the interaction so equal codes of two logins do not share a digest
    return digest(f"{challenge_key}:{code.strip()}")


def send_code(
    phone: str,
    interaction_id: str,
    person_oid: int | None,
    purpose: str = "login",
    retire_older: bool = True,
):
    """Issue a new code for the interaction (older ones stop working) and 'send' it.

    `retire_older=False` when the interaction cannot have codes yet (saves a statement).
    """
    moment = now()
    if retire_older:
        db_session().execute(
            update(SmsChallenge)
            .where(SmsChallenge.interaction_id == interaction_id, SmsChallenge.used_at.is_(None))
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        )
    code = runtime().sms_code(settings().sms_code_length)
    challenge = SmsChallenge(
        interaction_id=interaction_id,
        person_oid=person_oid,
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(interaction_id, code),
        attempts=0,
        created_at=moment,
        expires_at=moment + settings().sms_code_ttl,
        resend_after=moment + settings().sms_resend_seconds,
    )
    text = f"Код подтверждения: {code}. Никому не сообщайте его. Госуслуги (песочница)"
    db_session().add(challenge)
    db_session().add(SmsMessage(phone=phone, code=code, purpose=purpose, text=text, sent_at=moment))
    return challenge


def may_resend(challenge: SmsChallenge | None) -> bool:
    """Retire the current code if its resend delay is over; one of two resends at once wins."""
    if challenge is None:
        return True
    return claimed(
        db_session(),
        update(SmsChallenge)
        .where(SmsChallenge.id == challenge.id, SmsChallenge.resend_after <= now())
        .values(used_at=func.coalesce(SmsChallenge.used_at, now()))
        .execution_options(synchronize_session=False),
    )


# SQL column: when the interaction's newest code allows a resend (read with the interaction)
LATEST_RESEND_AFTER = (
    select(SmsChallenge.resend_after)
    .where(SmsChallenge.interaction_id == Interaction.id)
    .order_by(SmsChallenge.id.desc())
    .limit(1)
    .scalar_subquery()
)


def latest(interaction_id: str) -> SmsChallenge | None:
    """The newest challenge of the interaction."""
    return db_session().scalar(
        select(SmsChallenge)
        .where(SmsChallenge.interaction_id == interaction_id)
        .order_by(SmsChallenge.id.desc())
        .limit(1)
    )


# Built once (building and cache-keying a statement costs more than running it): count the
# try on the interaction's newest code and use the code up when it matches.
_NEWEST = (
    select(func.max(SmsChallenge.id))
    .where(SmsChallenge.interaction_id == bindparam("for_interaction"))
    .scalar_subquery()
)
_TRY = (
    update(SmsChallenge)
    .where(
        SmsChallenge.id == _NEWEST,
        SmsChallenge.used_at.is_(None),
        SmsChallenge.expires_at > bindparam("at"),
        SmsChallenge.attempts < bindparam("most_tries"),
    )
    .values(
        attempts=SmsChallenge.attempts + 1,
        used_at=case(
            (SmsChallenge.code_hash == bindparam("entered_hash"), bindparam("at")), else_=None
        ),
    )
    .returning(SmsChallenge.used_at, SmsChallenge.attempts)
    .execution_options(synchronize_session=False)
)


def check(interaction_id: str, code: str) -> tuple[Check, int]:
    """Check an entered code against the interaction's newest one: (outcome, tries left).

    One UPDATE counts the try and, when the code is right, uses it up (`attempts + 1`,
    `used_at` set only on a match, `WHERE used_at IS NULL AND attempts < max`), so parallel
    guesses get no extra tries and a code wins only once. Not committed: the caller commits
    it at once, with the person's wrong-code counter when the code was wrong.
    """
    session, moment, most = db_session(), now(), settings().sms_max_attempts
    entered = _code_hash(interaction_id, code or "")
    params = {"for_interaction": interaction_id, "at": moment, "most_tries": most}
    row = session.execute(_TRY, {**params, "entered_hash": entered}).first()
    if row is not None:
        return (Check.OK if row.used_at is not None else Check.WRONG), max(0, most - row.attempts)
    challenge = latest(interaction_id)  # refused: say why (nothing was compared)
    if challenge is None or challenge.used_at is not None:
        return Check.MISSING, 0
    if challenge.expires_at <= moment:
        return Check.EXPIRED, 0
    return Check.EXHAUSTED, 0


def resend_wait(resend_after: float | None) -> int:
    """Seconds until a new code may be requested (0 = now; None: no code yet)."""
    if resend_after is None:
        return 0
    return max(0, int(resend_after - now() + 0.999))
