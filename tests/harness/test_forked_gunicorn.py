"""gunicorn forked from `serve` (harness/forked_gunicorn.py) serves, stops on SIGTERM, reports
an app that cannot load by its exit status, and imports nothing again.

The forks are made in a fresh single-threaded interpreter, as `serve` makes them: a pytest
worker has threads of its own, and a fork of a threaded process may inherit a held lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gosuslugi_sandbox.harness.forked_gunicorn import fork_gunicorn
from gosuslugi_sandbox.harness.serve import AppSpec, gunicorn_command
from gosuslugi_sandbox.harness.servers import free_port
from tests.paths import REPO_ROOT

# runs in its own interpreter: forks gunicorn for the probe app, then for an app that is not
# there, and prints what it saw as JSON
FORKS = """
import json, signal, subprocess, sys, urllib.request
import tests.harness.gc_probe  # imported before the fork: a forked worker must not import it
from gosuslugi_sandbox.harness.forked_gunicorn import fork_gunicorn
from gosuslugi_sandbox.harness.serve import AppSpec, gunicorn_command
from gosuslugi_sandbox.harness.servers import wait_until_up

good, bad = (AppSpec(n, f, int(p), "/") for n, f, p in
             (("probe", "tests.harness.gc_probe:create_app()", sys.argv[1]),
              ("missing", "tests.harness.no_such_module:create_app()", sys.argv[2])))
seen = {}
child = fork_gunicorn(gunicorn_command(good), {"WEB_WORKERS": "1"})
try:
    wait_until_up(good.url + "/", timeout=60, alive=lambda: child.poll() is None)
    seen["probe"] = json.load(urllib.request.urlopen(good.url + "/", timeout=5))
    seen["name"] = open(f"/proc/{child.pid}/comm").read().strip()
    try:
        child.wait(timeout=0.1)
    except subprocess.TimeoutExpired:
        seen["wait_timed_out"] = True
    child.send_signal(signal.SIGTERM)
    seen["stopped"] = child.wait(timeout=30)
finally:
    child.kill()
broken = fork_gunicorn(gunicorn_command(bad), {"WEB_WORKERS": "1"})
seen["broken"] = broken.wait(timeout=60)
print(json.dumps(seen))
"""


def test_a_forked_gunicorn_serves_stops_and_reports_a_broken_app():
    done = subprocess.run(
        [sys.executable, "-c", FORKS, str(free_port()), str(free_port())],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    # the worker found the probe's module imported by the process it was forked from: it
    # imported nothing with the collector off (the gunicorn hooks' doing when it imports)
    assert seen["probe"]["at_import"] is True
    assert seen["probe"]["when_built"] is False and seen["probe"]["now"] is True
    assert seen["name"] == "gunicorn"
    assert seen["wait_timed_out"] is True
    assert seen["stopped"] == 0
    assert seen["broken"] not in (0, None)  # gunicorn's "App failed to load"
    assert "No module named 'tests.harness.no_such_module'" in done.stderr


def test_only_a_gunicorn_command_is_forked():
    spec = AppSpec("probe", "tests.harness.gc_probe:create_app()", free_port(), "/")
    command = gunicorn_command(spec)
    with pytest.raises(ValueError, match="not a gunicorn command"):
        fork_gunicorn([command[0], "-m", "flask", *command[3:]], {})
