"""Fixtures for every test package: the throwaway PostgreSQL cluster and database URLs.

PostgreSQL is not optional: the database-facing tests run on SQLite and on PostgreSQL, and a
cluster that cannot start FAILS them with the reason (scripts/ensure-postgres.sh installs it).
"""

from __future__ import annotations

import gc

import pytest

from gosuslugi_sandbox.harness.pgcluster import PostgresCluster, PostgresUnavailable

# runs small downstream test suites in-process (tests/plugin_config/)
pytest_plugins = ["pytester"]

DATABASES = ["sqlite", "postgresql"]

# Each test builds apps and throws them away: with the default thresholds the collector ran
# thousands of times per worker and walked every imported module at each full collection
# (docs/performance.md, "The test suite")
GC_THRESHOLDS = (20_000, 20, 20)


def pytest_collection_finish(session):
    """Imports and collection are done: keep what they made out of the collector's walks."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL cluster per test process; each test asks it for a fresh database."""
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not start: {exc}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory):
    """IdP signing keys (KEYS_DIR) generated once per test process: RSA-2048 takes up to
    300 ms, and most tests build an IdP on a fresh database."""
    return tmp_path_factory.mktemp("idp-keys")


def new_database_url(request: pytest.FixtureRequest, kind: str, tmp_path, name: str = "db") -> str:
    """A fresh, empty database of that kind."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{name}.sqlite3"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A fresh, empty database: the test runs once on SQLite and once on PostgreSQL."""
    return new_database_url(request, request.param, tmp_path)
