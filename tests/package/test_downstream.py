"""Another team's project, outside this checkout, with only the wheel installed: its pytest suite
uses the plugin's fixtures, `gosuslugi-sandbox serve` starts both apps and a login goes through
them, and the team's own scenario file runs."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox import __version__
from gosuslugi_sandbox.harness.plugin import Gosuslugi
from gosuslugi_sandbox.harness.servers import free_port
from tests.package.build import clean_environment
from tests.paths import REPO_ROOT

THREE_LINE_TEST = """\
def test_the_sandbox_is_there(gosuslugi, sferum):
    assert gosuslugi.person(1000000001).last_name == "Рощина"
    assert sferum.user(123456).id == 123456
"""

TEAM_SCENARIO = """\
name: Our users link their Gosuslugi profile
tags: [team]
given:
  sferum_user: 123457
  gosuslugi_person: 1000000002
steps:
  - login_sferum
  - start_link
  - through_gosuslugi: {person: 1000000002}
  - click: Связать
  - enter_vkid_password
  - expect: verified_mark
"""
SHOW_FILES = """\
import gosuslugi_sandbox.harness.plugin as plugin
import gosuslugi_sandbox.idp.login as login
import gosuslugi_sandbox.relying_party.web as web
import gosuslugi_sandbox.shared.config as config
for module in (plugin, login, web, config):
    print(module.__file__)
print(config.FIXTURES_DIR)
"""
READY = "Ctrl-C stops both."


@pytest.fixture
def project(tmp_path, downstream_python):
    """The team's project folder (outside the checkout) and how to run commands in it."""
    folder = tmp_path / "team-project"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(REPO_ROOT)
    env = clean_environment(downstream_python)

    def run(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
        )

    return folder, env, run


def test_the_installed_code_and_data_are_the_wheels(project, downstream_python):
    _, _, run = project
    shown = run("python", "-c", SHOW_FILES)
    assert shown.returncode == 0, shown.stderr
    venv = downstream_python.parent.parent
    for line in shown.stdout.split():
        assert Path(line).is_relative_to(venv), line
    assert Path(shown.stdout.split()[-1], "esia", "idp-gost.crt.pem").is_file()
    # what the wheel does not require is not there: this repository's development tools
    for tool in ("hypothesis", "playwright", "psycopg"):
        assert run("python", "-c", f"import {tool}").returncode != 0, tool


def test_a_downstream_suite_uses_the_gosuslugi_and_sferum_fixtures(project):
    folder, _, run = project
    (folder / "tests").mkdir()
    (folder / "tests" / "test_login.py").write_text(THREE_LINE_TEST, encoding="utf-8")
    result = run("python", "-m", "pytest", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    assert f"gosuslugi-sandbox {__version__}: dialect oidc" in result.stdout


@contextmanager
def serving(project, *options: str):
    """`gosuslugi-sandbox serve` in the project; yields its output lines until it is ready."""
    folder, env, _ = project
    process = subprocess.Popen(
        ["gosuslugi-sandbox", "serve", *options],
        cwd=folder,
        env={**env, "WEB_WORKERS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, cleaned up as a whole
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True)
    reader.start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while READY not in "".join(output):
            assert process.poll() is None and time.monotonic() < deadline, "".join(output)
            with suppress(queue.Empty):
                output.append(lines.get(timeout=0.5))
        yield output
    finally:
        process.send_signal(signal.SIGTERM)
        exit_status = process.wait(timeout=30)
        with suppress(ProcessLookupError):  # nothing of its process group may outlive it
            os.killpg(process.pid, signal.SIGKILL)
        reader.join(timeout=10)
        process.stdout.close()
    assert exit_status == 0, "".join(output)


def log_in(idp_url: str, rp_url: str) -> dict:
    """A person logs in at the served fake Gosuslugi as the `sferum` client: the ID token."""
    gosuslugi = Gosuslugi(idp_url)
    meta = gosuslugi.metadata()
    redirect_uri = f"{rp_url}/gosuslugi/callback"
    query = {"response_type": "code", "client_id": "sferum", "redirect_uri": redirect_uri,
             "scope": "openid fullname", "state": "team-state", "nonce": "team-nonce"}  # fmt: skip
    url = requests.Request("GET", meta["authorization_endpoint"], params=query).prepare().url
    callback = gosuslugi.sign_in(url, login="+7 965 123-45-75", password="Roshchina-2024")
    code = requests.utils.urlparse(callback).query.split("code=")[1].split("&")[0]
    token = requests.post(
        meta["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=("sferum", "sferum-secret"),
        timeout=10,
    ).json()
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    return jwt.decode(token["id_token"], keys).claims


def test_serve_starts_both_apps_a_login_and_a_team_scenario_go_through(project):
    """On an office machine too: a proxy in the environment (HTTP_PROXY, no NO_PROXY) that
    cannot reach the stand; the start-up checks, Sferum's calls to the IdP and the scenario's
    browser go to loopback directly, as a browser does."""
    folder, env, run = project
    env.update({name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy")})
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    version = run("gosuslugi-sandbox", "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"gosuslugi-sandbox {__version__}")
    idp_port, rp_port = free_port(), free_port()
    ports = ("--idp-port", str(idp_port), "--rp-port", str(rp_port))
    init = run("gosuslugi-sandbox", "init-db", *ports)
    assert init.returncode == 0, init.stderr
    assert (folder / "instance" / "idp").is_dir() and (folder / "instance" / "sferum").is_dir()
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "link.yaml").write_text(TEAM_SCENARIO, encoding="utf-8")
    idp, rp = f"http://127.0.0.1:{idp_port}", f"http://127.0.0.1:{rp_port}"
    with serving(project, *ports) as output:
        assert idp in "".join(output) and rp in "".join(output)
        claims = log_in(idp, rp)
        assert (claims["iss"], claims["sub"], claims["aud"]) == (idp, "1000000001", "sferum")
        scenario = run(
            "gosuslugi-sandbox", "run", "--idp-url", idp, "--rp-url", rp, "scenarios/link.yaml"
        )
    assert scenario.returncode == 0, scenario.stdout[-3000:] + scenario.stderr[-2000:]
    assert "1 passed, 0 failed" in scenario.stdout


def test_a_team_scenario_file_runs_on_a_private_stand(project):
    folder, _, run = project
    (folder / "link.yaml").write_text(TEAM_SCENARIO, encoding="utf-8")
    result = run("gosuslugi-sandbox", "-q", "run", "link.yaml", "--junit", "junit.xml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed, 0 failed" in result.stdout
    assert 'failures="0"' in (folder / "junit.xml").read_text(encoding="utf-8")
    broken = run("gosuslugi-sandbox", "run", "missing.yaml")
    assert broken.returncode == 2 and "missing.yaml" in broken.stderr
