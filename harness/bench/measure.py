"""The measures both benchmarks take: latencies, CPU per run, throughput, a JSON record."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gosuslugi_sandbox.harness.bench.procs import Proc


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def cpu_split(fn, n: int, procs: list[Proc]) -> tuple[list[float], dict[str, float]]:
    """Time fn n times; also the CPU ms per run of each app process and of this client."""
    servers = [proc.cpu_seconds() for proc in procs]
    client = time.process_time()
    latencies = timed(fn, n)
    cpu = {"client": (time.process_time() - client) * 1000 / n}
    for proc, before in zip(procs, servers, strict=True):
        cpu[proc.spec.name] = (proc.cpu_seconds() - before) * 1000 / n
    return latencies, cpu


def timed(fn, n: int) -> list[float]:
    """Run fn n times sequentially; return the durations in ms."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


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


def write_results(results: dict, path: str) -> None:
    """Write the figures as JSON (reports/…) and say where."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")
