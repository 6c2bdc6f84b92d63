"""ESIA's request timestamp, `yyyy.MM.dd HH:mm:ss +ZZZZ`: one parser and formatter for the IdP,
the fake Sferum and the report card (docs/esia-gost.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
# A "+" that reached us unencoded in a query string arrives as a space: accept it as "+".
_TIMESTAMP_RE = re.compile(r"^(\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}) ?([+\- ])(\d{4})$")
FORMAT_HINT = "timestamp format must be yyyy.MM.dd HH:mm:ss Z"


def normalize_timestamp(value: str) -> str:
    """The timestamp as the client signed it (`yyyy.MM.dd HH:mm:ss +ZZZZ`); ValueError if not."""
    match = _TIMESTAMP_RE.match((value or "").strip())
    if not match:
        raise ValueError(FORMAT_HINT)
    sign = "+" if match.group(2) == " " else match.group(2)
    return f"{match.group(1)} {sign}{match.group(3)}"


def parse_timestamp(value: str) -> datetime:
    """An ESIA timestamp as an aware datetime; ValueError if it is not one."""
    return datetime.strptime(normalize_timestamp(value), TIMESTAMP_FORMAT)


def format_timestamp(moment: datetime | float) -> str:
    """An aware datetime (or a Unix time, as UTC) as an ESIA timestamp."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.strftime(TIMESTAMP_FORMAT)
