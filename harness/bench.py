"""`make bench`: start-up, flow latency, throughput and memory of both apps under gunicorn.

Every flow is a real one: a fresh browser (cookie jar) per flow, password, SMS code read from
the control API, consent, code exchange with PKCE, ID token signature check, userinfo.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from harness.serve import AppSpec, gunicorn_command
from harness.servers import free_port, wait_until_up
from shared.config import REPO_ROOT

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BENCH_REDIRECT = "http://127.0.0.1:9/bench-callback"  # never followed


@dataclass
class Proc:
    """A started app process."""

    spec: AppSpec
    popen: subprocess.Popen

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the app's processes (gunicorn master + workers)."""
        pids = [self.popen.pid, *_children(self.popen.pid)]
        return max((_vm_hwm_kb(pid) for pid in pids), default=0) / 1024

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def start_app(spec: AppSpec, env: dict[str, str]) -> tuple[Proc, float]:
    """Spawn the app under gunicorn; return it and the seconds until its health URL said 200."""
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        popen = subprocess.Popen(gunicorn_command(spec), env=env, stdout=log, stderr=log)
        try:
            wait_until_up(spec.url + spec.health_path, timeout=30, interval=0.005)
        except TimeoutError as exc:
            popen.kill()
            popen.wait()
            log.seek(0)
            message = log.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{spec.name} did not start: {message}") from exc
        return Proc(spec, popen), time.perf_counter() - t0


def environment(root: Path, idp: AppSpec, rp: AppSpec) -> dict[str, str]:
    """Environment for benchmark apps: their own instance directories, real defaults."""
    env = dict(os.environ)
    env.update(
        IDP_INSTANCE_PATH=str(root / "idp"),
        RP_INSTANCE_PATH=str(root / "sferum"),
        IDP_ISSUER=idp.url,
        IDP_SFERUM_URL=rp.url,
        RP_IDP_URL=idp.url,
        RP_PUBLIC_URL=rp.url,
        PYTHONPATH=str(REPO_ROOT),
    )
    env.pop("DATABASE_URL", None)
    return env


class IdpFlow:
    """One client of the IdP doing full interactive code flows."""

    def __init__(self, idp_url: str, client_id: str, secret: str, person: dict) -> None:
        self.idp_url = idp_url
        self.client_id, self.secret = client_id, secret
        self.person = person
        meta = requests.get(f"{idp_url}/.well-known/openid-configuration", timeout=10).json()
        self.meta = meta
        self.keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
        self.control = requests.Session()

    def run(self) -> int:
        """One complete flow in a fresh browser; returns the number of HTTP requests made."""
        browser = requests.Session()
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": BENCH_REDIRECT,
                "scope": "openid fullname birthdate gender snils",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }
        )
        count = 0

        def get(url):
            nonlocal count
            count += 1
            return browser.get(url, allow_redirects=False, timeout=10)

        def post(url, data):
            nonlocal count
            count += 1
            return browser.post(url, data=data, allow_redirects=False, timeout=10)

        r = get(f"{self.meta['authorization_endpoint']}?{query}")
        login_url = urljoin(r.url, r.headers["Location"])
        page = get(login_url)
        r = post(
            login_url,
            {
                "csrf_token": CSRF.search(page.text).group(1),
                "login": self.person["mobile"],
                "password": self.person["password"],
            },
        )
        sms_url = urljoin(login_url, r.headers["Location"])
        page = get(sms_url)
        count += 1
        code = self.control.get(
            f"{self.idp_url}/_control/sms", params={"phone": self.person["mobile"]}, timeout=10
        ).json()[0]["code"]
        r = post(sms_url, {"csrf_token": CSRF.search(page.text).group(1), "code": code})
        consent_url = urljoin(sms_url, r.headers["Location"])
        page = get(consent_url)
        r = post(consent_url, {"csrf_token": CSRF.search(page.text).group(1), "decision": "allow"})
        location = r.headers["Location"]
        while not location.startswith(BENCH_REDIRECT):  # the protocol's resume hop(s)
            r = get(urljoin(consent_url, location))
            location = r.headers["Location"]
        params = parse_qs(urlparse(location).query)
        assert params["state"] == [state], "state not echoed"
        count += 1
        token = requests.post(
            self.meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": params["code"][0],
                "redirect_uri": BENCH_REDIRECT,
                "code_verifier": verifier,
            },
            auth=(self.client_id, self.secret),
            timeout=10,
        ).json()
        claims = jwt.decode(token["id_token"], self.keys).claims
        assert claims["nonce"] == nonce and claims["aud"] in (self.client_id, [self.client_id])
        count += 1
        info = requests.get(
            self.meta["userinfo_endpoint"],
            timeout=10,
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert info["sub"] == claims["sub"]
        return count


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def timed(fn, n: int) -> list[float]:
    """Run fn n times sequentially; return the durations in ms."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_persons(control: requests.Session, idp_url: str, count: int) -> list[dict]:
    """Create `count` confirmed persons with their own phones for parallel clients."""
    from shared.formats import snils_checksum

    persons = []
    for i in range(count):
        first_nine = f"{900000001 + i:09d}"
        person = {
            "oid": 1900000001 + i,
            "last_name": "Тестов",
            "first_name": "Нагрузка",
            "middle_name": "Бенчевич",
            "gender": "M",
            "birth_date": "1990-01-01",
            "snils": first_nine + snils_checksum(first_nine),
            "mobile": f"+7900000{i:04d}",
            "password": f"Bench-{i}",
            "level": "confirmed",
        }
        control.post(f"{idp_url}/_control/persons", json=person, timeout=10).raise_for_status()
        persons.append(person)
    return persons


def throughput(flows: list, threads: int, seconds: float, limit: int) -> float:
    """Flows per second with one client thread per flow, bounded in time and count."""
    done = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(fn):
        nonlocal done
        while time.perf_counter() < deadline:
            with lock:
                if done >= limit:
                    return
            fn()
            with lock:
                done += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(worker, flow.run) for flow in flows[:threads]]:
            f.result()
    return done / (time.perf_counter() - t0)


FORM = re.compile(r"<form\b[^>]*>", re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_action(html: str, testid: str, base: str) -> str:
    """The absolute action URL of the form with that data-testid."""
    for tag in FORM.findall(html):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("data-testid") == testid:
            return urljoin(base, attrs.get("action") or base)
    raise AssertionError(f"no form {testid} on {base}")


class LinkFlow:
    """The full link flow through both apps, as a lean browser, then unlink."""

    def __init__(self, idp_url: str, rp_url: str, user: dict, person: dict) -> None:
        self.idp_url, self.rp_url = idp_url, rp_url
        self.user, self.person = user, person
        self.control = requests.Session()

    def run(self) -> int:
        """Sferum login → link (IdP login, SMS, consent) → Связать → password → unlink."""
        b = requests.Session()
        count = 0

        def get(url):
            nonlocal count
            r = b.get(url, timeout=10)
            count += 1 + len(r.history)
            return r

        def post(page, testid, data):
            nonlocal count
            action = form_action(page.text, testid, page.url)
            data = {"csrf_token": CSRF.search(page.text).group(1), **data}
            r = b.post(action, data=data, timeout=10)
            count += 1 + len(r.history)
            return r

        page = get(f"{self.rp_url}/login")
        page = post(page, "login-form", {"login": self.user["phone"]})
        page = post(page, "password-form", {"password": self.user["password"]})
        page = get(f"{self.rp_url}/gosuslugi/link")
        page = post(page, "gosuslugi-continue-form", {})
        page = post(
            page,
            "login-form",
            {"login": self.person["mobile"], "password": self.person["password"]},
        )
        count += 1
        code = self.control.get(
            f"{self.idp_url}/_control/sms", params={"phone": self.person["mobile"]}, timeout=10
        ).json()
        page = post(page, "sms-form", {"code": code[0]["code"]})
        page = post(page, "consent-form", {"decision": "allow"})
        page = post(page, "gosuslugi-link-form", {})
        page = post(page, "gosuslugi-password-form", {"password": self.user["password"]})
        assert 'data-testid="verified-mark"' in page.text, page.url
        page = get(f"{self.rp_url}/settings/security/gosuslugi/disable")
        page = post(page, "unlink-form", {})
        assert 'data-testid="verified-mark"' not in page.text, page.url
        return count


def cold_starts(spec: AppSpec, env: dict, runs: int) -> list[float]:
    """Seconds from spawn to the first 200, for `runs` restarts (instance already set up)."""
    times = []
    for _ in range(runs):
        proc, seconds = start_app(spec, env)
        proc.stop()
        times.append(seconds * 1000)
    return times


def catalogue_seconds() -> float:
    """Wall time of `harness run -j 2` over the whole catalogue."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness", "run", "-j", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the catalogue failed:\n{done.stdout[-3000:]}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (and write reports/bench.json)."""
    parser = argparse.ArgumentParser(prog="harness bench")
    parser.add_argument("--flows", type=int, default=200, help="sequential IdP flows")
    parser.add_argument("--link-flows", type=int, default=50, help="sequential link flows")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--starts", type=int, default=5, help="cold starts per app")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    parser.add_argument("--smoke", action="store_true", help="tiny counts (CI checks it runs)")
    parser.add_argument("--no-catalogue", action="store_true")
    parser.add_argument("--out", default=str(REPO_ROOT / "reports" / "bench.json"))
    args = parser.parse_args(argv)
    if args.smoke:
        args.flows, args.link_flows, args.warmup, args.starts = 3, 2, 1, 1
        args.throughput_seconds = 1.0
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    idp = AppSpec("idp", "idp:create_app()", free_port(), "/_control/health")
    rp = AppSpec("sferum", "relying_party:create_app()", free_port(), "/_control/health")
    env = environment(root, idp, rp)
    # first start creates the database and keys; cold starts below are restarts
    first_idp, idp_first_start = start_app(idp, env)
    first_rp, rp_first_start = start_app(rp, env)
    first_idp.stop()
    first_rp.stop()
    results: dict = {"server": "gunicorn (1 worker, gthread)", "smoke": args.smoke}
    results["idp_cold_start_ms"] = statistics.median(cold_starts(idp, env, args.starts))
    results["rp_cold_start_ms"] = statistics.median(cold_starts(rp, env, args.starts))
    results["idp_first_start_ms"] = idp_first_start * 1000
    results["rp_first_start_ms"] = rp_first_start * 1000

    idp_proc, _ = start_app(idp, env)
    rp_proc, _ = start_app(rp, env)
    try:
        persons = {p["oid"]: p for p in _fixture("persons.yaml")["persons"]}
        users = {u["id"]: u for u in _fixture("sferum.yaml")["users"]}
        control = requests.Session()
        control.post(
            f"{idp.url}/_control/clients",
            timeout=10,
            json={
                "client_id": "bench",
                "client_secret": "bench-secret",
                "redirect_uris": [BENCH_REDIRECT],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": "openid fullname birthdate gender snils",
            },
        ).raise_for_status()
        flow = IdpFlow(idp.url, "bench", "bench-secret", persons[1000000001])
        timed(flow.run, args.warmup)
        results["idp_requests_per_flow"] = flow.run()
        latencies = timed(flow.run, args.flows)
        results["idp_flow_median_ms"] = statistics.median(latencies)
        results["idp_flow_p95_ms"] = percentile(latencies, 95)
        # one person per client thread: each reads its own SMS codes
        flows = [
            IdpFlow(idp.url, "bench", "bench-secret", p)
            for p in bench_persons(control, idp.url, args.threads)
        ]
        results["idp_flows_per_s"] = throughput(
            flows, args.threads, args.throughput_seconds, limit=100_000
        )
        link = LinkFlow(idp.url, rp.url, users[123457], persons[1000000002])
        timed(link.run, max(1, args.warmup // 4))
        results["link_requests_per_flow"] = link.run()
        link_latencies = timed(link.run, args.link_flows)
        results["link_flow_median_ms"] = statistics.median(link_latencies)
        results["link_flow_p95_ms"] = percentile(link_latencies, 95)
        results["idp_peak_rss_mb"] = idp_proc.peak_rss_mb()
        results["rp_peak_rss_mb"] = rp_proc.peak_rss_mb()
    finally:
        idp_proc.stop()
        rp_proc.stop()
    if not args.no_catalogue:
        results["catalogue_s"] = catalogue_seconds()
    print_table(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")
    return 0


def _fixture(name: str) -> dict:
    from shared.config import FIXTURES_DIR
    from shared.fixtures import load_fixture

    return load_fixture(FIXTURES_DIR / name)


TARGETS = {
    "idp_cold_start_ms": ("IdP cold start", "ms", 250, "max"),
    "rp_cold_start_ms": ("Sferum cold start", "ms", 300, "max"),
    "idp_flow_median_ms": ("IdP full flow, median", "ms", 10, "max"),
    "idp_flow_p95_ms": ("IdP full flow, p95", "ms", None, None),
    "idp_flows_per_s": ("IdP flows/s, 4 client threads", "/s", 230, "min"),
    "idp_requests_per_flow": ("HTTP requests per IdP flow", "", None, None),
    "link_flow_median_ms": ("Link flow (both apps), median", "ms", 40, "max"),
    "link_flow_p95_ms": ("Link flow (both apps), p95", "ms", None, None),
    "link_requests_per_flow": ("HTTP requests per link flow", "", None, None),
    "idp_peak_rss_mb": ("IdP peak RSS", "MB", 60, "max"),
    "rp_peak_rss_mb": ("Sferum peak RSS", "MB", 60, "max"),
    "catalogue_s": ("Scenario catalogue (-j 2)", "s", 20, "max"),
}


def print_table(results: dict) -> None:
    """Print the figures beside their targets."""
    print(f"\n| {'measure':<34} | {'value':>10} | {'target':>9} | {'':<4} |")
    print(f"|{'-' * 36}|{'-' * 12}|{'-' * 11}|{'-' * 6}|")
    for key, (label, unit, target, kind) in TARGETS.items():
        if key not in results:
            continue
        value = results[key]
        shown = f"{value:.1f} {unit}".strip() if isinstance(value, float) else f"{value} {unit}"
        if target is None:
            verdict, goal = "", ""
        else:
            ok = value <= target if kind == "max" else value >= target
            verdict = "ok" if ok else "MISS"
            goal = f"{'≤' if kind == 'max' else '≥'} {target} {unit}".strip()
        print(f"| {label:<34} | {shown:>10} | {goal:>9} | {verdict:<4} |")
