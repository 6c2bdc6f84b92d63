"""Schema set-up: migrations match the models, old stands upgrade, fresh starts never race."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from gosuslugi_sandbox.idp.schema import SCHEMA as IDP_SCHEMA
from gosuslugi_sandbox.relying_party.schema import SCHEMA as RP_SCHEMA
from gosuslugi_sandbox.shared.migrations import (
    _alembic_config,
    _stamp_head,
    current_revision,
    migrate,
)
from tests.storage.app_starts import STARTERS, start_app

SCHEMAS = {"idp": IDP_SCHEMA, "relying_party": RP_SCHEMA}


def _differences(connection, schema) -> list:
    context = MigrationContext.configure(connection, opts={"version_table": schema.version_table})
    return compare_metadata(context, schema.metadata)


@pytest.mark.parametrize("app", SCHEMAS)
def test_schema_head_names_the_newest_migration(app):
    schema = SCHEMAS[app]
    with sa.create_engine("sqlite://").connect() as connection:
        scripts = ScriptDirectory.from_config(_alembic_config(connection, schema))
    assert scripts.get_current_head() == schema.head


@pytest.mark.parametrize("app", SCHEMAS)
def test_replaying_every_migration_gives_the_models_schema(app, database_url):
    schema = SCHEMAS[app]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection, schema), "head")
    with engine.connect() as connection:
        assert _differences(connection, schema) == []
        assert current_revision(connection, schema) == schema.head
    engine.dispose()


@pytest.mark.parametrize("app", SCHEMAS)
def test_a_new_database_is_created_and_stamped(app, database_url):
    schema = SCHEMAS[app]
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            assert migrate(connection, schema) == "created"
        with engine.begin() as connection:
            assert _differences(connection, schema) == []
            assert migrate(connection, schema) == "current"  # nothing left to do, no Alembic
            assert current_revision(connection, schema) == schema.head
    finally:
        engine.dispose()


@pytest.mark.parametrize("app", SCHEMAS)
def test_the_stamp_of_a_new_database_is_the_one_alembic_makes(app, database_url):
    """A new database is stamped without Alembic; Alembic's own stamp, in a version table of
    another name beside it, has the same columns, key and revision."""
    schema = SCHEMAS[app]
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            _stamp_head(connection, schema)
            scripts = ScriptDirectory.from_config(_alembic_config(connection, schema))
            context = MigrationContext.configure(connection, opts={"version_table": "by_alembic"})
            context.stamp(scripts, "head")
        with engine.connect() as connection:
            found = sa.inspect(connection)
            for table in (schema.version_table, "by_alembic"):
                columns = [
                    (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
                ]
                assert columns == [("version_num", "VARCHAR(32)", False)], table
                key = found.get_pk_constraint(table)
                assert (key["constrained_columns"], key["name"]) == (
                    ["version_num"],
                    f"{table}_pkc",
                )
                versions = connection.execute(sa.text(f"SELECT version_num FROM {table}")).all()
                assert versions == [(schema.head,)], table
    finally:
        engine.dispose()


def test_a_stand_made_before_migrations_is_upgraded_with_its_data(database_url, tmp_path):
    """create_all of the old models (= the baseline revision) without a version table."""
    from gosuslugi_sandbox.idp import create_app

    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection, IDP_SCHEMA), IDP_SCHEMA.baseline)
        connection.execute(sa.text(f"DROP TABLE {IDP_SCHEMA.version_table}"))
        connection.execute(
            sa.text(
                "INSERT INTO persons (oid, last_name, first_name, gender, birth_date, "
                "password_hash, level, documents, addresses, failed_logins) VALUES (77, "
                "'Старов', 'Олег', 'M', '1960-01-01', 'x', 'confirmed', '[]', '[]', 0)"
            )
        )
    engine.dispose()
    app = create_app({"INSTANCE_PATH": str(tmp_path / "idp"), "DATABASE_URL": database_url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # fmt: skip
    db = app.extensions["idp"].db
    with db.engine.connect() as connection:
        assert current_revision(connection, IDP_SCHEMA) == IDP_SCHEMA.head
        assert _differences(connection, IDP_SCHEMA) == []
        names = connection.execute(sa.text("SELECT last_name FROM persons")).scalars().all()
    assert names == ["Старов"]  # the old data stays; fixtures go only into an empty stand
    db.dispose()


@pytest.mark.parametrize("app", SCHEMAS)
def test_four_processes_starting_at_once_on_a_fresh_database_all_come_up(
    app, database_url, tmp_path
):
    configs = [
        {
            "INSTANCE_PATH": str(tmp_path / f"host{i}"),
            "DATABASE_URL": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
        for i in range(4)
    ]
    with ProcessPoolExecutor(4, mp_context=STARTERS) as pool:
        results = list(pool.map(start_app, [app] * 4, configs))
    # one schema, one fixture load, and every process reads the same secret and keys
    assert len(set(results[i][0] for i in range(4))) == 1
    assert all(r[1] == results[0][1] for r in results)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        table = "persons" if app == "idp" else "users"
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
        assert count == (6 if app == "idp" else 7)
    engine.dispose()


def test_esia_grants_move_into_the_shared_tables_on_upgrade(database_url):
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection, IDP_SCHEMA), "0002")
        connection.execute(
            sa.text(
                "INSERT INTO esia_codes (code_hash, client_id, person_oid, redirect_uri, scopes, "
                "sid, auth_time, created_at, expires_at) VALUES ('c1', 'esia-cms', 1, "
                "'http://rp/cb', '[\"openid\", \"fullname\"]', 's-1', 10, 10.0, 70.0)"
            )
        )
        for access, refresh in (("a1", "r1"), ("a1", "r2")):  # the same token twice: allowed
            connection.execute(
                sa.text(
                    "INSERT INTO esia_tokens (client_id, person_oid, scopes, sid, auth_time, "
                    "access_token_hash, refresh_token_hash, code_hash, issued_at, expires_at, "
                    "refresh_used_at, extra) VALUES ('esia-cms', 1, '[\"openid\"]', 's-1', 10, "
                    f"'{access}', '{refresh}', 'c1', 10.0, 3610.0, NULL, '{{}}')"
                )
            )
        command.upgrade(_alembic_config(connection, IDP_SCHEMA), "head")
        code = connection.execute(sa.text("SELECT * FROM authorization_codes")).mappings().one()
        tokens = connection.execute(sa.text("SELECT * FROM tokens ORDER BY id")).mappings().all()
    assert (code["protocol"], code["scope"], code["code_hash"]) == ("esia", "openid fullname", "c1")
    assert [t["refresh_token_hash"] for t in tokens] == ["r1", "r2"]
    assert {t["protocol"] for t in tokens} == {"esia"}
    assert all(t["expires_in"] == 3600 for t in tokens)
    engine.dispose()


def test_codes_sharing_a_nonce_keep_it_once_on_upgrade(database_url):
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection, IDP_SCHEMA), "0005")
        for code, client, nonce in (("c1", "rp", "n"), ("c2", "rp", "n"), ("c3", "other", "n"),
                                    ("c4", "rp", None), ("c5", "rp", None)):  # fmt: skip
            connection.execute(
                sa.text(
                    "INSERT INTO authorization_codes (code_hash, protocol, client_id, person_oid, "
                    "redirect_uri, response_type, scope, nonce, auth_time, amr, extra, "
                    "created_at, expires_at) VALUES (:code, 'oidc', :client, 1, 'http://rp/cb', "
                    "'code', 'openid', :nonce, 10, '[]', '{}', 10.0, 70.0)"
                ),
                {"code": code, "client": client, "nonce": nonce},
            )
        command.upgrade(_alembic_config(connection, IDP_SCHEMA), "head")
        rows = connection.execute(
            sa.text("SELECT code_hash, nonce FROM authorization_codes ORDER BY code_hash")
        ).all()
    # the oldest code of a client keeps the nonce; codes without one were never duplicates
    assert [tuple(r) for r in rows] == [
        ("c1", "n"),
        ("c2", None),
        ("c3", "n"),
        ("c4", None),
        ("c5", None),
    ]
    engine.dispose()
