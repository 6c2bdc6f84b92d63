"""Paths of the checkout the tests run from (the installed package never uses these)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
