"""Read fixture files (YAML or JSON) that QA edit by hand."""

from __future__ import annotations

import json
import os
import string
from pathlib import Path
from typing import Any

from gosuslugi_sandbox.shared.config import FIXTURES_DIR


class FixtureError(ValueError):
    """A fixture file that cannot be read; the message names the file and the problem."""


def fixture_path(name: str, directory: str | os.PathLike | None = None) -> Path:
    """Resolve a fixture file name against the fixtures directory."""
    return Path(directory or FIXTURES_DIR) / name


def load_fixture(path: str | os.PathLike, variables: dict[str, str] | None = None) -> Any:
    """Load a YAML or JSON file, expanding ${NAME} placeholders from variables."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read ({exc.strerror})") from exc
    if variables:
        text = string.Template(text).safe_substitute(variables)
    import yaml  # here, not at the top: apps import this module on every start, rarely read YAML

    try:
        if path.suffix == ".json":
            return json.loads(text)
        # libyaml's loader when PyYAML has it: the same documents, ~10x faster to read
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: {exc}") from exc
