"""`make bench-peers`: the mocks issue 8 compares us with, timed here with our own client.

Each peer is installed into `.cache/peers/` (outside git) on first use, then timed as
bench/sandbox.py times our IdP: cold start, a full code flow through its own pages (PKCE S256
where it has it, ID token checked against its JWKS), throughput, peak RSS."""

from __future__ import annotations

import argparse
import base64
import compileall
import hashlib
import os
import re
import secrets
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.harness.bench.flows import BENCH_REDIRECT
from gosuslugi_sandbox.harness.bench.http_client import Browser
from gosuslugi_sandbox.harness.bench.measure import percentile, throughput, timed, write_results
from gosuslugi_sandbox.harness.bench.procs import children, spawn_until_200, stop_process, vm_hwm_kb
from gosuslugi_sandbox.harness.servers import free_port

HEADER = (
    "| mock | cold start | one flow (median) | HTTP requests per flow "
    "| flows/s, 4 client threads | peak RSS |\n|---|---|---|---|---|---|"
)
# in the working directory (`make bench-peers`: the checkout)
CACHE = Path(".cache", "peers").absolute()
CLIENT = ("bench", "bench-secret")
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
INPUT = re.compile(r"<input\b[^>]*>")
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
# node oidc-provider has no CLI: a minimal provider with its default dev login + consent pages
OIDC_PROVIDER_JS = f"""import Provider from 'oidc-provider';
const port = Number(process.argv[2]);
const provider = new Provider(`http://127.0.0.1:${{port}}`, {{
  clients: [{{ client_id: '{CLIENT[0]}', client_secret: '{CLIENT[1]}',
               redirect_uris: ['{BENCH_REDIRECT}'] }}],
}});
provider.listen(port, '127.0.0.1');
"""


@dataclass(frozen=True)
class Peer:
    """A peer mock: its package, how it is served, what its forms want, its flow's steps."""

    name: str
    label: str
    package: str  # a pip requirement (==) or an npm spec (@)
    argv: str  # {home}: its install folder, {port}: the port to serve on 127.0.0.1
    fill: dict  # values typed into the empty fields of its pages' forms
    pkce: bool
    steps: str  # what the browser does before the redirect with the code

    def command(self, port: int) -> list[str]:
        """The command that serves it on 127.0.0.1:port."""
        return self.argv.format(home=CACHE / self.name, port=port).split()


PEERS = (
    Peer(
        "oidc-provider-mock",
        "oidc-provider-mock 0.3.4 (Python, Flask + Authlib)",
        "oidc-provider-mock==0.3.4",
        "{home}/venv/bin/oidc-provider-mock -H 127.0.0.1 -p {port}",
        {"sub": "bench-user"},
        False,
        "authorize page → post any sub (no login, no consent)",
    ),
    Peer(
        "oauth2-mock-server",
        "oauth2-mock-server 8.2.3 (Node)",
        "oauth2-mock-server@8.2.3",
        "node {home}/node_modules/oauth2-mock-server/dist/oauth2-mock-server.mjs"
        " -a 127.0.0.1 -p {port}",
        {},
        True,
        "authorize (no login page at all)",
    ),
    Peer(
        "oidc-provider",
        "node oidc-provider 9.13.3 (Node, certified)",
        "oidc-provider@9.13.3",
        "node {home}/start.mjs {port}",
        {"login": "bench-user", "password": "bench"},
        True,
        "authorize → login page → login (any) → resume → consent page → confirm → resume",
    ),
)


def install(peer: Peer) -> None:
    """Install the peer into its cache folder unless that version is already there."""
    home = CACHE / peer.name
    marker = home / ".installed"
    if not marker.exists() or marker.read_text() != peer.package:
        if "==" in peer.package:
            subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
            pip = [str(home / "venv/bin/python"), "-m", "pip", "install", "-q"]
            subprocess.run([*pip, "--disable-pip-version-check", peer.package], check=True)
            # as sandbox.py does for our apps: no module compiled again on every cold start
            compileall.compile_dir(next((home / "venv/lib").glob("python*")), quiet=1)
        else:
            subprocess.run(["npm", "install", "--prefix", str(home), peer.package], check=True)
        marker.write_text(peer.package)
    if peer.name == "oidc-provider":
        (home / "start.mjs").write_text(OIDC_PROVIDER_JS, encoding="utf-8")


def parse_form(html: str, base: str, fill: dict) -> tuple[str, dict]:
    """The first form's absolute action and fields: hidden values kept, empty ones filled."""
    match = FORM.search(html)
    assert match, f"no form on {base}"
    action = dict(ATTR.findall(match.group(1))).get("action") or base
    fields = {}
    for tag in INPUT.findall(match.group(2)):
        attrs = dict(ATTR.findall(tag))
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value") or fill.get(attrs["name"], "")
    return urljoin(base, action.replace("&amp;", "&")), fields


def browse_to_code(browser: Browser, url: str, fill: dict, limit: int = 20) -> str:
    """Follow redirects and submit each page's form until the client's redirect URI is reached."""
    r = browser.get(url)
    for _ in range(limit):
        if r.status in (301, 302, 303, 307, 308):
            if r.location.startswith(BENCH_REDIRECT):
                return r.location
            r = browser.get(r.location)
        elif r.status == 200:
            action, fields = parse_form(r.text, r.url, fill)
            r = browser.post(action, fields)
        else:
            raise AssertionError(f"{r.status} from {r.url}: {r.text[:300]}")
    raise AssertionError(f"no code after {limit} steps from {url}")


class PeerFlow:
    """One client of a peer doing full code flows, each in a fresh browser."""

    def __init__(self, url: str, peer: Peer) -> None:
        self.peer = peer
        self.back = Browser()  # discovery, JWKS, token and userinfo keep their connection
        self.meta = self.back.get(f"{url}/.well-known/openid-configuration").json()
        self.keys = KeySet.import_key_set(self.back.get(self.meta["jwks_uri"]).json())

    def run(self) -> int:
        """One complete flow; returns the number of HTTP requests made."""
        browser, before = Browser(), self.back.requests
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        query = {"response_type": "code", "client_id": CLIENT[0], "scope": "openid"}
        query.update(redirect_uri=BENCH_REDIRECT, state=state, nonce=nonce)
        verifier = secrets.token_urlsafe(48)
        if self.peer.pkce:
            digest = hashlib.sha256(verifier.encode()).digest()
            query["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            query["code_challenge_method"] = "S256"
        url = f"{self.meta['authorization_endpoint']}?{urlencode(query)}"
        params = parse_qs(urlparse(browse_to_code(browser, url, self.peer.fill)).query)
        assert params["state"] == [state], f"state not echoed: {params}"
        form = {"grant_type": "authorization_code", "code": params["code"][0]}
        form.update(redirect_uri=BENCH_REDIRECT)
        if self.peer.pkce:
            form["code_verifier"] = verifier
        r = self.back.post(self.meta["token_endpoint"], data=form, auth=CLIENT)
        token = r.raise_for_status().json()
        claims = jwt.decode(token["id_token"], self.keys).claims
        assert claims["nonce"] == nonce and claims["aud"] in (CLIENT[0], [CLIENT[0]]), claims
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        info = self.back.get(self.meta["userinfo_endpoint"], headers=bearer)
        assert info.raise_for_status().json()["sub"] == claims["sub"]
        browser.close()
        return browser.requests + self.back.requests - before

    def close(self) -> None:
        """Close the kept-alive back-channel connection."""
        self.back.close()


def start(peer: Peer, port: int) -> tuple[subprocess.Popen, float]:
    """Spawn the peer; return it and the ms until its discovery URL said 200."""
    url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
    command = peer.command(port)
    popen, seconds = spawn_until_200(peer.name, command, url, cwd=CACHE / peer.name)
    return popen, seconds * 1000


def measure(peer: Peer, args: argparse.Namespace) -> dict:
    """Every figure of one peer."""
    port = free_port()
    stop_process(start(peer, port)[0])  # a first start warms the file cache; the timed ones follow
    starts = []
    for _ in range(args.starts):
        popen, ms = start(peer, port)
        stop_process(popen)
        starts.append(ms)
    row = {"label": peer.label, "steps": peer.steps, "pkce": peer.pkce, "cold_starts_ms": starts}
    row["cold_start_ms"] = statistics.median(starts)
    popen, _ = start(peer, port)
    flows: list[PeerFlow] = []
    try:
        url = f"http://127.0.0.1:{port}"
        flow = PeerFlow(url, peer)
        flows.append(flow)
        timed(flow.run, args.warmup)
        row["requests_per_flow"] = flow.run()
        latencies = timed(flow.run, args.flows)
        row["flow_median_ms"] = statistics.median(latencies)
        row["flow_p95_ms"] = percentile(latencies, 95)
        flows += [PeerFlow(url, peer) for _ in range(args.threads)]
        row["flows_per_s"] = throughput(flows[1:], args.threads, args.throughput_seconds, 100_000)
        peak_kb = max(vm_hwm_kb(pid) for pid in [popen.pid, *children(popen.pid)])
        row["peak_rss_mb"] = peak_kb / 1024
    finally:
        for each in flows:
            each.close()
        stop_process(popen)
    return row


def print_table(results: dict) -> None:
    """Print one row per peer, in the README's columns."""
    print(f"\n{HEADER}")
    for row in results["peers"].values():
        flow = f"{row['flow_median_ms']:.1f} ms (p95 {row['flow_p95_ms']:.1f})"
        print(
            f"| {row['label']} | {row['cold_start_ms']:.0f} ms | {flow} "
            f"| {row['requests_per_flow']} | {row['flows_per_s']:.1f} "
            f"| {row['peak_rss_mb']:.1f} MB |"
        )
    print()
    for name, row in results["peers"].items():
        pkce = "PKCE S256" if row["pkce"] else "no PKCE"
        print(f"{name}: {row['steps']} → code; token; userinfo ({pkce})")
    for when in ("before", "after"):
        info = results.get(f"machine_{when}")
        if info:
            print(f"load average {when}: {info['load_average']} on {info['cpus']} CPUs")


def machine() -> dict:
    """Cores and load average: other work on the machine skews every figure."""
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    """Install and measure the peers; print the table and write reports/bench-peers.json."""
    parser = argparse.ArgumentParser(prog="gosuslugi_sandbox.harness.bench.peers")
    parser.add_argument("--flows", type=int, default=200, help="sequential flows per peer")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--starts", type=int, default=5, help="cold starts per peer")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    parser.add_argument("--peer", action="append", choices=[p.name for p in PEERS])
    parser.add_argument("--smoke", action="store_true", help="tiny counts")
    parser.add_argument("--out", default="reports/bench-peers.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.flows, args.warmup, args.starts, args.throughput_seconds = 3, 1, 1, 1.0
    chosen = [p for p in PEERS if not args.peer or p.name in args.peer]
    for peer in chosen:
        install(peer)
    results: dict = {"smoke": args.smoke, "machine_before": machine(), "peers": {}}
    for peer in chosen:
        results["peers"][peer.name] = measure(peer, args)
    results["machine_after"] = machine()
    print_table(results)
    write_results(results, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
