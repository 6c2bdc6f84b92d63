"""`make run` (python -m gosuslugi_sandbox serve) for real: HTTPS on demand, CONTROL=off, the
access log, and the warning for a stand exposed without a control token."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.exposure import MARK, exposure_warnings
from gosuslugi_sandbox.harness.servers import free_port
from tests.paths import REPO_ROOT

READY = "Ctrl-C stops both."


def serve_environment(tmp_path, keys, idp_port: int, rp_port: int, **settings) -> dict:
    """The environment of a `serve` on these ports, its files under tmp_path, one worker per app."""
    return {
        **os.environ,
        "IDP_PORT": str(idp_port),
        "RP_PORT": str(rp_port),
        "IDP_INSTANCE_PATH": str(tmp_path / "idp"),
        "RP_INSTANCE_PATH": str(tmp_path / "rp"),
        **({"IDP_KEYS_DIR": str(keys)} if keys else {}),
        "TLS_DIR": str(tmp_path / "tls"),
        "WEB_WORKERS": "1",
        "IDP_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RP_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **settings,
    }


def start_serve(env: dict) -> subprocess.Popen:
    """`python -m gosuslugi_sandbox serve` in its own process group, output on one pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "gosuslugi_sandbox", "serve"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, cleaned up as a whole
    )


def assert_apps_are_forks(serve_pid: int, workers: int) -> None:
    """serve's gunicorn masters and workers are forks of it (harness/forked_gunicorn.py): its
    command line, named gunicorn."""
    command = Path(f"/proc/{serve_pid}/cmdline").read_bytes()
    apps = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != serve_pid:
            with suppress(OSError):
                if os.getpgid(int(entry.name)) == serve_pid:
                    apps.append(
                        ((entry / "comm").read_text().strip(), (entry / "cmdline").read_bytes())
                    )
    # both apps answer, so each has its master and a worker; gunicorn may still be forking
    # the others (it pauses at random between forks)
    assert 4 <= len(apps) <= 2 * (1 + workers), apps
    assert all(name == "gunicorn" and line == command for name, line in apps), apps


@contextmanager
def serving(tmp_path, keys, stops: int = 1, **settings):
    """Run `python -m gosuslugi_sandbox serve` with settings; yield (idp_url, rp_url, output).

    Then stop it with `stops` SIGTERMs in a row, as `kill` (or Ctrl-C) stops make run; it must
    end with status 0, its apps gone, and no traceback."""
    idp_port, rp_port = free_port(), free_port()
    process = start_serve(serve_environment(tmp_path, keys, idp_port, rp_port, **settings))
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True)
    reader.start()
    output: list[str] = []
    scheme = "https" if settings.get("TLS") else "http"
    try:
        deadline = time.monotonic() + 60
        while READY not in "".join(output):
            assert process.poll() is None, "".join(output)
            assert time.monotonic() < deadline, "".join(output)
            try:
                output.append(lines.get(timeout=0.5))
            except queue.Empty:
                continue
        assert_apps_are_forks(process.pid, int(settings.get("WEB_WORKERS", "1")))
        yield f"{scheme}://127.0.0.1:{idp_port}", f"{scheme}://127.0.0.1:{rp_port}", output
    finally:
        for n in range(stops):
            if n:
                time.sleep(0.2)  # standard signals do not queue: let serve take the first one
            process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        survivors = False
        with suppress(ProcessLookupError):  # nothing of its process group may outlive it
            os.killpg(process.pid, signal.SIGKILL)
            survivors = True
        reader.join(timeout=10)  # it ends with the output
        process.stdout.close()
        while not lines.empty():
            output.append(lines.get())
    assert code == 0, "".join(output)
    assert "Traceback" not in "".join(output), "".join(output)
    assert not survivors, "an app outlived serve"


def test_tls_and_control_off_start_and_serve_https(tmp_path, keys_dir):
    with serving(tmp_path, keys_dir, TLS="1", IDP_CONTROL="off") as (idp, rp, output):
        ca = str(tmp_path / "tls" / "ca.pem")
        text = "".join(output)
        assert idp in text and rp in text
        assert f"REQUESTS_CA_BUNDLE={tmp_path / 'tls' / 'ca-bundle.pem'}" in text
        assert f"NODE_EXTRA_CA_CERTS={ca}" in text
        for url in (idp, rp):  # issue 12: IDP_CONTROL=off still starts; health stays
            assert requests.get(f"{url}/_control/health", verify=ca, timeout=5).status_code == 200
        assert requests.get(f"{idp}/_control/persons", verify=ca, timeout=5).status_code == 404
        doc = requests.get(f"{idp}/.well-known/openid-configuration", verify=ca, timeout=5)
        assert doc.json()["issuer"] == idp
        page = requests.get(f"{rp}/login", verify=ca, timeout=5)
        assert "; Secure" in page.headers["Set-Cookie"]
    assert MARK not in "".join(output)  # loopback only: nothing to warn about


def test_a_second_kill_while_stopping_ends_serve_cleanly(tmp_path, keys_dir):
    """`kill` sent twice (or Ctrl-C pressed twice): status 0, both apps gone, no traceback."""
    with serving(tmp_path, keys_dir, stops=2) as (_idp, rp, _output):
        assert requests.get(f"{rp}/login", timeout=5).status_code == 200


def test_the_control_token_stays_out_of_the_access_log(tmp_path, keys_dir):
    token = "tok-" + os.urandom(8).hex()
    with serving(tmp_path, keys_dir, ACCESS_LOG="1", IDP_CONTROL_TOKEN=token) as (idp, _, out):
        browser = HttpBrowser()
        page = browser.open(f"{idp}/_control/sms/inbox")
        assert page.has("control-login-form")
        page = browser.submit("control-login-form", {"token": token}, "control-login-submit")
        assert page.url == f"{idp}/_control/sms/inbox" and page.has("sms-inbox-empty")
        report = browser.open(f"{idp}/_control/report")
        assert report.has("report-title")
        assert token not in report.html  # its links carry no token either
    log = "".join(out)
    assert "/_control/sms/inbox" in log and "/_control/login" in log  # it is the access log
    assert token not in log


def test_an_exposed_stand_without_a_token_is_warned_about():
    exposed = exposure_warnings("0.0.0.0", {})
    assert len(exposed) == 2 and all(MARK in w for w in exposed)
    assert "IDP_CONTROL_TOKEN" in exposed[0] and "RP_CONTROL_TOKEN" in exposed[1]
    assert exposure_warnings("192.0.2.10", {"RP_CONTROL_TOKEN": "t"}) == [exposed[0].replace(
        "0.0.0.0", "192.0.2.10"
    )]  # fmt: skip
    assert exposure_warnings("::", {"IDP_CONTROL_TOKEN": "t", "RP_CONTROL": "off"}) == []
    for loopback in ("127.0.0.1", "::1", "localhost"):
        assert exposure_warnings(loopback, {}) == []


def test_two_stands_started_at_once_on_one_fresh_database_both_come_up(tmp_path, database_url):
    """`make run` on two hosts at once, first start, no key given: one stand as `make run` starts
    (two gunicorn workers per app), the other with one: two `serve`s and six workers set one fresh
    database up at once. Set-up happens once, under the database's lock, and every worker serves."""
    both_up = threading.Barrier(2, timeout=90)

    def one_stand(name: str, workers: str) -> tuple[int, int]:
        try:
            with serving(tmp_path / name, None, DATABASE_URL=database_url, WEB_WORKERS=workers) as (
                idp,
                rp,
                _,
            ):
                both_up.wait()  # both stands are up at the same moment
                login = HttpBrowser().open(f"{rp}/login")
                return login.status, requests.get(f"{idp}/jwks.json", timeout=5).status_code
        except BaseException:
            both_up.abort()  # the other stops waiting: this stand's failure is the one to see
            raise

    with ThreadPoolExecutor(2) as pool:
        stands = [pool.submit(one_stand, *stand) for stand in (("host-a", "2"), ("host-b", "1"))]
    failed = [error for error in (stand.exception() for stand in stands) if error is not None]
    if failed:  # a stand's own failure before the other's broken wait
        raise min(failed, key=lambda e: isinstance(e, threading.BrokenBarrierError))
    assert [stand.result() for stand in stands] == [(200, 200), (200, 200)]
