"""A throwaway PostgreSQL cluster in a temporary directory, for tests and local QA stands.

Debian's PostgreSQL binaries (`scripts/ensure-postgres.sh` installs them) are run directly:
`initdb` into a temporary directory, `pg_ctl start` on a free port of 127.0.0.1 with the
socket in that directory too. PostgreSQL refuses to run as root, so as root the cluster
belongs to the `postgres` system user and every binary runs through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from gosuslugi_sandbox.harness.servers import free_port


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why and what to install."""


def find_bindir() -> Path:
    """The directory of initdb/pg_ctl (PG_BINDIR, else Debian's newest, else PATH)."""
    configured = os.environ.get("PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for directory in candidates:
        if directory and (Path(directory) / "initdb").exists():
            return Path(directory)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: run scripts/ensure-postgres.sh "
        "(apt-get install postgresql-15) or set PG_BINDIR"
    )


class PostgresCluster:
    """initdb + pg_ctl in a temporary directory; `url(name)` gives SQLAlchemy URLs."""

    def __init__(self, root: Path | None = None) -> None:
        self.bindir = find_bindir()
        self._tmp = None if root else tempfile.TemporaryDirectory(prefix="pg-")
        self.root = Path(root or self._tmp.name)
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "postgres"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}"
            )
        return result

    def start(self) -> PostgresCluster:
        """Create and start the cluster (durability off: it is thrown away)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
            self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")  # fmt: skip
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
            ]
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "start")  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) of a database of this cluster."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL."""
        import psycopg  # on first use: the optional [postgres] extra, not every install has it

        name = name or "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.data.exists():
            with contextlib.suppress(PostgresUnavailable):  # already stopped
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
