"""Count SQL statements and commits per request of one IdP code flow (in-process).

The IdP runs in a thread (LiveServer) on a temporary instance; SQLAlchemy engine events
count what each Flask endpoint executes.
Usage: `.venv/bin/python scripts/sql_per_flow.py [-v]` (-v: print each statement).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import event

from gosuslugi_sandbox.harness.bench.flows import IdpFlow, register_bench_client
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app

ROSHCHINA = {"mobile": "+79651234575", "password": "Roshchina-2024"}


def main() -> int:
    """Run two warm-up flows, count a third, print statements / commits per endpoint."""
    verbose = "-v" in sys.argv
    root = Path(tempfile.mkdtemp(prefix="sqlcount-"))
    app = create_app({"INSTANCE_PATH": str(root), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    engine = app.extensions["idp"].db.engine
    statements: Counter[str] = Counter()
    commits: Counter[str] = Counter()
    counting = [False]

    def key() -> str:
        if not has_request_context():
            return "(outside a request)"
        return f"{request.method} {request.endpoint}"

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(_conn, _cursor, sql, *_args):
        if counting[0]:
            statements[key()] += 1
            if verbose:
                print(f"{key():32} {' '.join(sql.split())[:150]}")

    @event.listens_for(engine, "commit")
    def _commit(*_args):
        if counting[0]:
            commits[key()] += 1
            if verbose:
                print(f"{key():32} COMMIT")

    with LiveServer(app) as server:
        register_bench_client(server.url)
        flow = IdpFlow(server.url, "bench", "bench-secret", ROSHCHINA)
        flow.run()
        flow.run()
        counting[0] = True
        flow.run()
        counting[0] = False
        flow.close()
    for endpoint in sorted(set(statements) | set(commits)):
        print(f"{endpoint:32} {statements[endpoint]:3} statements {commits[endpoint]:2} commits")
    print(f"{'total':32} {sum(statements.values()):3} statements {sum(commits.values()):2} commits")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
