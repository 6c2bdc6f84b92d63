"""Load fixtures/sferum.yaml into the database (at start on an empty database, and on reset)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gosuslugi_sandbox.relying_party.models import (
    SECRETS,
    Base,
    Invite,
    JoinRequest,
    Membership,
    School,
    SchoolClass,
    User,
)
from gosuslugi_sandbox.shared.fixtures import FixtureError, load_fixture
from gosuslugi_sandbox.shared.formats import (
    FormatError,
    normalize_email,
    normalize_phone,
    parse_date,
)
from gosuslugi_sandbox.shared.passwords import hash_password
from gosuslugi_sandbox.shared.sql import INT_MAX, as_int, empty_tables, too_long


def user_from_data(data: dict, hash_method: str, now: float, fixture: bool = False) -> User:
    """Build a User from fixture or control-API data (plain-text password; a fixture's hash
    is made once per process, see gosuslugi_sandbox.shared.passwords)."""
    try:
        phone = normalize_phone(data["phone"]) if data.get("phone") else None
        email = normalize_email(data["email"]) if data.get("email") else None
        birth = parse_date(data["birth_date"]) if data.get("birth_date") else None
    except FormatError as exc:
        raise FixtureError(f"user {data.get('id')}: {exc}") from exc
    if not (phone or email):
        raise FixtureError(f"user {data.get('id')}: needs a phone or an e-mail")
    if not data.get("password") or not data.get("first_name") or not data.get("last_name"):
        raise FixtureError(f"user {data.get('id')}: first_name, last_name, password are required")
    if data.get("id") is not None and as_int(data["id"], INT_MAX) is None:
        raise FixtureError(f"user {data.get('id')}: id must be a positive integer up to {INT_MAX}")
    gender = data.get("gender")
    if gender not in (None, "M", "F"):
        raise FixtureError(f"user {data.get('id')}: gender must be M or F")
    user = User(
        id=int(data["id"]) if data.get("id") is not None else None,
        last_name=str(data["last_name"]),
        first_name=str(data["first_name"]),
        middle_name=str(data.get("middle_name") or ""),
        gender=gender,
        birth_date=birth,
        phone=phone,
        email=email,
        contact_phone=str(data.get("contact_phone") or ""),
        password_hash=hash_password(str(data["password"]), hash_method, fixture),
        role=str(data.get("role") or "none"),
        subjects=str(data.get("subjects") or ""),
        availability=str(data.get("availability") or ""),
        created_at=now,
    )
    stored = {c.name: getattr(user, c.key) for c in User.__table__.c if c.name != "password_hash"}
    overlong = too_long(User.__table__, stored)
    if overlong is not None:
        name, length = overlong
        raise FixtureError(f"user {data.get('id')}: {name} must be at most {length} characters")
    return user


def load_into(session: Session, path: str, hash_method: str, now: float) -> None:
    """Insert every fixture row; the caller owns the transaction."""
    data = load_fixture(path) or {}
    try:
        for u in data.get("users", []):
            session.add(user_from_data(u, hash_method, now, fixture=True))
        for s in data.get("schools", []):
            school = School(
                id=int(s["id"]),
                name=s["name"],
                city=s.get("city", ""),
                address=s.get("address", ""),
                opened=parse_date(s["opened"]) if s.get("opened") else None,
                description=s.get("description", ""),
            )
            session.add(school)
            for name in s.get("classes", []):
                session.add(SchoolClass(school_id=school.id, name=str(name)))
        session.flush()
        for m in data.get("memberships", []):
            session.add(
                Membership(
                    user_id=int(m["user"]),
                    school_id=int(m["school"]),
                    role=m["role"],
                    classes=", ".join(str(c) for c in m.get("classes", [])),
                )
            )
        for r in data.get("join_requests", []):
            session.add(
                JoinRequest(
                    user_id=int(r["user"]),
                    school_id=int(r["school"]),
                    role=r.get("role", "teacher"),
                    via=r.get("via", "application"),
                    created_at=now,
                )
            )
        for i in data.get("invites", []):
            session.add(
                Invite(school_id=int(i["school"]), token=i["token"], role=i.get("role", "teacher"))
            )
        session.flush()
    except (KeyError, TypeError, ValueError) as exc:
        raise FixtureError(f"{path}: {exc!r}") from exc


def seed_if_empty(session: Session, path: str, hash_method: str, now: float) -> None:
    """Load the fixtures when the database has no users yet."""
    if session.scalar(select(User.id).limit(1)) is None:
        load_into(session, path, hash_method, now)


def reset(session: Session, path: str, hash_method: str, now: float) -> None:
    """Empty every table but the stand's secrets and load the fixtures again."""
    empty_tables(session, Base.metadata, {SECRETS.name})
    load_into(session, path, hash_method, now)
