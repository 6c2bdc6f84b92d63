"""Read fixture files (YAML or JSON) that QA edit by hand."""

from __future__ import annotations

import functools
import json
import os
import pickle
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
    """Load a YAML or JSON file, expanding ${NAME} placeholders from variables.

    Each call returns its own copy: callers may change what they get.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read ({exc.strerror})") from exc
    if variables:
        text = string.Template(text).safe_substitute(variables)
    try:
        return pickle.loads(_parsed(text, path.suffix == ".json"))
    except ValueError as exc:  # yaml.YAMLError is imported lazily: see _parsed
        raise FixtureError(f"{path}: {exc}") from exc


@functools.lru_cache(maxsize=64)
def _parsed(text: str, is_json: bool) -> bytes:
    """A document's data, parsed once per text and kept pickled.

    Every reset of a stand reads the same fixture files (persons, clients, Sferum's seed), and
    building Python objects from YAML was a third of a reset; unpickling a copy is C-fast.
    Keyed by the text itself, an edited file is parsed anew whatever its timestamps say.
    """
    if is_json:
        return pickle.dumps(json.loads(text), protocol=pickle.HIGHEST_PROTOCOL)
    import yaml  # here, not at the top: apps import this module on every start, rarely read YAML

    try:
        # libyaml's loader when PyYAML has it: the same documents, ~10x faster to read
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
