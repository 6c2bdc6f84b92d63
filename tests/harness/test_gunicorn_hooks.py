"""Both apps' gunicorn workers import and build their app with the collector off, then freeze
what the start made and collect again (harness/gunicorn_hooks.py)."""

from __future__ import annotations

import os

import requests

from gosuslugi_sandbox.harness.bench.procs import spawn_until_200, stop_process
from gosuslugi_sandbox.harness.serve import AppSpec, gunicorn_command
from gosuslugi_sandbox.harness.servers import free_port
from tests.paths import REPO_ROOT


def test_a_worker_builds_its_app_without_collecting_then_collects():
    spec = AppSpec("probe", "tests.harness.gc_probe:create_app()", free_port(), "/")
    env = {**os.environ, "WEB_WORKERS": "1"}
    command = gunicorn_command(spec)
    process, _ = spawn_until_200("probe", command, spec.url, env, REPO_ROOT)
    try:
        state = requests.get(spec.url, timeout=5).json()
    finally:
        stop_process(process)
    assert state["at_import"] is False and state["when_built"] is False
    assert state["now"] is True
    assert state["frozen"] > 10_000  # the modules and the app the start made
