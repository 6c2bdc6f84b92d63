"""Statements whose outcome the database decides: claim once, insert-or-ignore, upsert.

Single use and limits must hold with two workers, two hosts and PostgreSQL: a guarantee is
one conditional statement and its row count, never a read in Python followed by a write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, Update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

# The largest value of a BIGINT column (PostgreSQL refuses more; SQLite overflows).
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


def claimed(executor: Session | Connection, statement: Update) -> bool:
    """Run a conditional UPDATE; True when it changed exactly one row (this caller won)."""
    return executor.execute(statement).rowcount == 1


def dialect_name(executor: Session | Connection) -> str:
    """The database dialect behind a session or connection ("sqlite", "postgresql")."""
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name


def upsert_insert(dialect: str, table: Table):
    """The dialect's INSERT construct, which knows ON CONFLICT."""
    if dialect == "postgresql":
        # the dialect in use only: PostgreSQL's module costs a SQLite stand ~50 ms per start
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # the dialect in use only (see above)
    else:
        raise ValueError(f"no upsert for the {dialect} dialect (SQLite and PostgreSQL only)")
    return insert(table)


def _insert(executor: Session | Connection, table: Table):
    return upsert_insert(dialect_name(executor), table)


def insert_ignore(
    executor: Session | Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    index_elements: list[str],
) -> int:
    """INSERT … ON CONFLICT DO NOTHING; returns how many rows were inserted."""
    inserted = 0
    for row in rows:
        statement = _insert(executor, table).values(**row)
        statement = statement.on_conflict_do_nothing(index_elements=index_elements)
        inserted += executor.execute(statement).rowcount
    return inserted


def upsert(
    executor: Session | Connection,
    table: Table,
    row: Mapping[str, Any],
    index_elements: list[str],
    keep: tuple[str, ...] = (),
) -> None:
    """INSERT … ON CONFLICT DO UPDATE: the row ends up as given (but `keep` columns keep an
    existing row's values), however requests race."""
    statement = _insert(executor, table).values(**row)
    changes = {k: statement.excluded[k] for k in row if k not in (*index_elements, *keep)}
    executor.execute(statement.on_conflict_do_update(index_elements=index_elements, set_=changes))


def as_int(raw: Any, maximum: int = BIGINT_MAX, minimum: int = 1) -> int | None:
    """A path or form value as an integer a column can hold, else None (→ 404/400)."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def too_long(table: Table, values: Mapping[str, Any]) -> tuple[str, int] | None:
    """The first text value longer than its column holds, with that length, or None.

    PostgreSQL refuses such a value (a 500 at the INSERT) where SQLite stores it whole; so the
    models' lengths are checked where data comes in (control API, fixtures).
    """
    for name, value in values.items():
        column = table.c.get(name)
        length = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and length is not None and len(value) > length:
            return name, length
    return None
