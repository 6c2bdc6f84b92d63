"""Downstream suites run with the plugin configured (a pytest process each, as a team runs it)."""

from __future__ import annotations

import re

from gosuslugi_sandbox.harness.servers import free_port
from tests.paths import REPO_ROOT

EXTENDED = """
import pytest

from gosuslugi_sandbox.harness.control import ControlError


def test_team_person_and_client_beside_the_shipped_ones(gosuslugi, sferum):
    assert gosuslugi.person(1000000900).last_name == "Командная"
    assert gosuslugi.person(1000000001).last_name == "Рощина"
    assert {"team-app", "sferum"} <= {c.client_id for c in gosuslugi.clients()}
    assert gosuslugi.url == "http://127.0.0.1:{idp_port}"
    assert sferum.url == "http://127.0.0.1:{rp_port}"


def test_reset_brings_the_team_person_back(gosuslugi):
    gosuslugi.delete_person(1000000900)
    gosuslugi.reset()
    assert gosuslugi.person(1000000900).first_name == "Анна"
"""

REPLACED = """
import pytest

from gosuslugi_sandbox.harness.control import ControlError
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser


def test_only_the_team_person_and_the_gost_dialect(gosuslugi, sferum):
    assert [p.oid for p in gosuslugi.persons()] == [1000000900]
    with pytest.raises(ControlError):
        gosuslugi.person(1000000001)
    assert gosuslugi.url.startswith("https://") and sferum.dialect == "esia-gost"
    browser = HttpBrowser(stop_at=(gosuslugi.url,), verify=gosuslugi.ca_bundle)
    browser.open(sferum.url + "/login")
    browser.submit("gosuslugi-login-form")
    assert "/aas/oauth2/v2/ac?" in browser.stopped_at
    assert "client_id=esia-gost" in browser.stopped_at
"""


def test_ini_options_extend_the_fixtures_on_fixed_ports(pytester, team_files):
    idp_port, rp_port = free_port(), free_port()
    pytester.makeini(
        "[pytest]\ngosuslugi_persons = config/persons.yaml\n"
        f"gosuslugi_clients = config/clients.yaml\ngosuslugi_port = {idp_port}\n"
        f"sferum_port = {rp_port}\n"
    )
    pytester.makepyfile(
        test_team=EXTENDED.replace("{idp_port}", str(idp_port)).replace("{rp_port}", str(rp_port))
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["gosuslugi-sandbox *: dialect oidc; persons: shipped + *"])


def test_environment_replaces_the_persons_and_picks_dialect_and_tls(
    pytester, team_files, monkeypatch
):
    pytester.makeini("[pytest]\ngosuslugi_persons = config/persons.yaml\n")
    monkeypatch.setenv("GOSUSLUGI_FIXTURES", "replace")
    monkeypatch.setenv("GOSUSLUGI_DIALECT", "esia-gost")
    monkeypatch.setenv("GOSUSLUGI_TLS", "true")
    pytester.makepyfile(test_team=REPLACED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def readme_example() -> dict[str, str]:
    """The files of README's complete example: each code block's first line names its file."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Configuring the plugin", 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in re.findall(r"```\w+\n(.*?)```", section, re.S):
        first = block.partition("\n")[0]
        name = first.lstrip("# ").split(" ")[0]
        if "/" in name or "." in name:
            files[name] = block
    return files


def test_the_readme_example_runs_as_written(pytester):
    files = readme_example()
    assert set(files) == {
        "pyproject.toml",
        "tests/gosuslugi/persons.yaml",
        "tests/gosuslugi/clients.yaml",
        "tests/test_gosuslugi_login.py",
    }
    idp_port, rp_port = free_port(), free_port()  # not 9100/9200: other runs share this machine
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = text.replace("9100", str(idp_port)).replace("9200", str(rp_port))
        path.write_text(text, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
