"""What a make target would run, printed by `make -n` in the checkout, not run."""

from __future__ import annotations

import os
import subprocess

from tests.paths import REPO_ROOT

# what an outer `make test` (or the person) set would otherwise reach the make run here
OUTER = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "TEST_TMPDIR", "PYTHON")


def make_commands(target: str, *overrides: str) -> str:
    """The commands `make target` would run with these VAR=value overrides."""
    done = subprocess.run(
        ["make", "-s", "-n", target, *overrides],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        env={name: value for name, value in os.environ.items() if name not in OUTER},
    )  # fmt: skip
    return done.stdout
