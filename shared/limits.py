"""Attempt limits kept in the database: one counter per key, changed by conditional UPDATEs.

Every limit of both apps goes through here — wrong passwords, wrong SMS codes, SMS sends,
reset codes — keyed by what is being protected (a person, a login as typed, an address), so
two workers, two hosts or forty parallel requests see one count:

- `take` counts an attempt only if the key is not blocked and has room in its window, in one
  UPDATE whose row count answers (`n = n + 1 WHERE n < limit`); a refused attempt is not
  counted and not checked.
- `fail` turns a full window into a block for `block_seconds` (the counter starts afresh after).
- `clear` forgets the key (a right password); `release` gives one attempt back (a right code).
- `hold` + `count_failure`, for a check that is one quick statement (an SMS code): `hold`
  makes the same decision as `take` and locks the key's row without counting; the check
  follows in the same transaction, and only a failed one is counted (`count_failure`, which
  also blocks a full window), before the commit. A right answer costs no second statement.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    false,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gosuslugi_sandbox.shared.sql import claimed, dialect_name, insert_ignore, upsert_insert

FOREVER = float("inf")


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts per `window_seconds`; then blocked for `block_seconds`."""

    limit: int
    window_seconds: float = FOREVER
    block_seconds: float = 0.0


@dataclass(frozen=True)
class State:
    """A key's counter as the control API and the pages show it."""

    count: int
    blocked_until: float | None

    def blocked(self, moment: float) -> bool:
        """Whether the key is blocked right now."""
        return self.blocked_until is not None and self.blocked_until > moment


def define(metadata: MetaData, table_name: str) -> Table:
    """The counters table on an app's metadata (each app names its own)."""
    return Table(
        table_name,
        metadata,
        Column("key", String(200), primary_key=True),
        Column("count", Integer, nullable=False, default=0),
        Column("window_start", Float, nullable=False),
        Column("blocked_until", Float, nullable=True),
    )


@functools.cache
def _room_statement(table: Table, dialect: str, windowed: bool, counted: int):
    """The upsert `take` (counted=1) and `hold` (counted=0) run, built once per table and
    shape (values are bound parameters: building and cache-keying a statement costs more
    than running it)."""
    c, moment = table.c, bindparam("moment", type_=Float)
    over = c.window_start + bindparam("window", type_=Float) <= moment if windowed else false()
    statement = upsert_insert(dialect, table).values(
        key=bindparam("key"), count=counted, window_start=moment, blocked_until=None
    )
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "count": case((over, counted), else_=c.count + counted),
            "window_start": case((over, moment), else_=c.window_start),
            "blocked_until": None,
        },
        where=and_(
            or_(c.blocked_until.is_(None), c.blocked_until <= moment),
            or_(c.count < bindparam("limit", type_=Integer), over),
        ),
    ).returning(c.key)  # RETURNING, not rowcount: psycopg reports no row count for an upsert


def _decide(counted: int, db, table: Table, key: str, limit: Limit, moment: float) -> bool:
    if limit.limit < 1:
        return False  # a limit of zero allows nothing and counts nothing
    windowed = limit.window_seconds != FOREVER
    params = {"key": key, "moment": moment, "limit": limit.limit}
    if windowed:
        params["window"] = limit.window_seconds
    statement = _room_statement(table, dialect_name(db), windowed, counted)
    return db.execute(statement, params).first() is not None


def hold(db: Session | Connection, table: Table, key: str, limit: Limit, moment: float) -> bool:
    """Whether key has room for an attempt (as `take` decides), counting nothing yet.

    The upsert leaves the key's row locked (SQLite: the database's write lock) until the
    transaction ends: count a failed attempt with `count_failure` before committing.
    """
    return _decide(0, db, table, key, limit, moment)


def count_failure(
    db: Session | Connection, table: Table, key: str, limit: Limit, moment: float
) -> bool:
    """Count a failed attempt on a held key, blocking it when that fills its window (as
    `take` + `fail` would, in one UPDATE). True = now blocked."""
    c = table.c
    full = c.count + 1 >= limit.limit if limit.block_seconds > 0 else false()
    statement = (
        table.update()
        .where(c.key == key)
        .values(
            count=case((full, 0), else_=c.count + 1),
            window_start=case((full, moment), else_=c.window_start),
            blocked_until=case((full, moment + limit.block_seconds), else_=c.blocked_until),
        )
        .returning(c.blocked_until)
    )
    row = db.execute(statement).first()
    return row is not None and row[0] is not None and row[0] > moment


def take(db: Session | Connection, table: Table, key: str, limit: Limit, moment: float) -> bool:
    """Count one attempt for key; False (nothing counted) when blocked or the window is full.

    One upsert decides: a new key starts at 1; an existing one is counted only when it is
    not blocked and its window has room (or is over, and starts again at 1).
    """
    return _decide(1, db, table, key, limit, moment)


def fail(db: Session | Connection, table: Table, key: str, limit: Limit, moment: float) -> bool:
    """After a failed attempt: block the key if its window is full. True = now blocked."""
    if limit.block_seconds <= 0:
        return False
    c = table.c
    statement = (
        table.update()
        .where(c.key == key, c.count >= limit.limit, c.blocked_until.is_(None))
        .values(blocked_until=moment + limit.block_seconds, count=0, window_start=moment)
    )
    return claimed(db, statement)


def block(db: Session | Connection, table: Table, key: str, until: float) -> None:
    """Block key until a moment (a fault QA armed, or a decision from outside)."""
    fresh = {"key": key, "count": 0, "window_start": until, "blocked_until": until}
    insert_ignore(db, table, [fresh], ["key"])
    db.execute(table.update().where(table.c.key == key).values(blocked_until=until, count=0))


def clear(db: Session | Connection, table: Table, *keys: str) -> None:
    """Forget the keys' counts and blocks."""
    db.execute(table.delete().where(table.c.key.in_(keys)))


def release(db: Session | Connection, table: Table, key: str) -> None:
    """Give back one counted attempt (it turned out right)."""
    c = table.c
    db.execute(table.update().where(c.key == key, c.count > 0).values(count=c.count - 1))


def state(db: Session | Connection, table: Table, key: str, limit: Limit, moment: float) -> State:
    """The key's count in its current window and its block, if any."""
    row = db.execute(select(table).where(table.c.key == key)).mappings().first()
    if row is None:
        return State(0, None)
    over = row["window_start"] + limit.window_seconds <= moment
    count = 0 if over else row["count"]
    return State(count, row["blocked_until"])


class Counters:
    """An app's counters table bound to its request session and clock (both apps use this)."""

    def __init__(
        self, table: Table, session: Callable[[], Session], clock: Callable[[], float]
    ) -> None:
        self.table = table
        self._session = session
        self._now = clock

    def take(self, key: str, limit: Limit, commit: bool = True) -> bool:
        """Count an attempt and commit it at once (it counts whatever the request does next).

        `commit=False` leaves the commit to a statement that follows at once in the same
        request (the counter's row stays locked until then, so keep that short).
        """
        allowed = take(self._session(), self.table, key, limit, self._now())
        if commit:
            self._session().commit()
        return allowed

    def hold(self, key: str, limit: Limit) -> bool:
        """Whether key has room for an attempt, counting nothing (not committed: see `hold`)."""
        return hold(self._session(), self.table, key, limit, self._now())

    def count_failure(self, key: str, limit: Limit) -> bool:
        """Count a failed attempt on a held key and commit. True = now blocked."""
        blocked = count_failure(self._session(), self.table, key, limit, self._now())
        self._session().commit()
        return blocked

    def fail(self, key: str, limit: Limit) -> bool:
        """A counted attempt failed: block the key if that filled its window (committed)."""
        blocked = fail(self._session(), self.table, key, limit, self._now())
        self._session().commit()
        return blocked

    def clear(self, *keys: str) -> None:
        """Forget counters (part of the caller's transaction)."""
        clear(self._session(), self.table, *keys)

    def release(self, key: str) -> None:
        """Give one attempt back (part of the caller's transaction)."""
        release(self._session(), self.table, key)

    def block(self, key: str, seconds: float) -> None:
        """Block key for a while (part of the caller's transaction)."""
        block(self._session(), self.table, key, self._now() + seconds)

    def state(self, key: str, limit: Limit) -> State:
        """The key's count and block."""
        return state(self._session(), self.table, key, limit, self._now())

    def blocked(self, key: str) -> bool:
        """Whether the key is blocked right now."""
        return self.state(key, Limit(1)).blocked(self._now())

    def seconds_to_room(self, key: str, limit: Limit) -> int:
        """Whole seconds until the key's full window has room again (0 = room now)."""
        row = (
            self._session()
            .execute(select(self.table).where(self.table.c.key == key))
            .mappings()
            .first()
        )
        if row is None or row["count"] < limit.limit:
            return 0
        return max(0, math.ceil(row["window_start"] + limit.window_seconds - self._now()))

    def minutes_blocked(self, key: str) -> int:
        """Whole minutes until the key's block ends (at least 1)."""
        until = self.state(key, Limit(1)).blocked_until or self._now()
        return max(1, math.ceil((until - self._now()) / 60))
