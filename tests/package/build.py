"""Build the wheel from the checkout's files and install it into a fresh virtual environment.

Both are made once per test run (pytest-xdist workers share them through a lock) in the
temporary directory, outside the checkout. The environment gets only the wheel from pip
(`--no-deps --no-index`: seconds, no network); the dependencies come from this .venv through
a .pth file naming a folder of links to the files of what the wheel declares it requires (and
pytest, a team's own runner), each with what it requires in turn. So every import of the
sandbox resolves to the wheel's files, and a dependency the wheel forgot to declare is missing
downstream, as it would be in a team's venv: this .venv's development tools are not there.
"""

from __future__ import annotations

import ast
import email
import fcntl
import importlib.metadata as metadata
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.paths import REPO_ROOT

DIST_NAME = "gosuslugi_sandbox"  # the wheel's and the editable install's file-name prefix
TEAM_TOOLS = ("pytest",)  # in a team's venv beside the wheel: the plugin plugs into it


def run_root(tmp_path_factory) -> Path:
    """The temporary folder of this test run, shared by the xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on path (made if missing) for the block."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(root: Path, name: str, make: Callable[[Path], Path]) -> Path:
    """make(folder) once per test run; later callers (any worker) get its result."""
    folder = root / name
    done = root / f"{name}.done"
    with locked(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            done.write_text(str(make(folder)))
    return Path(done.read_text())


def checkout_files() -> list[str]:
    """Tracked and new (not ignored) files: what a commit of the working tree would hold."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    return [name for name in listing.split("\0") if name and (REPO_ROOT / name).is_file()]


def package_mapping() -> dict[str, str]:
    """setup.py's PACKAGES: installed import name -> repository directory."""
    tree = ast.parse((REPO_ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PACKAGES":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no PACKAGES table")


def installed_path(name: str, mapping: dict[str, str]) -> str | None:
    """Where a checkout file lands when installed, or None when it is not package content."""
    for package, directory in mapping.items():
        if name.startswith(directory + "/"):
            return package.replace(".", "/") + name[len(directory) :]
    return None


def installed_tree(folder: Path) -> Path:
    """The packages copied into folder as pip lays them out (for tools that walk folders)."""
    mapping = package_mapping()
    for name in checkout_files():
        target = installed_path(name, mapping)
        if target:
            (folder / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, folder / target)
    return folder


def build_wheel(folder: Path) -> Path:
    """The wheel, built from a copy of the checkout (its build/ and egg-info stay out of it)."""
    source = folder / "source"
    for name in checkout_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
         "--no-build-isolation", "-w", str(folder / "dist"), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = (folder / "dist").glob(f"{DIST_NAME}-*.whl")
    return wheel


def _required(lines: Iterable[str]) -> list[str]:
    """The names of the requirements that hold without extras."""
    wanted = [Requirement(line) for line in lines]
    return [r.name for r in wanted if r.marker is None or r.marker.evaluate({"extra": ""})]


def _wheel_requirements(wheel: Path) -> list[str]:
    """What the wheel's METADATA says it requires (its extras left out)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(name).decode("utf-8")
    return _required(email.message_from_string(text).get_all("Requires-Dist") or [])


def _installed_closure(names: Iterable[str]) -> list[metadata.Distribution]:
    """This .venv's distributions of names and of everything they require, transitively."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name not in found:
            found[name] = metadata.distribution(name)
            todo += _required(found[name].requires or [])
    return list(found.values())


def _dependencies_view(folder: Path, wheel: Path) -> Path:
    """Links to the installed files of the wheel's requirements and the team's tools."""
    view = folder / "dependencies"
    view.mkdir()
    for dist in _installed_closure([*_wheel_requirements(wheel), *TEAM_TOOLS]):
        for file in dist.files or []:
            top = file.parts[0]  # a package, a module or a .dist-info folder; ".." is bin/
            if top != ".." and not (view / top).exists():
                (view / top).symlink_to(Path(dist.locate_file(top)))
    return view


def make_environment(folder: Path, wheel: Path) -> Path:
    """A fresh venv in folder with the wheel installed; its python."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "sandbox-dependencies.pth").write_text(f"{_dependencies_view(folder, wheel)}\n")
    install(python, wheel)
    return python


def install(python: Path, *wheels: Path) -> None:
    """pip install the wheel files into the venv of python (nothing else, no index)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", *map(str, wheels)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def clean_environment(venv_python: Path) -> dict[str, str]:
    """The environment a downstream command runs in: the venv first on PATH, nothing of ours."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "GOSUSLUGI_", "SFERUM_", "IDP_", "RP_", "PYTHON"))
        and name not in ("VIRTUAL_ENV", "DATABASE_URL", "TLS", "BIND")
    }
    env["PATH"] = f"{venv_python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_python.parent.parent)
    return env
