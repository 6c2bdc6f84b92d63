"""Russian identifiers as people type them: phones, SNILS, INN, e-mail; masking and dates."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_SNILS_SPELLED = re.compile(r"^\s*(\d{3})[- ]?(\d{3})[- ]?(\d{3})[- ]?(\d{2})\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# the largest id any database here stores (a signed 64-bit integer)
class FormatError(ValueError):
    """A value that cannot be read as the identifier it claims to be."""


@dataclass(frozen=True)
class LoginCandidate:
    """One way to read what a person typed into the login field."""

    kind: str  # "phone" | "email" | "snils"
    value: str


def normalize_phone(raw: str) -> str:
    """Return a Russian mobile number as +7 and ten digits, whatever its spelling."""
    if raw is None:
        raise FormatError("empty phone")
    text = str(raw).strip()
    if not re.fullmatch(r"\+?[\d\s()\-.]+", text):
        raise FormatError(f"not a phone number: {raw!r}")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    else:
        raise FormatError(f"not a Russian phone number: {raw!r}")
    return "+" + digits


def format_phone(phone: str) -> str:
    """Return +7 965 123-45-75 (how pages show a number)."""
    d = normalize_phone(phone)[2:]
    return f"+7 {d[0:3]} {d[3:6]}-{d[6:8]}-{d[8:10]}"


def format_phone_esia(phone: str) -> str:
    """Return +7(965)1234575 (how ESIA's REST API spells a number)."""
    d = normalize_phone(phone)[2:]
    return f"+7({d[0:3]}){d[3:]}"


def mask_phone(phone: str) -> str:
    """Return +7 965 *** *75: operator code and the last two digits, as the SMS page shows."""
    d = normalize_phone(phone)[2:]
    return f"+7 {d[0:3]} *** *{d[8:10]}"


def snils_checksum(first_nine: str) -> str:
    """Return the two check digits of a SNILS whose first nine digits are given."""
    if not re.fullmatch(r"\d{9}", first_nine):
        raise FormatError("SNILS needs nine digits before the checksum")
    total = sum(int(d) * w for d, w in zip(first_nine, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    if total in (100, 101):
        total = 0
    return f"{total:02d}"


def normalize_snils(raw: str) -> str:
    """Return a SNILS as 11 digits, checking its checksum."""
    m = _SNILS_SPELLED.match(str(raw or ""))
    if not m:
        raise FormatError(f"not a SNILS: {raw!r}")
    digits = "".join(m.groups())
    if snils_checksum(digits[:9]) != digits[9:]:
        raise FormatError(f"SNILS checksum does not match: {raw!r}")
    return digits


def format_snils(snils: str) -> str:
    """Return 123-456-789 01, the usual spelling."""
    d = normalize_snils(snils)
    return f"{d[0:3]}-{d[3:6]}-{d[6:9]} {d[9:11]}"


def is_valid_inn(inn: str) -> bool:
    """Check a 12-digit personal INN (or a 10-digit one of an organisation)."""
    if not re.fullmatch(r"\d{10}|\d{12}", str(inn or "")):
        return False
    d = [int(c) for c in inn]

    def check(weights: list[int], n: int) -> int:
        return sum(w * x for w, x in zip(weights, d[:n], strict=True)) % 11 % 10

    if len(d) == 10:
        return check([2, 4, 10, 3, 5, 9, 4, 6, 8], 9) == d[9]
    return (
        check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) == d[10]
        and check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11) == d[11]
    )


def normalize_email(raw: str) -> str:
    """Return an e-mail address in lower case, or raise FormatError."""
    text = str(raw or "").strip()
    if not _EMAIL.match(text):
        raise FormatError(f"not an e-mail address: {raw!r}")
    return text.lower()


def login_candidates(raw: str) -> list[LoginCandidate]:
    """Every reading of a login (phone, e-mail or SNILS) that is well formed, best first.

    Eleven bare digits can be both a phone (89651234575) and a SNILS, so both are returned.
    """
    text = str(raw or "").strip()
    found: list[LoginCandidate] = []
    if "@" in text:
        with contextlib.suppress(FormatError):
            found.append(LoginCandidate("email", normalize_email(text)))
        return found
    for kind, parse in (("phone", normalize_phone), ("snils", normalize_snils)):
        try:
            found.append(LoginCandidate(kind, parse(text)))
        except FormatError:
            continue
    return found


def parse_date(raw: str | date) -> date:
    """Read a date as ISO (1990-04-23) or Russian (23.04.1990)."""
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    m = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise FormatError(f"not a date: {raw!r}") from exc


def format_date_ru(value: date) -> str:
    """Return 23.04.1990 (ESIA's birthDate and Russian pages)."""
    return value.strftime("%d.%m.%Y")


def normalize_login(raw: str) -> str:
    """One spelling of a login for counting attempts: its best reading, else the text folded."""
    candidates = login_candidates(raw)
    if candidates:
        return candidates[0].value
    return " ".join(str(raw or "").split()).casefold()[:150]


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for n: 1 участник, 3 участника, 5 участников, 11 участников."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_ru(n: int, one: str, few: str, many: str) -> str:
    """A number with its noun: «275 участников», «3 участника»."""
    return f"{n} {plural_ru(n, one, few, many)}"


def show_phone(value) -> str:
    """A phone as every page shows it (+7 911 111-11-11); other text is left as typed."""
    if value in (None, ""):
        return ""
    try:
        return format_phone(value)
    except FormatError:
        return str(value)


def show_date(value) -> str:
    """A date, or an ISO / Russian date string, as every page shows it (23.04.1990)."""
    if value in (None, ""):
        return ""
    try:
        return format_date_ru(parse_date(value))
    except FormatError:
        return str(value)


def show_snils(value) -> str:
    """A SNILS as every page shows it (123-456-789 01); other text is left as it is."""
    if value in (None, ""):
        return ""
    try:
        return format_snils(value)
    except FormatError:
        return str(value)


def show_login(value) -> str:
    """A login as typed, with a phone number spelled the one way pages show phones."""
    text = str(value or "").strip()
    if "@" in text:
        return text
    return show_phone(text)


def iso_time(moment: float, timespec: str = "seconds") -> str:
    """A Unix time as ISO 8601 in UTC (the control APIs' and the report card's times)."""
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec=timespec)
