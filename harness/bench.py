"""`make bench`: start-up, flow latency, throughput and memory of both apps under gunicorn.

Every flow is a real one: a fresh browser (cookie jar) per flow, password, SMS code read from
the control API, consent, code exchange with PKCE, ID token signature check, userinfo.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import subprocess
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
from harness.servers import wait_until_up
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
    t0 = time.perf_counter()
    popen = subprocess.Popen(
        gunicorn_command(spec), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_until_up(spec.url + spec.health_path, timeout=30)
    except TimeoutError as exc:
        popen.kill()
        raise SystemExit(
            f"{spec.name} did not start: {popen.stderr.read().decode()[-2000:]}"
        ) from exc
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


def throughput(fn, threads: int, seconds: float, limit: int) -> float:
    """Flows per second with `threads` client threads, bounded in time and count."""
    done = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
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
        for f in [pool.submit(worker) for _ in range(threads)]:
            f.result()
    return done / (time.perf_counter() - t0)
