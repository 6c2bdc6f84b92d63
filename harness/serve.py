"""`gosuslugi-sandbox serve` (make run): both apps under gunicorn; print where and who.

BIND (127.0.0.1) is the address both listen on; TLS=1 serves both over HTTPS with a local test
CA (shared/tls.py; TLS_DIR, TLS_HOSTS). harness/exposure.py reads these settings.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from gosuslugi_sandbox.harness.exposure import (
    bind_address,
    bind_argument,
    exposure_warnings,
    tls_files,
    url_host,
)
from gosuslugi_sandbox.harness.forked_gunicorn import ForkedProcess, fork_gunicorn
from gosuslugi_sandbox.harness.servers import wait_until_up
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import FixtureError, load_fixture
from gosuslugi_sandbox.shared.tls import TlsFiles, trust_instructions

DATABASE_ERRORS = (SQLAlchemyError, FixtureError, ModuleNotFoundError)
# gunicorn's --log-level for -q, the default, -v and -vv
GUNICORN_LEVELS = {-1: "error", 0: "warning", 1: "info", 2: "debug"}


@dataclass
class AppSpec:
    """How to start one app."""

    name: str
    factory: str
    port: int
    health_path: str
    bind: str = "127.0.0.1"
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{url_host(self.bind)}:{self.port}"


def gunicorn_command(
    spec: AppSpec,
    tls: TlsFiles | None = None,
    log_level: str = "warning",
    access_log=False,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """The gunicorn command line for an app; WEB_* variables of environ (default: this
    process's environment) tune it.

    WEB_WORKERS (2), WEB_WORKER_CLASS (gthread), WEB_THREADS (4) and WEB_PRELOAD (unset):
    docs/performance.md explains the defaults (measured on a 2-core machine). LOG_LEVEL and
    ACCESS_LOG override log_level and access_log (what -q / -v ask for).
    """
    environ = os.environ if environ is None else environ
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        spec.factory,
        "--bind",
        bind_argument(spec.bind, spec.port),
        "--workers",
        environ.get("WEB_WORKERS", "2"),
        "--worker-class",
        environ.get("WEB_WORKER_CLASS", "gthread"),
        "--threads",
        environ.get("WEB_THREADS", "4"),
        "--log-level",
        environ.get("LOG_LEVEL", log_level),
        "--config",  # the workers' hooks: no garbage collection while they build the app
        "python:gosuslugi_sandbox.harness.gunicorn_hooks",
    ]
    if environ.get("ACCESS_LOG") or access_log:
        # without the flag gunicorn skips access logging entirely (with /dev/null it would
        # still format a line per request)
        command += ["--access-logfile", "-"]
    if environ.get("WEB_PRELOAD"):
        command.append("--preload")
    if tls:
        command += ["--certfile", str(tls.cert), "--keyfile", str(tls.key)]
    return command


def app_specs(tls: TlsFiles | None = None) -> tuple[AppSpec, AppSpec]:
    """The IdP and the RP, on IDP_PORT (9000) and RP_PORT (8000), at BIND, HTTPS with tls."""
    bind, scheme = bind_address(), "https" if tls else "http"
    idp = AppSpec(
        "Госуслуги (fake IdP)",
        "gosuslugi_sandbox.idp:create_app()",
        int(os.environ.get("IDP_PORT", 9000)),
        "/_control/health",
        bind,
        scheme,
    )
    rp = AppSpec(
        "Сферум (fake RP)",
        "gosuslugi_sandbox.relying_party:create_app()",
        int(os.environ.get("RP_PORT", 8000)),
        "/_control/health",
        bind,
        scheme,
    )
    return idp, rp


def app_environment(idp: AppSpec, rp: AppSpec, tls: TlsFiles | None = None) -> dict[str, str]:
    """Environment that tells each app where the other one is (and, over HTTPS, the CA)."""
    env = dict(os.environ)
    if tls:
        env.setdefault("RP_CA_BUNDLE", str(tls.ca_cert))
    env.setdefault("IDP_ISSUER", idp.url)
    env.setdefault("IDP_SFERUM_URL", rp.url)
    env.setdefault("RP_IDP_URL", idp.url)
    env.setdefault("RP_PUBLIC_URL", rp.url)
    return env


def _environment_setting(name: str):
    """An app setting from the environment, parsed as Flask's from_prefixed_env does."""
    raw = os.environ.get(name)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw


def fixture_persons() -> list[dict]:
    """The persons the IdP loads (IDP_PERSONS_FILES / IDP_FIXTURES_DIR), merged by oid."""
    # on first use: the bench imports this module and wants no app in its own process
    from gosuslugi_sandbox.idp.fixtures import fixture_files

    config = {
        name: _environment_setting(f"IDP_{name}") for name in ("PERSONS_FILES", "FIXTURES_DIR")
    }
    persons: dict = {}
    for path in fixture_files(config, "persons"):
        persons.update({p["oid"]: p for p in (load_fixture(path) or {}).get("persons", [])})
    return list(persons.values())


def logins_table() -> str:
    """A plain-text table of the fixture logins of both apps."""
    lines = ["Госуслуги persons (login: phone / e-mail / SNILS):"]
    for p in fixture_persons():
        login = p.get("mobile") or p.get("email")
        name = f"{p['last_name']} {p['first_name']} {p['middle_name']}"
        lines.append(f"  {p['oid']}  {name:<32} {p['level']:<10} {login:<20} {p['password']}")
    sferum_file = Path(os.environ.get("RP_FIXTURES_FILE") or FIXTURES_DIR / "sferum.yaml")
    if sferum_file.exists():
        lines.append("Сферум users (login: phone or e-mail):")
        for u in load_fixture(sferum_file).get("users", []):
            name = f"{u['last_name']} {u['first_name']} {u.get('middle_name') or ''}".strip()
            lines.append(
                f"  {u['id']:<8} {name:<32} {u.get('role', ''):<14} "
                f"{u.get('phone') or u.get('email'):<20} {u['password']}"
            )
    return "\n".join(lines)


def init_databases(env: dict[str, str]) -> dict[str, str]:
    """Set up both apps' schemas and fixtures once, before any worker starts.

    Each app's create_app runs the same set-up under a database lock (a worker started some
    other way is safe too); doing it here first means the workers find it done, and a broken
    database URL fails here with one clear message instead of in every worker.
    """
    os.environ.update(env)
    # on first use: the bench imports this module and wants no app in its own process
    from gosuslugi_sandbox.idp import create_app as create_idp
    from gosuslugi_sandbox.relying_party import create_app as create_rp

    urls = {}
    for name, db in (
        ("IdP", create_idp().extensions["idp"].db),
        ("Sferum", create_rp().extensions["database"]),
    ):
        urls[name] = db.engine.url.render_as_string(hide_password=True)
        db.dispose()
    return urls


def init_only(verbosity: int = 0) -> int:
    """`gosuslugi-sandbox init-db`: set both databases up as `serve` would, then exit."""
    tls = tls_files()
    idp, rp = app_specs(tls)
    try:
        urls = init_databases(app_environment(idp, rp, tls))
    except DATABASE_ERRORS as exc:
        return _database_failed(exc)
    if verbosity >= 0:
        for name, url in urls.items():
            print(f"{name} database ready: {url}")
    return 0


START_TIMEOUT = 120.0  # seconds for both apps to answer their health check


def serve(verbosity: int = 0) -> int:
    """Start both apps, print URLs and logins, wait for Ctrl-C, stop both.

    verbosity: -1 leaves out the logins table and gunicorn's warnings; 1 adds gunicorn's
    access log and info lines; 2 its debug lines.
    """
    tls = tls_files()
    idp, rp = app_specs(tls)
    env = app_environment(idp, rp, tls)
    warnings = exposure_warnings(idp.bind, env)
    for warning in warnings:
        print(warning, file=sys.stderr, flush=True)
    procs: list[ForkedProcess] = []
    stopping: list[bool] = []  # set once the stop has begun (a list: the handler appends)

    def stop(_signum, _frame) -> None:
        """`kill` (SIGTERM) stops both apps as cleanly as Ctrl-C does; a second one while they
        stop asks gunicorn for its quick shutdown instead of interrupting ours with a
        traceback."""
        if stopping:
            for p in procs:
                p.send_signal(signal.SIGQUIT)  # a child that has ended is left alone
            return
        stopping.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        init_databases(env)
        for spec in (idp, rp):
            command = gunicorn_command(
                spec, tls, GUNICORN_LEVELS[max(-1, min(verbosity, 2))], access_log=verbosity > 0
            )
            procs.append(fork_gunicorn(command, env))
        for spec, proc in zip((idp, rp), procs, strict=True):
            # a generous wait: a loaded machine (CI, a laptop building something) may take a
            # while to fork and import; an app that exits fails the start at once instead
            wait_until_up(spec.url + spec.health_path, timeout=START_TIMEOUT,
                          verify=str(tls.ca_cert) if tls else None,
                          alive=lambda proc=proc: proc.poll() is None)  # fmt: skip
        print()
        for spec in (idp, rp):
            print(f"  {spec.name:<22} {spec.url}")
        print(f"  SMS inbox              {idp.url}/_control/sms/inbox")
        if verbosity >= 0:
            print()
            print(logins_table())
        if tls:
            print("\n" + trust_instructions(tls))
        for warning in warnings:  # again, below the tables, where it is seen
            print("\n" + warning, file=sys.stderr)
        print("\nCtrl-C stops both.", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        print("An app exited; stopping the other.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except TimeoutError as exc:
        print(f"Start-up failed: {exc}", file=sys.stderr)
        return 1
    except DATABASE_ERRORS as exc:
        return _database_failed(exc)
    finally:
        stopping.append(True)  # whatever ended the wait, a signal from now on only hurries it
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        # nothing is left to stop: a later signal must not kill the exiting interpreter (it
        # puts back the default action of the handlers above before it ends)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _database_failed(exc: Exception) -> int:
    print(f"Start-up failed: the database could not be set up: {exc}", file=sys.stderr)
    if isinstance(exc, ModuleNotFoundError):
        print("PostgreSQL needs the driver: pip install 'gosuslugi-sandbox[postgres]'",
              file=sys.stderr)  # fmt: skip
    return 1
