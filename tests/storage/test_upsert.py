"""Upserts and emptying a schema, on SQLite and PostgreSQL: what a start and a reset rely on."""

from __future__ import annotations

import sqlalchemy as sa

from gosuslugi_sandbox.shared.sql import empty_tables, upsert, upsert_all

METADATA = sa.MetaData()
PARENTS = sa.Table(
    "parents",
    METADATA,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("body", sa.JSON),
    sa.Column("created_at", sa.Float),
)
CHILDREN = sa.Table(
    "children",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent", sa.String(20), sa.ForeignKey("parents.name")),
)
KEPT = sa.Table("kept", METADATA, sa.Column("id", sa.Integer, primary_key=True))


def rows(connection) -> list[tuple]:
    order = PARENTS.c.name
    return [tuple(r) for r in connection.execute(sa.select(PARENTS).order_by(order))]


def test_rows_end_up_as_given_but_kept_columns_keep_their_first_value(database_url):
    engine = sa.create_engine(database_url)
    METADATA.create_all(engine)
    first = [{"name": n, "body": {"v": 1}, "created_at": 1.0} for n in ("a", "b")]
    second = [{"name": n, "body": {"v": 2}, "created_at": 2.0} for n in ("b", "c")]
    with engine.begin() as connection:
        upsert_all(connection, PARENTS, first, ["name"], keep=("created_at",))
        upsert_all(connection, PARENTS, second, ["name"], keep=("created_at",))
        upsert(connection, PARENTS, {"name": "a", "body": None, "created_at": 3.0}, ["name"])
        upsert_all(connection, PARENTS, [], ["name"])  # nothing to do
        assert rows(connection) == [
            ("a", None, 3.0),  # no column kept: as given
            ("b", {"v": 2}, 1.0),
            ("c", {"v": 2}, 2.0),
        ]
    engine.dispose()


def test_emptying_deletes_children_first_and_leaves_the_kept_tables(database_url):
    engine = sa.create_engine(database_url)
    METADATA.create_all(engine)
    with engine.begin() as connection:
        connection.execute(PARENTS.insert(), [{"name": "a"}])
        connection.execute(CHILDREN.insert(), [{"id": 1, "parent": "a"}])
        connection.execute(KEPT.insert(), [{"id": 7}])
        empty_tables(connection, METADATA, {"kept"})  # PostgreSQL enforces the foreign key
        counts = [connection.scalar(sa.select(sa.func.count()).select_from(t)) for t in
                  (PARENTS, CHILDREN, KEPT)]  # fmt: skip
    assert counts == [0, 0, 1]
    engine.dispose()
