"""`make test` keeps a run's throwaway files in RAM when there is room, and says where."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.edge.make_commands import make_commands
from tests.paths import REPO_ROOT

ROOM = 2 * 1024**3  # what scripts/ram-tmpdir.sh asks of a folder


def filesystem_type(folder: Path) -> str:
    """The type of the filesystem mounted deepest above folder (/proc/self/mountinfo)."""
    best, kind = "", ""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4]
        kind_here = fields[fields.index("-") + 1]
        inside = str(folder) == point or str(folder).startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, kind_here
    return kind


def holds_a_run(folder: Path) -> bool:
    """A writable tmpfs with room, read without the script's tools."""
    if not folder.is_dir():
        return False
    stats = os.statvfs(folder)
    return (
        filesystem_type(folder) == "tmpfs"
        and os.access(folder, os.W_OK)
        and stats.f_bavail * stats.f_frsize >= ROOM
    )


@pytest.mark.parametrize("folder", [Path("/dev/shm"), REPO_ROOT, Path("/proc"), Path("/no/such")])
def test_only_a_writable_tmpfs_with_room_is_chosen(folder):
    answer = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/ram-tmpdir.sh"), str(folder)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert answer == (str(folder) if holds_a_run(folder) else "")


def test_the_run_gets_the_chosen_folder_as_tmpdir():
    assert "TMPDIR=/var/tmp/elsewhere PYTHONDONTWRITEBYTECODE=" in make_commands(
        "test", "TEST_TMPDIR=/var/tmp/elsewhere"
    )
    assert "TMPDIR=" not in make_commands("test", "TEST_TMPDIR=")
    chosen = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/ram-tmpdir.sh")], capture_output=True, text=True
    ).stdout.strip()
    if chosen:
        assert f"TMPDIR={chosen} PYTHONDONTWRITEBYTECODE=" in make_commands("test")
    else:
        assert "TMPDIR=" not in make_commands("test")
