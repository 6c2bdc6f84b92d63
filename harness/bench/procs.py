"""The processes `make bench` measures: spawn until the first 200, stop, peak memory, CPU."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gosuslugi_sandbox.harness.serve import AppSpec
from gosuslugi_sandbox.harness.servers import wait_until_up


@dataclass
class Proc:
    """A started app process: the gunicorn master and its worker(s)."""

    spec: AppSpec
    popen: subprocess.Popen

    def memory_mb(self) -> dict[str, float]:
        """Peak resident memory (VmHWM, MB) of the master and of the largest worker."""
        workers = [vm_hwm_kb(pid) for pid in children(self.popen.pid)]
        return {
            "master": vm_hwm_kb(self.popen.pid) / 1024,
            "worker": max(workers, default=0) / 1024,
            "workers": len(workers),
        }

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.popen.pid, *children(self.popen.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        stop_process(self.popen)


def children(pid: int) -> list[int]:
    """The direct child processes of pid (gunicorn's workers)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def vm_hwm_kb(pid: int) -> int:
    """Peak resident memory (VmHWM) of pid in kB, 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def stop_process(popen: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    popen.terminate()
    try:
        popen.wait(10)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait()


def spawn_until_200(
    name: str, command: list[str], url: str, env=None, cwd=None
) -> tuple[subprocess.Popen, float]:
    """Spawn command; return it and the seconds until url said 200 (exit with its log if not)."""
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log)
        try:
            # every 2 ms: the cold start is measured to the first answer
            wait_until_up(url, timeout=30, interval=0.002, alive=lambda: popen.poll() is None)
        except TimeoutError as exc:
            stop_process(popen)
            log.seek(0)
            message = log.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{name} did not start ({exc}): {message}") from exc
        return popen, time.perf_counter() - t0
