"""The fake Sferum's database set-up (`flask --app gosuslugi_sandbox.relying_party init-db`).

Run once per start under the sandbox's schema lock (gosuslugi_sandbox.shared.migrations.prepare),
like the IdP's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gosuslugi_sandbox.relying_party import seed
from gosuslugi_sandbox.relying_party.config import Settings
from gosuslugi_sandbox.relying_party.models import SECRETS
from gosuslugi_sandbox.relying_party.schema import SCHEMA
from gosuslugi_sandbox.shared import instance_secrets
from gosuslugi_sandbox.shared.migrations import prepare
from gosuslugi_sandbox.shared.storage import Database, default_sqlite_url


def database_url(config: Mapping[str, Any]) -> str:
    """RP_DATABASE_URL / DATABASE_URL, else SQLite in the instance directory."""
    return config.get("DATABASE_URL") or default_sqlite_url(str(config["INSTANCE_PATH"]), "sferum")


def set_up(db: Database, config: Mapping[str, Any], moment: float) -> None:
    """Migrate, load the fixtures into a new stand, ensure the session secret."""

    settings = Settings.from_config(config)

    def load(connection: Connection) -> None:
        with Session(bind=connection) as session:
            seed.seed_if_empty(
                session, settings.fixtures_file, settings.password_hash_method, moment
            )
            session.flush()
        instance_secrets.ensure(connection, SECRETS, "secret_key")

    prepare(db.engine, SCHEMA, load)


def open_database(config: Mapping[str, Any], moment: float) -> tuple[Database, str]:
    """Set the database up and read the session secret every worker shares."""
    Path(config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    db = Database(database_url(config), SCHEMA.metadata)
    set_up(db, config, moment)
    with db.engine.connect() as connection:
        secret = instance_secrets.read(connection, SECRETS, "secret_key")
    return db, secret


def register_commands(app: Flask) -> None:
    """`flask --app gosuslugi_sandbox.relying_party init-db`."""

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the fake Sferum's schema and load the fixtures (idempotent)."""
        db = current_app.extensions["database"]
        set_up(db, current_app.config, current_app.extensions["clock"].time())
        click.echo(f"Sferum database ready: {db.engine.url!r}")
