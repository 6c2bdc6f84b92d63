"""The plugin's settings as read from pytest.ini / pyproject.toml and the environment."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.harness.plugin import SETTINGS
from gosuslugi_sandbox.shared.config import FIXTURES_DIR


def settings(pytester, *args):
    return pytester.parseconfigure(*args).stash[SETTINGS]


def test_defaults_start_the_shipped_sandbox_on_free_ports(pytester):
    found = settings(pytester)
    assert (found.idp_port, found.rp_port, found.dialect, found.tls) == (0, 0, "oidc", False)
    assert found.idp_config() == {}
    assert found.rp_config() == {"PROTOCOL": "oidc"}


def test_ini_files_are_relative_to_the_ini_and_extend_the_shipped_ones(pytester, team_files):
    pytester.makeini(
        "[pytest]\ngosuslugi_persons = config/persons.yaml\n"
        "gosuslugi_clients = config/clients.yaml\ngosuslugi_port = 9300\nsferum_port = 9400\n"
    )
    found = settings(pytester)
    assert found.idp_config() == {
        "PERSONS_FILES": [str(FIXTURES_DIR / "persons.yaml"), str(team_files / "persons.yaml")],
        "CLIENTS_FILES": [str(FIXTURES_DIR / "clients.yaml"), str(team_files / "clients.yaml")],
    }
    assert (found.idp_port, found.rp_port) == (9300, 9400)


def test_pyproject_options_work_too(pytester, team_files):
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\ngosuslugi_persons = ["config/persons.yaml"]\n'
        'gosuslugi_fixtures = "replace"\ngosuslugi_dialect = "esia-gost"\n'
    )
    found = settings(pytester)
    assert found.idp_config() == {"PERSONS_FILES": [str(team_files / "persons.yaml")]}
    assert found.rp_config()["PROTOCOL"] == "esia"
    assert found.rp_config()["ESIA_CLIENT_ID"] == "esia-gost"


def test_environment_wins_over_the_ini(pytester, team_files, monkeypatch):
    pytester.makeini("[pytest]\ngosuslugi_fixtures = extend\ngosuslugi_dialect = oidc\n")
    monkeypatch.chdir(team_files)
    monkeypatch.setenv("GOSUSLUGI_PERSONS", "persons.yaml")  # relative to the working directory
    monkeypatch.setenv("GOSUSLUGI_FIXTURES", "replace")
    monkeypatch.setenv("GOSUSLUGI_DIALECT", "ESIA")
    monkeypatch.setenv("GOSUSLUGI_TLS", "1")
    found = settings(pytester, str(pytester.path))
    assert found.idp_config() == {"PERSONS_FILES": [str(team_files / "persons.yaml")]}
    assert (found.dialect, found.tls) == ("esia", True)


def test_command_line_tls_and_xdist_workers_get_their_own_ports(pytester, monkeypatch):
    pytester.makeini("[pytest]\ngosuslugi_port = 9300\nsferum_port = 9400\n")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    found = settings(pytester, "--gosuslugi-tls")
    assert (found.idp_port, found.rp_port, found.tls) == (9303, 9403, True)


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        ("gosuslugi_dialect = saml", "gosuslugi_dialect: expected one of oidc, esia, esia-gost"),
        ("gosuslugi_fixtures = merge", "gosuslugi_fixtures: expected one of extend, replace"),
        ("gosuslugi_port = http", "gosuslugi_port: expected a TCP port"),
        ("sferum_port = 70000", "sferum_port: expected a TCP port"),
        ("gosuslugi_tls = maybe", "gosuslugi_tls: expected true or false"),
        ("gosuslugi_persons = missing.yaml", "gosuslugi_persons: no such file"),
    ],
)
def test_a_wrong_setting_is_a_usage_error_naming_it(pytester, ini, message):
    pytester.makeini(f"[pytest]\n{ini}\n")
    with pytest.raises(pytest.UsageError, match=message):
        pytester.parseconfigure()
