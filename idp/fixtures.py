"""Fixture persons and clients: loaded into a new stand, clients refreshed at every start, reset.

Fixture clients follow the stand's configuration (the `sferum` client's redirect URIs are
built from SFERUM_URL), so they are brought up to date at every start; persons are loaded
only into a stand that has none, so QA's own data survives restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from idp import clients as client_store
from idp import persons as person_store
from idp.models import SECRETS, Base, Client, Person, SigningKey
from shared.config import FIXTURES_DIR
from shared.fixtures import FixtureError, load_fixture
from shared.sql import upsert

log = logging.getLogger(__name__)

# what a reset keeps: the stand's identity, not its data
KEPT_ON_RESET = {SigningKey.__tablename__, SECRETS.name}


def fixtures_dir(config: Mapping[str, Any]) -> Path:
    """The directory holding persons.yaml and clients.yaml."""
    return Path(config.get("FIXTURES_DIR") or FIXTURES_DIR)


def read_fixtures(config: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """The persons and clients from the fixture files, validated (FixtureError names the entry)."""
    directory = fixtures_dir(config)
    variables = {"SFERUM_URL": str(config.get("SFERUM_URL", "")).rstrip("/")}
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


def _add_persons(session: Session, persons: list[dict], password_method: str) -> None:
    for clean in persons:
        person = person_store.apply(Person(oid=clean["oid"]), clean, password_method)
        session.add(person)
        session.flush()
        person_store.check_unique(session, person)


def _upsert_clients(session: Session, clients: list[dict], moment: float) -> None:
    for clean in clients:
        row = {"client_id": clean["client_id"], "client_secret": clean["client_secret"],
               "client_metadata": clean["metadata"], "created_at": moment}  # fmt: skip
        upsert(session, Client.__table__, row, ["client_id"], keep=("created_at",))


def load_at_start(session: Session, config: Mapping[str, Any], password_method: str,
                  moment: float) -> None:  # fmt: skip
    """Persons into a stand that has none; fixture clients as the configuration makes them now."""
    persons, clients = read_fixtures(config)
    if session.scalar(select(func.count()).select_from(Person)) == 0:
        _add_persons(session, persons, password_method)
        log.info("loaded fixture persons from %s", fixtures_dir(config))
    _upsert_clients(session, clients, moment)


def reset(session: Session, config: Mapping[str, Any], password_method: str,
          moment: float) -> None:  # fmt: skip
    """Empty every table but the stand's keys and secrets, and load the fixtures again."""
    persons, clients = read_fixtures(config)  # fail before deleting anything
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEPT_ON_RESET:
            session.execute(delete(table))
    session.flush()
    _add_persons(session, persons, password_method)
    _upsert_clients(session, clients, moment)
