"""One trip's attempt from start to end (LinkAttempt), one row per trip to Gosuslugi.

Its life: started → consumed by the callback → verified (the identity kept) → password
confirmed → linked or cancelled. Its rules live here once: the state is single use (a
conditional UPDATE whose row count decides), the attempt belongs to the browser and the user
that started it, and it expires FLOW_TTL_SECONDS after its start.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity
from gosuslugi_sandbox.relying_party.gosuslugi.sync import apply_identity
from gosuslugi_sandbox.relying_party.models import FlowAttempt, GosuslugiLink, User
from gosuslugi_sandbox.relying_party.web import db, log_event, now
from gosuslugi_sandbox.shared.sql import claimed


def linked_user(oid: str) -> User | None:
    """The profile a Gosuslugi account is linked to, if any."""
    link = db().scalar(select(GosuslugiLink).where(GosuslugiLink.oid == oid))
    return link.user if link else None


class LinkAttempt:
    """A trip's attempt (link or login) and every step of its life."""

    def __init__(self, row: FlowAttempt) -> None:
        self.row = row

    @classmethod
    def start(
        cls, purpose: str, user_id: int | None, state: str, nonce: str = "", code_verifier: str = ""
    ) -> LinkAttempt:
        """Persist a fresh attempt (committed: the browser leaves for the IdP next)."""
        row = FlowAttempt(
            state=state,
            nonce=nonce,
            code_verifier=code_verifier,
            purpose=purpose,
            user_id=user_id,
            created_at=now(),
        )
        db().add(row)
        db().commit()
        return cls(row)

    @classmethod
    def consume(cls, state: str, browser_state: str | None) -> LinkAttempt:
        """This browser's attempt, marked used exactly once across workers; else refuse."""
        if not state or state != browser_state:
            # Not the attempt this browser started (or it is gone): nothing to continue.
            raise GosuslugiError("state_unknown", "state is not this browser's")
        # Only one UPDATE can flip consumed_at from NULL, whichever worker runs it; the row
        # it returns is the winner's (as gosuslugi_sandbox.idp.storage.consume redeems codes).
        row = (
            db()
            .scalars(
                update(FlowAttempt)
                .where(FlowAttempt.state == state, FlowAttempt.consumed_at.is_(None))
                .values(consumed_at=now())
                .returning(FlowAttempt)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            .first()
        )
        db().commit()
        if row is None:
            raise GosuslugiError("state_unknown", "state unknown or already used")
        attempt = cls(row)
        if attempt.expired:
            raise GosuslugiError("state_expired", "attempt too old")
        return attempt

    @classmethod
    def purpose_of(cls, state: str) -> str:
        """What the attempt behind a state was for (link when it is unknown)."""
        row = db().get(FlowAttempt, state)
        return row.purpose if row else "link"

    @classmethod
    def pending(
        cls, state: str | None, user: User | None, password_confirmed: bool = False
    ) -> LinkAttempt | None:
        """The verified, unfinished link attempt of this browser and user, if there is one."""
        row = db().get(FlowAttempt, state) if state else None
        if row is None or row.identity is None or row.finished:
            return None
        attempt = cls(row)
        if not attempt.owned_by(user) or (password_confirmed and not row.password_ok):
            return None
        return attempt

    @property
    def state(self) -> str:
        """The state sent to the IdP."""
        return self.row.state

    @property
    def purpose(self) -> str:
        """link or login."""
        return self.row.purpose

    @property
    def expired(self) -> bool:
        """Older than FLOW_TTL_SECONDS."""
        return self.row.created_at + settings().flow_ttl_seconds < now()

    def owned_by(self, user: User | None) -> bool:
        """A fresh link attempt that this user started."""
        return (
            user is not None
            and self.row.purpose == "link"
            and self.row.user_id == user.id
            and not self.expired
        )

    @property
    def identity(self) -> Identity | None:
        """The verified identity, once the callback has kept it."""
        return Identity.from_record(self.row.identity) if self.row.identity else None

    def verified(self, user: User | None, identity: Identity) -> None:
        """Keep the identity for the password step; GosuslugiError when it cannot be linked."""
        if not self.owned_by(user):
            raise GosuslugiError("state_unknown", "the attempt is another user's")
        if not identity.trusted:
            raise GosuslugiError("not_trusted")
        if user.verified:
            raise GosuslugiError("profile_linked")
        if linked_user(identity.oid) is not None:
            raise GosuslugiError("already_linked")
        self.row.identity = identity.record()
        db().commit()

    def confirm_password(self) -> None:
        """The VK ID password was given again: the link may be written."""
        self.row.password_ok = True
        db().commit()

    def _close(self) -> bool:
        """Finish the attempt: one conditional UPDATE, one winner across workers."""
        won = claimed(
            db(),
            update(FlowAttempt)
            .where(FlowAttempt.state == self.row.state, FlowAttempt.finished.is_(False))
            .values(finished=True)
            .execution_options(synchronize_session=False),
        )
        self.row.finished = True
        return won

    def link(self, user: User, sync: bool) -> None:
        """Write the link (and the synced fields) in one transaction; GosuslugiError if lost."""
        identity = self.identity
        changed = apply_identity(user, identity) if sync else []
        if not self._close():  # a second «Связать» at once: one of them links
            db().rollback()
            raise GosuslugiError("flow_lost", "the attempt was finished meanwhile")
        db().add(
            GosuslugiLink(user_id=user.id, oid=identity.oid, snils=identity.snils, linked_at=now())
        )
        if changed:
            log_event(db(), "sync", user.id, identity.oid, fields=changed)
        log_event(db(), "link", user.id, identity.oid)
        try:
            db().commit()
        except IntegrityError as exc:
            db().rollback()
            raise GosuslugiError("already_linked", "oid linked meanwhile") from exc

    def cancel(self, user: User) -> None:
        """Finish without a link; GosuslugiError when it was finished meanwhile."""
        if not self._close():
            raise GosuslugiError("flow_lost", "the attempt was finished meanwhile")
        log_event(db(), "link_cancelled", user.id, self.identity.oid)
        db().commit()
