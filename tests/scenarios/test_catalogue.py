"""Every scenario of the catalogue (fixtures/scenarios) runs green over HTTP, one test each."""

import pytest

from harness.drivers.http_driver import HttpDriver
from harness.runner import DEFAULT_PATH, StandPool, load_all, run_scenario

SCENARIOS = load_all([DEFAULT_PATH], [])


@pytest.fixture(scope="module")
def stands():
    pool = StandPool()
    yield pool
    pool.stop()


def test_the_catalogue_is_big_enough():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.path.stem for s in SCENARIOS])
def test_scenario(scenario, stands):
    stand = stands.get(scenario.given.get("rp_protocol", "oidc"))
    result = run_scenario(scenario, stand, lambda _session: HttpDriver())
    assert result.ok, result.failure_text()
