"""The wheel installs next to the PyPI projects `fixtures`, `shared` and `harness`, whose names the
repository's directories share, and breaks none of them, nor they it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.package.build import install, locked, make_environment, once, run_root

# pinned, so the test means the same tomorrow; `shared` needs paradict, kvf and braq to import
NEIGHBOURS = (
    "fixtures==4.3.2",
    "shared==0.0.32",
    "paradict==0.0.16",
    "kvf==0.0.3",
    "braq==0.0.12",
    "harness==0.1.0",  # an sdist only: built into a wheel once
)
# fetched once per user, as pip caches what it downloads: a fresh clone needs no network
WHEELHOUSE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "gosuslugi-sandbox"
    / "pypi-neighbours"
)

CHECK = """\
import importlib
import importlib.metadata as metadata
from pathlib import Path

theirs = {name: importlib.import_module(name) for name in ("fixtures", "shared", "harness")}
assert hasattr(theirs["fixtures"], "Fixture") and hasattr(theirs["shared"], "Dossier")
assert theirs["harness"].__version__ == "0.1.0"
owners = metadata.packages_distributions()
for name, module in theirs.items():
    assert owners[name] == [name], (name, owners[name])
    files = {Path(f.locate()).resolve() for f in metadata.files(name)}
    assert Path(module.__file__).resolve() in files, module.__file__

import gosuslugi_sandbox.harness.plugin as plugin
import gosuslugi_sandbox.shared.config as config

ours = {Path(f.locate()).resolve() for f in metadata.files("gosuslugi-sandbox")}
assert Path(plugin.__file__).resolve() in ours
assert (config.FIXTURES_DIR / "persons.yaml").resolve() in ours
for name in ("fixtures", "shared", "harness", "paradict", "kvf", "braq"):
    clash = ours & {Path(f.locate()).resolve() for f in metadata.files(name)}
    assert not clash, (name, sorted(clash))
"""


def pinned_wheels() -> list:
    """The wheel files of NEIGHBOURS found in WHEELHOUSE."""
    prefixes = tuple(spec.replace("==", "-") + "-" for spec in NEIGHBOURS)
    return [w for w in WHEELHOUSE.glob("*.whl") if w.name.startswith(prefixes)]


def fetch_neighbours(_folder) -> str:
    """The PyPI wheels in WHEELHOUSE (downloaded, or built from the sdist, on the first run)."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    with locked(WHEELHOUSE.parent / "pypi-neighbours.lock"):  # another checkout's run, at once
        if len(pinned_wheels()) < len(NEIGHBOURS):
            fetched = subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(WHEELHOUSE),
                 *NEIGHBOURS],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if fetched.returncode:
                pytest.fail(f"cannot fetch {' '.join(NEIGHBOURS)} from PyPI:\n{fetched.stderr}")
    return str(WHEELHOUSE)


def test_the_wheel_and_the_pypi_namesakes_all_import(tmp_path_factory, sandbox_wheel):
    once(run_root(tmp_path_factory), "neighbours", fetch_neighbours)
    python = make_environment(tmp_path_factory.mktemp("side-by-side"), sandbox_wheel)
    install(python, *pinned_wheels())  # after ours: a file of theirs at our path replaces ours
    checked = subprocess.run(
        [python, "-c", CHECK], capture_output=True, text=True, cwd=python.parent, check=False
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    version = subprocess.run(
        [python.parent / "gosuslugi-sandbox", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("gosuslugi-sandbox "), version
