"""gunicorn run in a fork of `serve`, so that its master and workers import nothing again.

`serve` builds both apps to set their databases up before any worker starts; a `python -m
gunicorn` process per app then imported the whole project once more in its master and in each
worker (about half a core-second apiece). Forked from `serve`, a master starts with every
module loaded and a worker only calls the app factory (docs/performance.md, "Tenth pass").
Each worker still builds its own app, with its own database connections, as without
`--preload`; gunicorn reseeds `random` in every worker it forks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path

import gunicorn
from gunicorn.app.wsgiapp import run


class ForkedProcess:
    """A forked child, with the part of `subprocess.Popen`'s interface `serve` uses."""

    def __init__(self, pid: int, args: list[str]) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status once the child has ended (reaped here), else None."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to end; subprocess.TimeoutExpired after timeout seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the child unless it has already ended."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the child."""
        self.send_signal(signal.SIGKILL)


def fork_gunicorn(command: list[str], env: Mapping[str, str]) -> ForkedProcess:
    """Run `python -m gunicorn ARGS` (a command as `gunicorn_command` builds it) with env as the
    environment, in a fork of this process."""
    if command[1:3] != ["-m", "gunicorn"]:
        raise ValueError(f"not a gunicorn command: {command[:3]}")
    sys.stdout.flush()  # else the child would print what this process has buffered again
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return ForkedProcess(pid, command)
    status = 1
    try:
        # serve's own handlers stop serve; gunicorn installs its own once it runs
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with contextlib.suppress(OSError):  # `pgrep gunicorn` and `top` name it, as before
            Path("/proc/self/comm").write_text("gunicorn")
        os.environ.clear()
        os.environ.update(env)
        # what `python -m gunicorn` sees (gunicorn re-executes sys.argv on SIGUSR2)
        sys.argv = [os.path.join(os.path.dirname(gunicorn.__file__), "__main__.py"), *command[3:]]
        run(prog="gunicorn")
        status = 0
    except SystemExit as exc:  # how gunicorn ends its master and each worker
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)  # what the interpreter would have printed
        status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        # the stack above the fork is serve's: its clean-up must not run a second time here
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
