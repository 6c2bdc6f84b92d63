"""The person a trip to Gosuslugi verified (Identity), mapped the same way from either dialect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.shared.formats import FormatError, parse_date


@dataclass(frozen=True)
class Identity:
    """A verified Gosuslugi person: what the pages show and what a link writes."""

    oid: str
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    gender: str = ""  # M, F or empty
    birth_date: str = ""  # ISO date or empty
    snils: str = ""
    trusted: bool = False

    def record(self) -> dict:
        """The JSON kept with the attempt between the callback and «Связать»."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: Mapping) -> Identity:
        """The identity back from its stored JSON."""
        return cls(**record)


@dataclass(frozen=True)
class PersonFields:
    """Where a dialect's person document keeps each field, and how strictly it is read."""

    what: str  # names the document in log details
    renamed: Mapping[str, str]  # Identity field → the document's name, where they differ
    genders: Mapping[str, str] = field(default_factory=lambda: {"M": "M", "F": "F"})
    unknown_gender_refused: bool = True  # else an unknown value leaves the gender empty
    birth_date_form: re.Pattern | None = None  # a form the text must have before parsing


def map_identity(oid: str, person: Mapping, fields: PersonFields, trusted: bool) -> Identity:
    """The Identity from a dialect's verified person document; idp_garbage on bad fields."""

    def text(name: str) -> str:
        value = person.get(fields.renamed.get(name, name))
        return value.strip() if isinstance(value, str) else ""

    birth = text("birth_date")
    if birth:
        if fields.birth_date_form is not None and not fields.birth_date_form.match(birth):
            raise GosuslugiError("idp_garbage", f"{fields.what}: birth date form")
        try:
            birth = parse_date(birth).isoformat()
        except FormatError as exc:
            raise GosuslugiError("idp_garbage", f"{fields.what}: birth date unreadable") from exc
    gender = text("gender")
    if gender and gender not in fields.genders and fields.unknown_gender_refused:
        raise GosuslugiError("idp_garbage", f"{fields.what}: gender {gender!r}")
    return Identity(
        oid=oid,
        last_name=text("last_name"),
        first_name=text("first_name"),
        middle_name=text("middle_name"),
        gender=fields.genders.get(gender, ""),
        birth_date=birth,
        snils=text("snils"),
        trusted=trusted,
    )
