"""Every scenario of the catalogue (fixtures/scenarios) runs green over HTTP, one test each, on
stands storing in SQLite and on stands storing in PostgreSQL."""

import pytest

from gosuslugi_sandbox.harness.drivers.http_driver import HttpDriver
from gosuslugi_sandbox.harness.scenarios.runner import DEFAULT_PATH, load_all, run_scenario
from gosuslugi_sandbox.harness.stand import StandPool

SCENARIOS = load_all([DEFAULT_PATH], [])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stands(request):
    new_database = None
    if request.param == "postgresql":
        new_database = request.getfixturevalue("postgres").create_database
    pool = StandPool(new_database=new_database)
    yield pool
    pool.stop()


def test_the_catalogue_is_big_enough():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario(scenario, stands):
    stand = stands.get(scenario.given.get("rp_protocol", "oidc"))
    result = run_scenario(scenario, stand, lambda _session: HttpDriver())
    assert result.ok, result.failure_text()
