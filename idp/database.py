"""The IdP's database set-up (`flask --app gosuslugi_sandbox.idp init-db`): schema, fixtures, keys,
secret.

Run once per start under the sandbox's schema lock (gosuslugi_sandbox.shared.migrations.prepare): by
`harness serve` before any worker is forked, and by `create_app` in case a worker was
started some other way. Whoever comes second finds the work done.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp import fixtures
from gosuslugi_sandbox.idp.config import Settings
from gosuslugi_sandbox.idp.keys import KeyRing, ensure_keys, load_keys
from gosuslugi_sandbox.idp.models import SECRETS
from gosuslugi_sandbox.idp.schema import SCHEMA
from gosuslugi_sandbox.shared import instance_secrets
from gosuslugi_sandbox.shared.migrations import prepare
from gosuslugi_sandbox.shared.passwords import DEFAULT_METHOD
from gosuslugi_sandbox.shared.storage import Database, default_sqlite_url

log = logging.getLogger(__name__)


def database_url(config: Mapping[str, Any]) -> str:
    """IDP_DATABASE_URL / DATABASE_URL, else SQLite in the instance directory."""
    return config.get("DATABASE_URL") or default_sqlite_url(str(config["INSTANCE_PATH"]), "idp")


def password_method(config: Mapping[str, Any]) -> str:
    """The password hashing method (tests inject a cheap one)."""
    return config.get("PASSWORD_HASH_METHOD") or DEFAULT_METHOD


def set_up(db: Database, config: Mapping[str, Any]) -> None:
    """Migrate, load fixtures into a new stand, refresh fixture clients, ensure keys and secret."""
    moment = (config.get("CLOCK_BASE") or time.time)()

    def seed(connection: Connection) -> None:
        with Session(bind=connection) as session:
            fixtures.load_at_start(session, config, password_method(config), moment)
            ensure_keys(session, config, moment)
            session.flush()
        instance_secrets.ensure(connection, SECRETS, "secret_key")

    prepare(db.engine, SCHEMA, seed)


def open_database(config: Mapping[str, Any]) -> tuple[Database, KeyRing, str]:
    """Set the database up, then read what every worker shares: signing keys and secret."""
    Path(config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    db = Database(database_url(config), SCHEMA.metadata)
    set_up(db, config)
    moment = (config.get("CLOCK_BASE") or time.time)()
    with db.sessions() as session:
        keys = load_keys(session, moment, Settings.from_config(config).key_rotation_grace)
    with db.engine.connect() as connection:
        secret = instance_secrets.read(connection, SECRETS, "secret_key")
    return db, keys, secret


def register_commands(app: Flask) -> None:
    """`flask --app gosuslugi_sandbox.idp init-db`."""

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the IdP's schema and load the fixtures (idempotent)."""
        set_up(current_app.extensions["idp"].db, current_app.config)
        click.echo(f"IdP database ready: {current_app.extensions['idp'].db.engine.url!r}")
