"""Schema set-up shared by both apps: Alembic migrations run once, under a database-wide lock.

`prepare(engine, schema)` is what every start runs (the `init-db` command, `harness serve`
before the workers fork, and `create_app` in case neither ran): it takes a lock that every
process and host using the database shares, brings the schema to the newest revision, runs
the app's seeding step, and releases the lock. Two workers or two hosts starting at once
therefore run it one after the other, and the second finds nothing left to do.

- An empty database gets `metadata.create_all` and is stamped with the newest revision
  (Alembic's recipe for a new database: no migration replays).
- A database created by a version before migrations (tables, no version table) is stamped
  with the baseline revision, then upgraded.
- Otherwise the pending migrations run.
"""

from __future__ import annotations

import fcntl
import functools
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateIndex, CreateTable

# One advisory-lock key for the whole sandbox: the IdP and Sferum may share one database.
LOCK_KEY = zlib.crc32(b"gosuslugi-sandbox schema") & 0x7FFFFFFF
_MEMORY_LOCK = threading.Lock()


@dataclass(frozen=True)
class Schema:
    """What an app's schema set-up needs to know."""

    metadata: MetaData
    script_location: str  # "package:migrations"
    version_table: str
    baseline: str  # the revision matching a database created before migrations
    head: str  # the newest revision (tests check it against the scripts)


@contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """Hold the sandbox's schema lock: a PostgreSQL advisory lock, or a file lock for SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        with _MEMORY_LOCK:
            yield
        return
    path = Path(database).with_name(Path(database).name + ".setup-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(connection: Connection, schema: Schema) -> str | None:
    """The revision the database is at, or None (no version table, or empty)."""
    if not inspect(connection).has_table(schema.version_table):
        return None
    return connection.execute(text(f"SELECT version_num FROM {schema.version_table}")).scalar()


def is_current(engine: Engine, schema: Schema) -> bool:
    """Whether the database is already at the newest revision (one cheap query)."""
    with engine.connect() as conn:
        return current_revision(conn, schema) == schema.head


def _alembic_config(connection: Connection, schema: Schema):
    from alembic.config import Config  # on first use, as `command` in migrate()

    config = Config()
    config.set_main_option("script_location", schema.script_location)
    config.attributes.update(
        connection=connection, metadata=schema.metadata, version_table=schema.version_table
    )
    return config


def migrate(connection: Connection, schema: Schema) -> str:
    """Bring the schema to the newest revision; returns what was done (for the log)."""
    revision = current_revision(connection, schema)
    if revision == schema.head:
        return "current"  # every start but the first: no need to load Alembic's scripts
    tables = set(inspect(connection).get_table_names()) if revision is None else set()
    if revision is None and not tables & set(schema.metadata.tables):  # an empty database
        create_tables(connection, schema.metadata)
        _stamp_head(connection, schema)
        return "created"
    from alembic import command  # ~0.2 s of imports and script loading, only when needed

    config = _alembic_config(connection, schema)
    if revision is None:
        command.stamp(config, schema.baseline)
        command.upgrade(config, "head")
        return "stamped the pre-migration schema, then upgraded"
    command.upgrade(config, "head")
    return "upgraded"


def create_tables(connection: Connection, metadata: MetaData) -> None:
    """The schema's tables and indexes in a database that has none of them."""
    if connection.dialect.name != "sqlite":
        metadata.create_all(connection, checkfirst=False)  # PostgreSQL: see _SQLITE_DDL
        return
    statements = _SQLITE_DDL.get(metadata)
    if statements is None:
        statements = _SQLITE_DDL[metadata] = _compiled_ddl(metadata, connection.dialect)
    for statement in statements:
        connection.exec_driver_sql(statement)


# What create_all runs on an empty SQLite database, compiled once per process: most tests
# build apps on a fresh SQLite database, and create_all compiled the same statements and asked
# for each table first every time (a quarter of building a Sferum app). Only for SQLite: no
# table listens for its creation there (the IdP's signing keys do on PostgreSQL).
_SQLITE_DDL: dict[MetaData, tuple[str, ...]] = {}


def _compiled_ddl(metadata: MetaData, dialect) -> tuple[str, ...]:
    """CREATE TABLE and CREATE INDEX statements in create_all's order."""
    statements = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    return tuple(statements)


@functools.cache
def _version_table(name: str) -> Table:
    """The version table as Alembic's MigrationContext creates it (a test compares the two)."""
    return Table(
        name,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{name}_pkc"),
    )


def _stamp_head(connection: Connection, schema: Schema) -> None:
    """Stamp a just-created schema with the newest revision: what `alembic stamp head` leaves
    (the version table holding `schema.head`), without importing Alembic. Its runtime and
    every dialect's DDL module cost a process that creates a database some 0.13 s of CPU,
    and most processes that create one never migrate anything."""
    table = _version_table(schema.version_table)
    table.create(connection, checkfirst=False)
    connection.execute(table.insert(), {"version_num": schema.head})


def prepare(engine: Engine, schema: Schema, seed: Callable[[Connection], None]) -> None:
    """Under the schema lock: migrate, then run `seed` in the same transaction."""
    with setup_lock(engine):
        if engine.dialect.name == "sqlite" and not is_current(engine, schema):
            _migrate_sqlite(engine, schema)
        with engine.begin() as connection:
            migrate(connection, schema)
            seed(connection)


def _migrate_sqlite(engine: Engine, schema: Schema) -> None:
    """SQLite rebuilds a table to change it, which foreign keys forbid: they are off meanwhile.

    (PRAGMA foreign_keys is ignored inside a transaction, so it is set on a connection that
    has none yet; Alembic's own recommendation for batch migrations.)
    """
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                migrate(connection, schema)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def run_env() -> None:
    """The body of an app's migrations/env.py (online mode on the connection passed in)."""
    from alembic import context  # on first use, as `command` in migrate()

    attributes = context.config.attributes
    context.configure(
        connection=attributes["connection"],
        target_metadata=attributes["metadata"],
        version_table=attributes["version_table"],
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
