"""Which profile fields a Gosuslugi link governs, how they differ, and how they are synced."""

from __future__ import annotations

from dataclasses import dataclass

from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity
from gosuslugi_sandbox.relying_party.models import User
from gosuslugi_sandbox.relying_party.web import GENDER_LABELS
from gosuslugi_sandbox.shared.formats import parse_date, show_date

# Fields taken from Gosuslugi and read-only while the profile is linked.
LOCKED_FIELDS = ("last_name", "first_name", "middle_name", "gender", "birth_date")
FIELD_LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "gender": "Пол",
    "birth_date": "Дата рождения",
}


@dataclass
class FieldDiff:
    """One row of the side-by-side table."""

    field: str
    label: str
    sferum: str
    gosuslugi: str

    @property
    def differs(self) -> bool:
        return self.sferum != self.gosuslugi


def display(field: str, value) -> str:
    """A field's value as the pages show it."""
    if value in (None, ""):
        return ""
    if field == "gender":
        return GENDER_LABELS.get(value, value)
    if field == "birth_date":
        return show_date(value)
    return str(value)


def compare(user: User, identity: Identity) -> list[FieldDiff]:
    """Every governed field, Sferum value next to the Gosuslugi one."""
    rows = []
    for field in LOCKED_FIELDS:
        ours = getattr(user, field)
        if field == "birth_date" and ours is not None:
            ours = ours.isoformat()
        rows.append(
            FieldDiff(
                field,
                FIELD_LABELS[field],
                display(field, ours),
                display(field, getattr(identity, field)),
            )
        )
    return rows


def apply_identity(user: User, identity: Identity) -> list[str]:
    """Copy the Gosuslugi values into the profile; return the names of changed fields."""
    changed = []
    for row in compare(user, identity):
        if not row.differs:
            continue
        value = getattr(identity, row.field) or None
        if row.field == "birth_date" and value:
            value = parse_date(value)
        if row.field in ("last_name", "first_name", "middle_name"):
            value = value or ""
        setattr(user, row.field, value)
        changed.append(row.field)
    return changed
