"""Persons: validation of fixture/control input, lookup by login, and the JSON view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.validation import ValidationError
from gosuslugi_sandbox.shared.formats import (
    FormatError,
    format_date_ru,
    format_phone,
    format_snils,
    is_valid_inn,
    login_candidates,
    normalize_email,
    normalize_phone,
    normalize_snils,
    parse_date,
)
from gosuslugi_sandbox.shared.passwords import hash_password
from gosuslugi_sandbox.shared.sql import BIGINT_MAX, as_int, too_long

LEVELS = ("simplified", "standard", "confirmed")
LEVEL_NAMES = {"simplified": "Упрощённая", "standard": "Стандартная", "confirmed": "Подтверждённая"}
REQUIRED = ("oid", "last_name", "first_name", "gender", "birth_date", "level", "password")
FIELDS = (
    *REQUIRED,
    "middle_name",
    "birth_place",
    "citizenship",
    "snils",
    "inn",
    "mobile",
    "email",
    "documents",
    "addresses",
)


def _clean(field: str, value: Any) -> Any:
    """Check and normalise one field's value."""
    if field == "oid":
        if isinstance(value, bool) or as_int(value) is None:
            raise ValidationError(field, f"must be a positive integer up to {BIGINT_MAX}")
        return as_int(value)
    if field in ("last_name", "first_name", "password"):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(field, "must be a non-empty string")
        return value if field == "password" else value.strip()
    if field in ("middle_name", "birth_place", "citizenship"):
        if value is not None and not isinstance(value, str):
            raise ValidationError(field, "must be a string or null")
        return value.strip() if isinstance(value, str) and value.strip() else None
    if field == "gender":
        if value not in ("M", "F"):
            raise ValidationError(field, "must be M or F")
        return value
    if field == "level":
        if value not in LEVELS:
            raise ValidationError(field, "must be one of " + ", ".join(LEVELS))
        return value
    if field in ("documents", "addresses"):
        value = value or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValidationError(field, "must be a list of objects")
        return [{k: _json_safe(v) for k, v in item.items()} for item in value]
    if value is None or value == "":
        return None
    try:
        if field == "birth_date":
            return parse_date(value)
        if field == "snils":
            return normalize_snils(str(value))
        if field == "mobile":
            return normalize_phone(str(value))
        if field == "email":
            return normalize_email(str(value))
    except FormatError as exc:
        raise ValidationError(field, str(exc).encode("ascii", "replace").decode()) from exc
    if field == "inn":
        if not is_valid_inn(str(value)):
            raise ValidationError(field, "not a valid INN (10 or 12 digits with checksum)")
        return str(value)
    raise ValidationError(field, "unknown field")


def _json_safe(value: Any) -> Any:
    """Dates inside documents/addresses become ISO strings."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def validate(data: Any, partial: bool = False) -> dict[str, Any]:
    """Validated, normalised person fields; ValidationError names the first bad field."""
    if not isinstance(data, dict):
        raise ValidationError("body", "must be a JSON object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(unknown[0], "unknown field")
    if not partial:
        for field in REQUIRED:
            if data.get(field) in (None, ""):
                raise ValidationError(field, "is required")
    clean = {field: _clean(field, data[field]) for field in FIELDS if field in data}
    if clean.get("birth_date") is None and "birth_date" in clean:
        raise ValidationError("birth_date", "is required")
    overlong = too_long(Person.__table__, {k: v for k, v in clean.items() if k != "password"})
    if overlong is not None:
        raise ValidationError(overlong[0], f"must be at most {overlong[1]} characters")
    return clean


def apply(
    person: Person, clean: dict[str, Any], password_method: str, fixture: bool = False
) -> Person:
    """Copy validated fields onto a Person, hashing the password (a fixture's once per
    process, see gosuslugi_sandbox.shared.passwords)."""
    for field, value in clean.items():
        if field == "password":
            person.password_hash = hash_password(value, password_method, fixture)
        elif field != "oid":
            setattr(person, field, value)
    return person


UNIQUE_FIELDS = ("mobile", "email", "snils")


def check_unique(session: Session, person: Person) -> None:
    """Refuse a mobile, e-mail or SNILS that another person already has."""
    for field in UNIQUE_FIELDS:
        value = getattr(person, field)
        if value is None:
            continue
        other = session.scalar(select(Person).where(getattr(Person, field) == value))
        if other is not None and other.oid != person.oid:
            raise ValidationError(field, f"already used by person {other.oid}")


def check_unique_among(persons: list[dict[str, Any]]) -> None:
    """Refuse a mobile, e-mail or SNILS that two of these validated persons share."""
    for field in UNIQUE_FIELDS:
        owners: dict[Any, int] = {}
        for clean in persons:
            value = clean.get(field)
            if value is None:
                continue
            if value in owners:
                raise ValidationError(field, f"already used by person {owners[value]}")
            owners[value] = clean["oid"]


def find_by_login(session: Session, login: str) -> Person | None:
    """The person whose phone, e-mail or SNILS matches what was typed, or None."""
    return find_by_login_with(session, login, ())[0]


def find_by_login_with(session: Session, login: str, columns: tuple) -> tuple[Person | None, tuple]:
    """`find_by_login`, with extra columns (of the person's row) read in the same statement:
    (the person, the columns' values; all None without a person)."""
    by = {"phone": Person.mobile, "email": Person.email, "snils": Person.snils}
    for candidate in login_candidates(login):
        query = select(Person, *columns).where(by[candidate.kind] == candidate.value)
        row = session.execute(query).first()
        if row is not None:
            return row[0], tuple(row[1:])
    return None, (None,) * len(columns)


def to_dict(person: Person) -> dict[str, Any]:
    """The control API's JSON view (as in fixtures/persons.yaml, without the password)."""
    return {
        "oid": person.oid,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "birth_place": person.birth_place,
        "citizenship": person.citizenship,
        "snils": format_snils(person.snils) if person.snils else None,
        "inn": person.inn,
        "mobile": person.mobile,
        "email": person.email,
        "level": person.level,
        "trusted": person.trusted,
        "documents": person.documents or [],
        "addresses": person.addresses or [],
        **limits.person_state(person.oid),
    }


def display(person: Person) -> dict[str, str]:
    """Russian display values for pages (cabinet, landing)."""
    return {
        "ФИО": person.full_name,
        "Пол": "Женский" if person.gender == "F" else "Мужской",
        "Дата рождения": format_date_ru(person.birth_date),
        "Место рождения": person.birth_place or "—",
        "СНИЛС": format_snils(person.snils) if person.snils else "—",
        "ИНН": person.inn or "—",
        "Мобильный телефон": format_phone(person.mobile) if person.mobile else "—",
        "Электронная почта": person.email or "—",
        "Учётная запись": LEVEL_NAMES.get(person.level, person.level),
    }
