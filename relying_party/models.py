"""Database tables of the fake Sferum."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gosuslugi_sandbox.shared import instance_secrets, limits


class Base(DeclarativeBase):
    """Declarative base with its own metadata."""

    metadata = MetaData()


SECRETS = instance_secrets.define(Base.metadata, "sferum_secrets")
COUNTERS = limits.define(Base.metadata, "sferum_counters")


class User(Base):
    """A Sferum (VK ID) profile."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    gender: Mapped[str | None] = mapped_column(String(1), nullable=True)  # M | F
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40), default="none")
    subjects: Mapped[str] = mapped_column(String(300), default="")
    availability: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[float] = mapped_column(Float, default=0.0)

    link: Mapped[GosuslugiLink | None] = relationship(back_populates="user", uselist=False)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by="Membership.id"
    )

    @property
    def full_name(self) -> str:
        """First name, patronymic, surname (how Sferum titles a profile)."""
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def short_name(self) -> str:
        """First name and surname (the header)."""
        return f"{self.first_name} {self.last_name}"

    @property
    def first_name_accusative(self) -> str:
        """The first name in the accusative («Заблокировать Елизавету»), for common endings."""
        name = self.first_name or ""
        if self.gender == "F" or name.endswith(("а", "я")):
            if name.endswith("а"):
                return name[:-1] + "у"
            if name.endswith("я"):
                return name[:-1] + "ю"
            return name
        if name.endswith("й"):
            return name[:-1] + "я"
        if name.endswith("ь"):
            return name[:-1] + "я"
        if name and name[-1] not in "аеёиоуыэюя":
            return name + "а"
        return name

    @property
    def verified(self) -> bool:
        """Whether the profile is linked to a confirmed Gosuslugi account."""
        return self.link is not None


class School(Base):
    """An educational organisation."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    opened: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")

    classes: Mapped[list[SchoolClass]] = relationship(order_by="SchoolClass.name")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="school", order_by="Membership.id"
    )


class SchoolClass(Base):
    """A class (4А, 4Б…) of a school."""

    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(20))


class Membership(Base):
    """A user's place in a school: role and classes."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "school_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    role: Mapped[str] = mapped_column(String(40))  # administrator | teacher | pupil | parent
    classes: Mapped[str] = mapped_column(String(200), default="")  # "4А, 4В, 4Б"

    user: Mapped[User] = relationship(back_populates="memberships")
    school: Mapped[School] = relationship(back_populates="memberships")


class Invite(Base):
    """An invite link to a school."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(40), default="teacher")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float, default=0.0)


class JoinRequest(Base):
    """A request to join a school (applied directly or through an invite link)."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    role: Mapped[str] = mapped_column(String(40), default="teacher")
    via: Mapped[str] = mapped_column(String(20), default="application")  # application | invite
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[float] = mapped_column(Float, default=0.0)
    decided_at: Mapped[float | None] = mapped_column(Float, nullable=True)

    user: Mapped[User] = relationship()
    school: Mapped[School] = relationship()


class GosuslugiLink(Base):
    """One Sferum profile linked to one Gosuslugi account (one to one both ways)."""

    __tablename__ = "gosuslugi_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    oid: Mapped[str] = mapped_column(String(64), unique=True)
    snils: Mapped[str] = mapped_column(String(20), default="")
    linked_at: Mapped[float] = mapped_column(Float, default=0.0)

    user: Mapped[User] = relationship(back_populates="link")


class FlowAttempt(Base):
    """One trip to Gosuslugi: state, nonce and PKCE verifier, then the verified identity."""

    __tablename__ = "flow_attempts"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(20))  # link | login
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    consumed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    identity: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    password_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)


class Event(Base):
    """An entry of the event log (link, sync, unlink, login…)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    oid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """A code the RP "sent" (password reset), readable through the control API."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[float] = mapped_column(Float)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40), default="password_reset")
    code: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class CacheEntry(Base):
    """A cached IdP document (discovery, JWKS), shared by every worker."""

    __tablename__ = "idp_cache"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)
    fetched_at: Mapped[float] = mapped_column(Float)


class UserSession(Base):
    """A logged-in browser (server-side, so it can be revoked); the cookie holds a random id,
    the row its digest."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
