"""Layered configuration: defaults, then PREFIX_* environment, then test config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from gosuslugi_sandbox import fixtures

if TYPE_CHECKING:  # the pytest plugin reads this module; a pytest run need not import Flask
    from flask import Flask


def package_directory(package: ModuleType) -> Path:
    """Where a package's data files are: a real directory, as pip installs every wheel."""
    root = resources.files(package)
    if not isinstance(root, Path):
        # gunicorn, Jinja's loaders and the ESIA key files all need real files
        raise RuntimeError(f"{package.__name__} must be installed on the file system, not {root}")
    return root


# The shipped fixture files, wherever the package is installed (never the checkout's path).
FIXTURES_DIR = package_directory(fixtures)


def configure(
    app: Flask, prefix: str, defaults: Mapping, test_config: Mapping | None = None
) -> None:
    """Apply defaults, then the environment (PREFIX_NAME, JSON-parsed), then test config.

    DATABASE_URL (without prefix) is honoured too, as a shared QA stand sets it once. A
    relative INSTANCE_PATH (the default `instance/…`) is taken from the working directory.
    """
    app.config.from_mapping(defaults)
    if os.environ.get("DATABASE_URL") and not os.environ.get(f"{prefix}_DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env(prefix)
    if test_config:
        app.config.from_mapping(test_config)
    instance = os.path.abspath(app.config.get("INSTANCE_PATH") or app.instance_path)
    app.config["INSTANCE_PATH"] = instance
    Path(instance).mkdir(parents=True, exist_ok=True)


ON_VALUES = frozenset({"on", "1", "true", "yes"})
OFF_VALUES = frozenset({"off", "0", "false", "no"})


def switch(value: object, default: bool = False) -> bool:
    """A setting that is on or off: a bool, or on/off, true/false, 1/0, yes/no in any case;
    anything else (an empty value included) is the default."""
    if value is None:
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in ON_VALUES else False if text in OFF_VALUES else default
    return bool(value)
