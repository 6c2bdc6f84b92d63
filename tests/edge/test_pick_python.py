"""`make setup` builds the venv on a Python without a shared libpython when there is one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.edge.make_commands import make_commands
from tests.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts/pick-python.sh"


def pick(*candidates: str) -> str:
    """What scripts/pick-python.sh chooses among these candidates."""
    done = subprocess.run(
        ["bash", str(SCRIPT), *candidates], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def fake_python(folder: Path, name: str, answer: str | None) -> str:
    """An executable that answers the script's probe as an interpreter would (None: unusable)."""
    path = folder / name
    body = f"echo {answer}" if answer else "exit 1"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_a_static_interpreter_is_preferred_to_a_shared_one_before_it(tmp_path):
    shared = fake_python(tmp_path, "shared", "shared")
    static = fake_python(tmp_path, "static", "static")
    assert pick(shared, static) == static
    assert pick(static, shared) == static


def test_without_a_static_one_the_first_usable_is_taken(tmp_path):
    broken = fake_python(tmp_path, "broken", None)
    shared = fake_python(tmp_path, "shared", "shared")
    elsewhere = fake_python(tmp_path, "elsewhere", "unknown")
    assert pick(broken, shared, elsewhere) == shared
    assert pick(broken, elsewhere, shared) == elsewhere


def test_with_nothing_usable_python3_is_named_for_venv_to_explain(tmp_path):
    broken = fake_python(tmp_path, "broken", None)
    assert pick(broken, str(tmp_path / "missing")) == "python3"


def test_the_probe_tells_how_a_real_interpreter_is_linked(tmp_path):
    # this very interpreter, before a static stand-in: the stand-in wins only if this one
    # runs with a shared libpython, as this process's own memory map says
    shared = "/libpython" in Path("/proc/self/maps").read_text()
    static = fake_python(tmp_path, "static", "static")
    assert pick(sys.executable, static) == (static if shared else sys.executable)
    assert pick(sys.executable) == sys.executable


def test_setup_makes_the_venv_with_the_chosen_interpreter(tmp_path):
    commands = make_commands("setup", f"VENV={tmp_path}/venv")
    assert f"|| {pick()} -m venv {tmp_path}/venv" in commands
    given = make_commands("setup", f"VENV={tmp_path}/venv", "PYTHON=python3.99")
    assert f"|| python3.99 -m venv {tmp_path}/venv" in given
