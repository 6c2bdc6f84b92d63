"""A downstream project's own fixture files, written into the pytester directory."""

from __future__ import annotations

# pytester drops every module a test first imported when the test ends, and a library with a C
# extension is not loaded twice cleanly: a second PyYAML mixed its C loader with the first
# one's constructors ("could not determine a constructor for the tag None" in whichever test
# of this worker read YAML next). The plugin reads a team's files with these, so they are
# loaded before any test here, whatever ran on this worker first.
import cryptography.x509  # noqa: F401
import jsonschema  # noqa: F401
import pytest
import yaml  # noqa: F401

TEAM_PERSON = """\
persons:
  - oid: 1000000900
    last_name: Командная
    first_name: Анна
    middle_name: Петровна
    gender: F
    birth_date: 1991-02-03
    snils: 111-222-333 72
    mobile: +7 900 555-44-33
    email: team@example.ru
    password: Team-2024
    level: confirmed
"""

TEAM_CLIENT = """\
clients:
  - client_id: team-app
    client_secret: team-secret
    redirect_uris: [http://127.0.0.1:7100/callback]
    scope: openid fullname
"""


@pytest.fixture(autouse=True)
def no_plugin_environment(monkeypatch):
    """The inner runs see only what a test sets (not the outer session's xdist worker)."""
    for name in (
        "PYTEST_XDIST_WORKER",
        "GOSUSLUGI_PORT",
        "SFERUM_PORT",
        "GOSUSLUGI_PERSONS",
        "GOSUSLUGI_CLIENTS",
        "GOSUSLUGI_FIXTURES",
        "SFERUM_FIXTURES",
        "GOSUSLUGI_DIALECT",
        "GOSUSLUGI_TLS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def team_files(pytester):
    """persons.yaml and clients.yaml of a team, under config/ of the downstream project."""
    folder = pytester.mkdir("config")
    (folder / "persons.yaml").write_text(TEAM_PERSON, encoding="utf-8")
    (folder / "clients.yaml").write_text(TEAM_CLIENT, encoding="utf-8")
    return folder
