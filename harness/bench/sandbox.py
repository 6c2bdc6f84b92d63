"""`make bench`: start-up, flow latency, throughput and memory of both apps under gunicorn.

Every flow is a real one (harness/bench/flows.py). docs/performance.md says how each figure is
measured and what the time goes on.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gosuslugi_sandbox.harness.bench.esia import EsiaGostFlow, register_esia_gost_client
from gosuslugi_sandbox.harness.bench.flows import (
    IdpFlow,
    LinkFlow,
    bench_persons,
    register_bench_client,
)
from gosuslugi_sandbox.harness.bench.http_client import Browser
from gosuslugi_sandbox.harness.bench.measure import (
    cpu_split,
    percentile,
    throughput,
    timed,
    write_results,
)
from gosuslugi_sandbox.harness.bench.procs import Proc, spawn_until_200
from gosuslugi_sandbox.harness.serve import AppSpec, gunicorn_command
from gosuslugi_sandbox.harness.servers import free_port
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import load_fixture


def start_app(spec: AppSpec, env: dict[str, str]) -> tuple[Proc, float]:
    """Spawn the app under gunicorn; return it and the seconds until its health URL said 200."""
    url = spec.url + spec.health_path
    popen, seconds = spawn_until_200(spec.name, gunicorn_command(spec, environ=env), url, env)
    return Proc(spec, popen), seconds


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
    )
    env.pop("DATABASE_URL", None)
    return env


def compile_bytecode() -> None:
    """Compile the project's modules once, as an installed package would ship them.

    Without this, an environment with PYTHONDONTWRITEBYTECODE set (this workplace's CI) would
    recompile every module of the app on every cold start.
    """
    # here: only their folders are wanted; importing both apps would cost every
    # `bench --help` a second
    from gosuslugi_sandbox import idp, relying_party, shared

    for package in (idp, relying_party, shared):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def machine() -> dict:
    """What the figures were measured on: cores, load (other work skews them), versions."""
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "server": _server_settings(),
    }


def _server_settings() -> str:
    """The gunicorn options the apps run with (workers, threads, hooks), for the report."""
    command = gunicorn_command(AppSpec("app", "app", 0, "/"))
    return " ".join(command[command.index("--workers") :])


def cold_starts(spec: AppSpec, env: dict, runs: int) -> list[float]:
    """Seconds from spawn to the first 200, for `runs` restarts (instance already set up)."""
    times = []
    for _ in range(runs):
        proc, seconds = start_app(spec, env)
        proc.stop()
        times.append(seconds * 1000)
    return times


def catalogue_seconds() -> float:
    """Wall time of `gosuslugi-sandbox run -j 2` over the whole catalogue."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "gosuslugi_sandbox", "run", "-j", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the catalogue failed:\n{done.stdout[-3000:]}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (and write reports/bench.json)."""
    parser = argparse.ArgumentParser(prog="gosuslugi-sandbox bench")
    parser.add_argument("--flows", type=int, default=200, help="sequential IdP flows")
    parser.add_argument("--link-flows", type=int, default=50, help="sequential link flows")
    parser.add_argument("--esia-flows", type=int, default=50, help="sequential ESIA GOST logins")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--starts", type=int, default=5, help="cold starts per app (the last: the apps measured)"
    )
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    parser.add_argument("--smoke", action="store_true", help="tiny counts (CI checks it runs)")
    parser.add_argument("--no-catalogue", action="store_true")
    parser.add_argument("--out", default="reports/bench.json")
    args = parser.parse_args(argv)
    if args.starts < 1:
        parser.error("--starts must be at least 1")
    if args.smoke:
        args.flows, args.link_flows, args.warmup, args.starts = 3, 2, 1, 1
        args.esia_flows = 2
        args.throughput_seconds = 0.3  # both cores busy meanwhile: each second costs two
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="bench-") as root:
        results = measure_apps(args, Path(root))
    if not args.no_catalogue:
        results["catalogue_s"] = catalogue_seconds()
    results["machine_after"] = machine()
    print_table(results)
    write_results(results, args.out)
    return 0


def measure_apps(args: argparse.Namespace, root: Path) -> dict:
    """Start both apps under gunicorn with their databases in root and measure them."""
    idp = AppSpec("idp", "gosuslugi_sandbox.idp:create_app()", free_port(), "/_control/health")
    rp = AppSpec(
        "sferum", "gosuslugi_sandbox.relying_party:create_app()", free_port(), "/_control/health"
    )
    env = environment(root, idp, rp)
    if args.smoke:
        env["WEB_WORKERS"] = "1"  # it checks that every figure comes out, not the figures
    # first start creates the database and keys; cold starts below are restarts
    first_idp, idp_first_start = start_app(idp, env)
    first_rp, rp_first_start = start_app(rp, env)
    results: dict = {"smoke": args.smoke, "machine_before": machine()}
    results["idp_first_start_ms"] = idp_first_start * 1000
    results["rp_first_start_ms"] = rp_first_start * 1000
    if args.smoke:  # the first start stands in for the restart: the figures are not the point
        idp_proc, idp_start = first_idp, idp_first_start
        rp_proc, rp_start = first_rp, rp_first_start
        idp_starts = rp_starts = []
    else:
        first_idp.stop()
        first_rp.stop()
        idp_starts = cold_starts(idp, env, args.starts - 1)
        rp_starts = cold_starts(rp, env, args.starts - 1)
        # the start of the apps measured below is a restart too: the last cold-start sample
        idp_proc, idp_start = start_app(idp, env)
        rp_proc, rp_start = start_app(rp, env)
    results["idp_cold_start_ms"] = statistics.median([*idp_starts, idp_start * 1000])
    results["rp_cold_start_ms"] = statistics.median([*rp_starts, rp_start * 1000])
    clients: list = []  # every kept-alive client, closed at the end
    try:
        persons = {p["oid"]: p for p in _fixture("persons.yaml")["persons"]}
        users = {u["id"]: u for u in _fixture("sferum.yaml")["users"]}
        control = Browser()
        clients.append(control)
        register_bench_client(idp.url)
        flow = IdpFlow(idp.url, "bench", "bench-secret", persons[1000000001])
        clients.append(flow)
        timed(flow.run, args.warmup)
        results["idp_requests_per_flow"] = flow.run()
        latencies, results["idp_flow_cpu_ms"] = cpu_split(flow.run, args.flows, [idp_proc])
        results["idp_flow_median_ms"] = statistics.median(latencies)
        results["idp_flow_p95_ms"] = percentile(latencies, 95)
        # one person per client thread: each reads its own SMS codes
        flows = [
            IdpFlow(idp.url, "bench", "bench-secret", p)
            for p in bench_persons(control, idp.url, args.threads)
        ]
        clients.extend(flows)
        results["idp_flows_per_s"] = throughput(
            flows, args.threads, args.throughput_seconds, limit=100_000
        )
        register_esia_gost_client(idp.url)
        esia = EsiaGostFlow(idp.url, persons[1000000001])
        clients.append(esia)
        timed(esia.run, max(1, args.warmup // 4))
        results["esia_gost_requests_per_flow"] = esia.run()
        esia_latencies, results["esia_gost_flow_cpu_ms"] = cpu_split(
            esia.run, args.esia_flows, [idp_proc]
        )
        results["esia_gost_flow_median_ms"] = statistics.median(esia_latencies)
        results["esia_gost_flow_p95_ms"] = percentile(esia_latencies, 95)
        link = LinkFlow(idp.url, rp.url, users[123457], persons[1000000002])
        clients.append(link)
        timed(link.run, max(1, args.warmup // 4))
        results["link_requests_per_flow"] = link.run()
        link_latencies, results["link_flow_cpu_ms"] = cpu_split(
            link.run, args.link_flows, [idp_proc, rp_proc]
        )
        results["link_flow_median_ms"] = statistics.median(link_latencies)
        results["link_flow_p95_ms"] = percentile(link_latencies, 95)
        for name, proc in (("idp", idp_proc), ("rp", rp_proc)):
            memory = proc.memory_mb()
            results[f"{name}_peak_rss_mb"] = max(memory["master"], memory["worker"])
            results[f"{name}_memory_mb"] = memory
    finally:
        for client in clients:
            client.close()
        idp_proc.stop()
        rp_proc.stop()
    return results


def _fixture(name: str) -> dict:
    return load_fixture(FIXTURES_DIR / name)


TARGETS = {
    "idp_cold_start_ms": ("IdP cold start", "ms", 250, "max"),
    "rp_cold_start_ms": ("Sferum cold start", "ms", 300, "max"),
    "idp_flow_median_ms": ("IdP full flow, median", "ms", 10, "max"),
    "idp_flow_p95_ms": ("IdP full flow, p95", "ms", None, None),
    "idp_flows_per_s": ("IdP flows/s, 4 client threads", "/s", 230, "min"),
    "idp_requests_per_flow": ("HTTP requests per IdP flow", "", None, None),
    "esia_gost_flow_median_ms": ("ESIA GOST login, median", "ms", None, None),
    "esia_gost_flow_p95_ms": ("ESIA GOST login, p95", "ms", None, None),
    "esia_gost_requests_per_flow": ("HTTP requests per ESIA GOST login", "", None, None),
    "link_flow_median_ms": ("Link flow (both apps), median", "ms", 40, "max"),
    "link_flow_p95_ms": ("Link flow (both apps), p95", "ms", None, None),
    "link_requests_per_flow": ("HTTP requests per link flow", "", None, None),
    "idp_peak_rss_mb": ("IdP peak RSS (largest process)", "MB", 60, "max"),
    "rp_peak_rss_mb": ("Sferum peak RSS (largest process)", "MB", 60, "max"),
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
    print()
    for name, label in (("idp", "IdP"), ("rp", "Sferum")):
        memory = results.get(f"{name}_memory_mb")
        if memory:
            print(
                f"{label} VmHWM: gunicorn master {memory['master']:.1f} MB, "
                f"worker {memory['worker']:.1f} MB ({memory['workers']} worker(s))"
            )
    for key, label in (
        ("idp_flow_cpu_ms", "IdP flow"),
        ("esia_gost_flow_cpu_ms", "ESIA GOST login"),
        ("link_flow_cpu_ms", "link flow"),
    ):
        if key in results:
            parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in results[key].items())
            print(f"CPU per {label}: {parts}")
    for when in ("before", "after"):
        info = results.get(f"machine_{when}")
        if info:
            print(f"load average {when}: {info['load_average']} on {info['cpus']} CPUs")
    if "machine_before" in results:
        print(f"server: gunicorn {results['machine_before']['server']}")
