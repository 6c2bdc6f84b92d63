"""The layers of pyproject.toml's [tool.importlinter] contracts hold (import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.package.build import installed_tree

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(tmp_path):
    # grimp walks each root package's folder, so it gets the packages laid out as installed
    # (setup.py maps the repository's folders into them)
    tree = installed_tree(tmp_path)
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
