"""The IdP's tables, on one declarative Base shared with the ESIA dialect (idp/esia).

Times are float seconds since the epoch by the app's clock (gosuslugi_sandbox.idp.runtime.now), so
moving the clock through the control API moves every expiry consistently. Codes, tokens and session
ids are stored as SHA-256 digests; only the SMS outbox keeps a plain code (it is the "phone").
Over 300 lines: every table of the IdP on one declarative Base, as Alembic compares them.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gosuslugi_sandbox.idp.runtime import db_session, now
from gosuslugi_sandbox.shared import instance_secrets, limits
from gosuslugi_sandbox.shared.passwords import verify_password


class Base(DeclarativeBase):
    """Declarative base of every IdP table (gosuslugi_sandbox.idp.esia adds its tables to the same
    metadata)."""


SECRETS = instance_secrets.define(Base.metadata, "idp_secrets")
COUNTERS = limits.define(Base.metadata, "idp_counters")


class Person(Base):
    """A Gosuslugi account holder."""

    __tablename__ = "persons"

    oid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))  # "M" | "F"
    birth_date: Mapped[date] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(200))
    citizenship: Mapped[str | None] = mapped_column(String(3))
    snils: Mapped[str | None] = mapped_column(String(11), unique=True)  # 11 digits
    inn: Mapped[str | None] = mapped_column(String(12))
    mobile: Mapped[str | None] = mapped_column(String(12), unique=True)  # "+7" and ten digits
    email: Mapped[str | None] = mapped_column(String(200), unique=True)  # lower case
    password_hash: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # simplified | standard | confirmed
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    @property
    def trusted(self) -> bool:
        """Only a confirmed account is trusted."""
        return self.level == "confirmed"

    @property
    def full_name(self) -> str:
        """Фамилия Имя Отчество."""
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def check_password(self, password: str) -> bool:
        """Compare a password with the stored hash."""
        return verify_password(self.password_hash, password)

    def get_user_id(self) -> str:
        """Authlib's user id: the oid as a string (the `sub` claim)."""
        return str(self.oid)


class Client(Base):
    """A registered relying party; metadata keeps every RFC 7591 field and unknown extras."""

    __tablename__ = "clients"

    client_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    client_secret: Mapped[str | None] = mapped_column(String(200))
    client_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[float] = mapped_column(Float, default=now)

    # --- authlib ClientMixin ---
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.redirect_uris
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str) -> str:
        if not scope:
            return ""
        allowed = set(self.client_metadata.get("scope", "").split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact string match only."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and hmac.compare_digest(
            self.client_secret.encode(), (client_secret or "").encode()
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint == "token":
            return method == self.token_endpoint_auth_method
        # revocation/introspection: whatever the client authenticates with at the token endpoint
        return method in (self.token_endpoint_auth_method, "client_secret_basic", "none") and (
            method != "none" or self.is_public
        )

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.client_metadata.get("response_types", ["code"])

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.client_metadata.get("grant_types", ["authorization_code"])

    # --- metadata helpers ---
    @property
    def redirect_uris(self) -> list[str]:
        return list(self.client_metadata.get("redirect_uris", []))

    @property
    def post_logout_redirect_uris(self) -> list[str]:
        return list(self.client_metadata.get("post_logout_redirect_uris", []))

    @property
    def token_endpoint_auth_method(self) -> str:
        return self.client_metadata.get("token_endpoint_auth_method", "client_secret_basic")

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def client_name(self) -> str:
        return self.client_metadata.get("client_name") or self.client_id

    @property
    def id_token_signed_response_alg(self) -> str:
        return self.client_metadata.get("id_token_signed_response_alg", "RS256")

    def as_dict(self) -> dict[str, Any]:
        """The RFC 7591 view (client_id, client_secret and every metadata field)."""
        data = {"client_id": self.client_id, **self.client_metadata}
        if self.client_secret:
            data["client_secret"] = self.client_secret
        return data


class AuthorizationCode(Base):
    """An issued authorization code (stored as a digest), single use."""

    __tablename__ = "authorization_codes"
    # a nonce is used once per client (OIDC Core 3.1.2.1 replay): the code's INSERT decides,
    # however many resumes carry it at once (NULLs are distinct: codes without a nonce pass)
    __table_args__ = (
        Index("uq_authorization_codes_client_nonce", "client_id", "nonce", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    protocol: Mapped[str] = mapped_column(String(20), default="oidc")
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    person_oid: Mapped[int] = mapped_column(BigInteger)
    redirect_uri: Mapped[str] = mapped_column(Text, default="")
    response_type: Mapped[str] = mapped_column(String(40), default="code")
    scope: Mapped[str] = mapped_column(Text, default="")
    nonce: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(100))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    code_challenge: Mapped[str | None] = mapped_column(Text)
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    session_id: Mapped[str | None] = mapped_column(String(64))  # IdpSession.id (digest)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # dialect data
    created_at: Mapped[float] = mapped_column(Float, default=now)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float)

    # --- authlib AuthorizationCodeMixin / OpenID code ---
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr or [])

    def is_expired(self) -> bool:
        return self.expires_at <= now()


class Token(Base):
    """An access token and its refresh token (digests), with the code they came from."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol: Mapped[str] = mapped_column(String(20), default="oidc")
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    person_oid: Mapped[int | None] = mapped_column(BigInteger)
    token_type: Mapped[str] = mapped_column(String(20), default="Bearer")
    # Not unique: an ESIA access token carries no jti and RS256 is deterministic, so a refresh
    # within the same second mints the very same token; each row is still one grant.
    access_token_hash: Mapped[str] = mapped_column(String(64), index=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[float] = mapped_column(Float, default=now)
    expires_in: Mapped[int] = mapped_column(Integer, default=3600)
    access_revoked_at: Mapped[float | None] = mapped_column(Float)
    refresh_revoked_at: Mapped[float | None] = mapped_column(Float)
    code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    auth_time: Mapped[int | None] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(100))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # --- authlib TokenMixin ---
    def check_client(self, client: Client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in <= now()

    @property
    def scopes(self) -> list[str]:
        """The granted scopes as a list."""
        return self.scope.split()

    def is_revoked(self) -> bool:
        return bool(self.access_revoked_at)

    def is_refresh_token_valid(self) -> bool:
        """A refresh token is usable until revoked (it does not expire in the sandbox)."""
        return self.refresh_token_hash is not None and not self.refresh_revoked_at

    def revoke(self) -> None:
        """Revoke both the access and the refresh token."""
        moment = now()
        self.access_revoked_at = self.access_revoked_at or moment
        if self.refresh_token_hash:
            self.refresh_revoked_at = self.refresh_revoked_at or moment

    def get_user(self) -> Person | None:
        return db_session().get(Person, self.person_oid) if self.person_oid else None

    def get_client(self) -> Client | None:
        return db_session().get(Client, self.client_id)


class SmsChallenge(Base):
    """A confirmation code sent to a phone, awaiting entry (the code is kept as a digest)."""

    __tablename__ = "sms_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[str | None] = mapped_column(String(64), index=True)
    person_oid: Mapped[int | None] = mapped_column(BigInteger)
    phone: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(40), default="login")
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float, default=now)
    expires_at: Mapped[float] = mapped_column(Float)
    resend_after: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float)


class SmsMessage(Base):
    """The SMS outbox: the only place a plain confirmation code is stored."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(12), index=True)
    code: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(40), default="login")
    text: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[float] = mapped_column(Float, default=now)


class IdpSession(Base):
    """A browser's SSO session at the IdP; the cookie holds a random value, the row its digest."""

    __tablename__ = "idp_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    browser_hash: Mapped[str | None] = mapped_column(String(64))  # the browser it belongs to
    person_oid: Mapped[int] = mapped_column(BigInteger)
    auth_time: Mapped[int] = mapped_column(Integer)
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[float] = mapped_column(Float, default=now)
    expires_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)

    def is_active(self) -> bool:
        """Not ended and not expired."""
        return self.ended_at is None and self.expires_at > now()


class Interaction(Base):
    """A pending authorization: what the protocol asked for and what the person did so far."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    browser_hash: Mapped[str | None] = mapped_column(String(64))  # digest of the browser cookie
    protocol: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    needs_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float, default=now)
    expires_at: Mapped[float] = mapped_column(Float)
    # set by the login UI
    person_oid: Mapped[int | None] = mapped_column(BigInteger)  # after the password
    password_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    logged_in: Mapped[bool] = mapped_column(Boolean, default=False)  # after every factor
    auth_time: Mapped[int | None] = mapped_column(Integer)
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    session_id: Mapped[str | None] = mapped_column(String(64))
    consent: Mapped[str | None] = mapped_column(String(10))  # None | "allow" | "deny"
    finished_at: Mapped[float | None] = mapped_column(Float)


# one current key per type, however many rotations run at once (gosuslugi_sandbox.idp.keys);
# PostgreSQL's condition is added when PostgreSQL creates the table (_postgresql_condition)
CURRENT_KEY = text("retired_at IS NULL")
ONE_CURRENT_KEY = Index("uq_signing_keys_one_current", "kty", unique=True, sqlite_where=CURRENT_KEY)


class SigningKey(Base):
    """A private key the IdP signs tokens with, shared by every worker and host of the stand."""

    __tablename__ = "signing_keys"
    __table_args__ = (ONE_CURRENT_KEY,)

    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    kty: Mapped[str] = mapped_column(String(8))  # RSA | EC
    pem: Mapped[str] = mapped_column(Text)  # PKCS#8, unencrypted (test keys)
    created_at: Mapped[float] = mapped_column(Float)
    retired_at: Mapped[float | None] = mapped_column(Float)


@event.listens_for(SigningKey.__table__, "before_create")
def _postgresql_condition(_table: Table, connection: Connection, **_kw: Any) -> None:
    """The partial index's PostgreSQL condition, given once PostgreSQL creates the table."""
    # not a postgresql_where argument of the Index: that makes SQLAlchemy import its PostgreSQL
    # dialect (~30 ms) at every start, SQLite stands too (migration 0007 gives it as usual)
    if connection.dialect.name == "postgresql":
        ONE_CURRENT_KEY.dialect_kwargs["postgresql_where"] = CURRENT_KEY


CLOCK_OFFSET_KEY = "clock_offset_seconds"  # the Setting holding the control clock's offset


class Setting(Base):
    """Key/value settings every worker reads from the database (e.g. the clock offset)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
