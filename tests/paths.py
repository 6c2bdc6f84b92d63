"""Paths of the checkout the tests run from (the installed package never uses these)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def lines_matching(folder: str, pattern, skip: str = "config.py") -> list[str]:
    """`path:number` of every line of a package's modules (but `skip`) that pattern finds."""
    found = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        if path.name != skip:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(REPO_ROOT)}:{number}")
    return found
