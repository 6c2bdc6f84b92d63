"""Load fixture persons and clients into the database (at start when empty, and on reset)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from idp import clients as client_store
from idp import persons as person_store
from idp.models import Base, Client, Person
from shared.config import FIXTURES_DIR
from shared.fixtures import FixtureError, load_fixture

log = logging.getLogger(__name__)


def fixtures_dir(app: Flask) -> Path:
    """The directory holding persons.yaml and clients.yaml."""
    return Path(app.config.get("FIXTURES_DIR") or FIXTURES_DIR)


def read_fixtures(app: Flask) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The persons and clients from the fixture files, validated (FixtureError names the entry)."""
    directory = fixtures_dir(app)
    variables = {"SFERUM_URL": str(app.config.get("SFERUM_URL", "")).rstrip("/")}
    persons_raw = (load_fixture(directory / "persons.yaml") or {}).get("persons", [])
    clients_raw = (load_fixture(directory / "clients.yaml", variables) or {}).get("clients", [])
    persons, clients = [], []
    for i, raw in enumerate(persons_raw):
        try:
            persons.append(person_store.validate(raw))
        except person_store.ValidationError as exc:
            raise FixtureError(f"persons.yaml entry {i}: {exc}") from exc
    for i, raw in enumerate(clients_raw):
        try:
            clients.append(client_store.validate(raw))
        except client_store.ValidationError as exc:
            raise FixtureError(f"clients.yaml entry {i}: {exc}") from exc
    return persons, clients


def populate(session: Session, app: Flask) -> None:
    """Insert the fixture persons and clients into an empty database."""
    persons, clients = read_fixtures(app)
    method = app.extensions["idp"].password_method
    for clean in persons:
        person = person_store.apply(Person(oid=clean["oid"], failed_logins=0), clean, method)
        session.add(person)
        session.flush()
        person_store.check_unique(session, person)
    for clean in clients:
        session.add(client_store.build(clean))


def load_if_empty(app: Flask) -> None:
    """Load fixtures on start when there are no persons and no clients yet."""
    db = app.extensions["idp"].db
    try:
        with db.transaction() as session:
            persons = session.scalar(select(func.count()).select_from(Person))
            clients = session.scalar(select(func.count()).select_from(Client))
            if persons == 0 and clients == 0:
                populate(session, app)
                log.info("loaded fixtures from %s", fixtures_dir(app))
    except IntegrityError:
        # another worker starting at the same moment loaded them first
        log.info("fixtures already loaded by another worker")


def reset(app: Flask) -> None:
    """Empty every IdP table (and the ESIA dialect's) and reload the fixtures, atomically."""
    db = app.extensions["idp"].db
    read_fixtures(app)  # fail before deleting anything if a fixture file is broken
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.flush()
        populate(session, app)
