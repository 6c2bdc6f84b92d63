"""Run a start-up script twice on one instance directory, as a first start and a restart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import REPO_ROOT


def start_twice(script: str, instance: Path) -> list[str]:
    """The output of `python -c script instance`: first start, then restart (a failure raises)."""
    outputs = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", script, str(instance)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        outputs.append(result.stdout)
    return outputs
