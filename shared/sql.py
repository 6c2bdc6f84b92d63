"""Statements whose outcome the database decides: claim once, insert-or-ignore, upsert.

Single use and limits must hold with two workers, two hosts and PostgreSQL: a guarantee is
one conditional statement and its row count, never a read in Python followed by a write.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Delete, MetaData, Table, Update, delete
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


def insert_ignore(
    executor: Session | Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    index_elements: list[str],
) -> int:
    """INSERT … ON CONFLICT DO NOTHING; returns how many rows were inserted."""
    statement = _insert_ignore_statement(dialect_name(executor), table, tuple(index_elements))
    inserted = 0
    for row in rows:  # one at a time: an executemany's row count is not every driver's sum
        inserted += executor.execute(statement, row).rowcount
    return inserted


@functools.lru_cache(maxsize=64)
def _insert_ignore_statement(dialect: str, table: Table, index: tuple[str, ...]):
    """Built once per table, as _upsert_statement (counters insert on hot paths); the row's
    values name the columns when it runs."""
    return upsert_insert(dialect, table).on_conflict_do_nothing(index_elements=list(index))


def upsert(
    executor: Session | Connection,
    table: Table,
    row: Mapping[str, Any],
    index_elements: list[str],
    keep: tuple[str, ...] = (),
) -> None:
    """INSERT … ON CONFLICT DO UPDATE: the row ends up as given (but `keep` columns keep an
    existing row's values), however requests race."""
    upsert_all(executor, table, [row], index_elements, keep)


def upsert_all(
    executor: Session | Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    index_elements: list[str],
    keep: tuple[str, ...] = (),
) -> None:
    """upsert() for rows with the same columns, in one statement executed for each."""
    if not rows:
        return
    columns = tuple(rows[0])
    statement = _upsert_statement(
        dialect_name(executor), table, columns, tuple(index_elements), tuple(keep)
    )
    executor.execute(statement, list(rows))


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    dialect: str, table: Table, columns: tuple[str, ...], index: tuple[str, ...], keep: tuple
):
    """Built once per table and columns: building it cost more than running it (a reset runs
    one per fixture client)."""
    statement = upsert_insert(dialect, table)
    changes = {k: statement.excluded[k] for k in columns if k not in (*index, *keep)}
    return statement.on_conflict_do_update(index_elements=list(index), set_=changes)


def empty_tables(
    executor: Session | Connection, metadata: MetaData, kept: Iterable[str] = ()
) -> None:
    """DELETE every table of metadata but the kept ones, children first (a stand's reset)."""
    for statement in _deletes(metadata, frozenset(kept)):
        executor.execute(statement)


@functools.lru_cache(maxsize=8)
def _deletes(metadata: MetaData, kept: frozenset[str]) -> tuple[Delete, ...]:
    """Built once per schema: a reset runs them before every test of a suite."""
    return tuple(delete(t) for t in reversed(metadata.sorted_tables) if t.name not in kept)


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
