#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries are there: `make test` runs the database-facing tests
# on SQLite and on a throwaway PostgreSQL cluster (harness/pgcluster.py starts it).
set -euo pipefail
if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
  exit 0
fi
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's PostgreSQL server for the database tests (once)..."
  export DEBIAN_FRONTEND=noninteractive
  # the tests start their own clusters: no system-wide 'main' cluster
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] ||
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  exit 0
fi
echo "The database tests need PostgreSQL's server binaries (initdb, pg_ctl). Install them:" >&2
echo "    sudo apt-get install -y postgresql-15" >&2
echo "(or set PG_BINDIR=/path/to/postgresql/bin)" >&2
exit 1
