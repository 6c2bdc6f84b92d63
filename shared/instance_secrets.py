"""Secrets a stand generates once (the session secret): a table, so every worker and host agrees.

A Flask SECRET_KEY kept in one host's instance directory signs cookies the next host refuses;
kept here, any host of the stand reads the same value. `POST /_control/reset` keeps it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Column, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection

from gosuslugi_sandbox.shared.sql import insert_ignore


def define(metadata: MetaData, table_name: str) -> Table:
    """The table on an app's metadata (name → value); each app names its own, as the two apps
    may share one database."""
    return Table(
        table_name,
        metadata,
        Column("name", String(64), primary_key=True),
        Column("value", Text, nullable=False),
    )


def ensure(
    connection: Connection,
    table: Table,
    name: str,
    factory: Callable[[], str] = lambda: secrets.token_hex(32),
) -> str:
    """The stored value of name, created by factory if nobody stored one yet (race-free)."""
    insert_ignore(connection, table, [{"name": name, "value": factory()}], ["name"])
    return connection.execute(select(table.c.value).where(table.c.name == name)).scalar_one()


def read(connection: Connection, table: Table, name: str) -> str | None:
    """The stored value of name, or None."""
    return connection.execute(select(table.c.value).where(table.c.name == name)).scalar()
