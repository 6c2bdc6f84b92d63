"""Fixture persons and clients: loaded into a new stand, clients refreshed at every start, reset.

Fixture clients follow the stand's configuration (the `sferum` client's redirect URIs are
built from SFERUM_URL), so they are brought up to date at every start; persons are loaded
only into a stand that has none, so QA's own data survives restarts.

PERSONS_FILES / CLIENTS_FILES (a list, default the fixtures directory's persons.yaml /
clients.yaml) are read in order; an entry with the oid / client_id of an earlier one replaces
it, so a team's file listed after the shipped one extends it and alone replaces it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp import clients as client_store
from gosuslugi_sandbox.idp import persons as person_store
from gosuslugi_sandbox.idp.config import files
from gosuslugi_sandbox.idp.models import SECRETS, Base, Client, Person, SigningKey
from gosuslugi_sandbox.idp.validation import ValidationError
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import FixtureError, load_fixture
from gosuslugi_sandbox.shared.sql import empty_tables, upsert_all

log = logging.getLogger(__name__)

# what a reset keeps: the stand's identity, not its data
KEPT_ON_RESET = {SigningKey.__tablename__, SECRETS.name}


def fixtures_dir(config: Mapping[str, Any]) -> Path:
    """The directory holding persons.yaml and clients.yaml."""
    return Path(config.get("FIXTURES_DIR") or FIXTURES_DIR)


def fixture_files(config: Mapping[str, Any], kind: str) -> list[Path]:
    """The files the persons or clients (kind) are read from, in order."""
    names = files(config.get(f"{kind.upper()}_FILES"))
    if names is None:
        return [fixtures_dir(config) / f"{kind}.yaml"]
    return [Path(f) for f in names]


def _entries(path: Path, kind: str, variables: dict[str, str] | None = None) -> list:
    data = load_fixture(path, variables) or {}
    entries = data.get(kind, []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise FixtureError(f"{path}: expected a mapping with a `{kind}:` list")
    return entries


def _with_local_certificate(raw: Any, folder: Path, config: Mapping[str, Any]) -> Any:
    """A relative esia_certificate_file found next to a team's own clients file is taken from
    there (idp/esia/clients.py reads the others from the fixtures directory)."""
    name = raw.get("esia_certificate_file") if isinstance(raw, dict) else None
    if not isinstance(name, str) or Path(name).is_absolute() or folder == fixtures_dir(config):
        return raw
    if (folder / name).is_file():
        return {**raw, "esia_certificate_file": str(folder / name)}
    return raw


def _read(config: Mapping[str, Any], kind: str, key: str, validate, variables=None) -> list[dict]:
    """The entries of every file of a kind, validated; a later file's entry replaces an earlier
    one with the same key, the same key twice in one file is an error."""
    merged: dict[Any, dict] = {}
    for path in fixture_files(config, kind):
        seen = set()
        for i, raw in enumerate(_entries(path, kind, variables)):
            try:
                clean = validate(_with_local_certificate(raw, path.parent, config))
            except ValidationError as exc:
                raise FixtureError(f"{path}: {kind} entry {i}: {exc}") from exc
            if clean[key] in seen:
                raise FixtureError(f"{path}: {kind} entry {i}: {key} {clean[key]} appears twice")
            seen.add(clean[key])
            merged[clean[key]] = clean
    return list(merged.values())


def read_fixtures(config: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """The persons and clients from the fixture files, validated (FixtureError names the entry)."""
    variables = {"SFERUM_URL": str(config.get("SFERUM_URL", "")).rstrip("/")}
    persons = _read(config, "persons", "oid", person_store.validate)
    try:
        person_store.check_unique_among(persons)
    except ValidationError as exc:
        raise FixtureError(f"fixture persons: {exc}") from exc
    clients = _read(config, "clients", "client_id", client_store.validate, variables)
    return persons, clients


def _add_persons(session: Session, persons: list[dict], password_method: str) -> None:
    """Into an empty table, in one flush: read_fixtures has checked them against each other."""
    session.add_all(
        person_store.apply(Person(oid=c["oid"]), c, password_method, fixture=True) for c in persons
    )
    session.flush()


def _upsert_clients(session: Session, clients: list[dict], moment: float) -> None:
    rows = [
        {"client_id": clean["client_id"], "client_secret": clean["client_secret"],
         "client_metadata": clean["metadata"], "created_at": moment}
        for clean in clients
    ]  # fmt: skip
    upsert_all(session, Client.__table__, rows, ["client_id"], keep=("created_at",))


def load_at_start(session: Session, config: Mapping[str, Any], password_method: str,
                  moment: float) -> None:  # fmt: skip
    """Persons into a stand that has none; fixture clients as the configuration makes them now."""
    persons, clients = read_fixtures(config)
    if session.scalar(select(func.count()).select_from(Person)) == 0:
        _add_persons(session, persons, password_method)
        log.info(
            "loaded fixture persons from %s", ", ".join(map(str, fixture_files(config, "persons")))
        )
    _upsert_clients(session, clients, moment)


def reset(session: Session, config: Mapping[str, Any], password_method: str,
          moment: float) -> None:  # fmt: skip
    """Empty every table but the stand's keys and secrets, and load the fixtures again."""
    persons, clients = read_fixtures(config)  # fail before deleting anything
    empty_tables(session, Base.metadata, KEPT_ON_RESET)
    session.flush()
    _add_persons(session, persons, password_method)
    _upsert_clients(session, clients, moment)
