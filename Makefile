# Everything sets itself up: a .venv with the project installed, reinstalled when
# pyproject.toml changes; Chromium for the browser tests and OpenSSL's GOST engine for the GOST
# interoperability tests when missing.
# The venv's interpreter: a Python 3.11+ linked without a shared libpython when there is one
# (Debian's /usr/bin/python3 is; pyenv's builds are not), which runs the suite about a seventh
# faster; else python3 (scripts/pick-python.sh). `make setup PYTHON=python3.12` picks one; an
# existing .venv is kept (`make clean` first to rebuild it).
PYTHON ?= $(shell bash scripts/pick-python.sh)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
COMPILED := $(VENV)/.compiled

.PHONY: setup run test lint format scenarios bench bench-peers browser-deps db-deps gost-deps clean


$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Once per checkout, in one process: compile the project's bytecode and cache the test modules
# with pytest's asserts rewritten (a collection). Otherwise the first `make test` after a clone
# has each of its three workers rewrite every test module at the same moment, and each app a
# test starts compile the project (docs/performance.md, "The test suite"). pytest rewrites an
# edited module again by itself; the stamp only says the first pass was made. A test tree that
# does not collect does not stop `make run`: the pass is tried again next time, and `make test`
# shows the error.
$(COMPILED): $(STAMP)
	@if PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q --collect-only -p no:cacheprovider \
		>/dev/null 2>&1; then touch $(COMPILED); \
	else echo "make setup: the tests do not collect (make test shows why); compiled what it could"; fi

setup: $(STAMP) $(COMPILED)

run: setup
	@$(PY) -m gosuslugi_sandbox serve

# three pytest workers on two cores (pytest-xdist; each starts its own throwaway PostgreSQL
# cluster): a worker waiting for a server it started leaves its core to another
# (docs/performance.md, "The test suite")
TEST_WORKERS ?= 3

# A run writes and deletes some 700 MB of throwaway files: fresh databases, the workers'
# PostgreSQL clusters, browser profiles, the wheel's venv. On a disk the kernel journals them
# and writes them back; in RAM it does not, and the run takes about a tenth less CPU
# (docs/performance.md, "Tenth pass"). So TMPDIR is /dev/shm when it is a writable tmpfs with
# 2 GB free; `make test TEST_TMPDIR=/tmp` keeps them on disk, `TEST_TMPDIR=` leaves TMPDIR be.
TEST_TMPDIR ?= $(shell bash scripts/ram-tmpdir.sh)

# bytecode is written even where the environment sets PYTHONDONTWRITEBYTECODE (this workplace
# does): otherwise every pytest process re-rewrites the asserts of every module it imports and
# every app started by a test compiles the project again (docs/performance.md, "The test suite")
test: setup browser-deps db-deps gost-deps
	@$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) PYTHONDONTWRITEBYTECODE= \
		$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

scenarios: setup
	@$(PY) -m gosuslugi_sandbox run -j 2 --junit reports/scenarios-junit.xml

bench: setup
	@$(PY) -m gosuslugi_sandbox bench

bench-peers: setup
	@$(PY) -m gosuslugi_sandbox.harness.bench.peers

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: setup
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

browser-deps:
	@bash scripts/ensure-chromium.sh

db-deps:
	@bash scripts/ensure-postgres.sh

gost-deps:
	@bash scripts/ensure-openssl-gost.sh

clean:
	rm -rf $(VENV) instance reports .pytest_cache
