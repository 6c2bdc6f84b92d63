"""Layered configuration: defaults, then PREFIX_* environment, then test config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = REPO_ROOT / "fixtures"


def configure(
    app: Flask, prefix: str, defaults: Mapping, test_config: Mapping | None = None
) -> None:
    """Apply defaults, then the environment (PREFIX_NAME, JSON-parsed), then test config.

    DATABASE_URL (without prefix) is honoured too, as a shared QA stand sets it once.
    """
    app.config.from_mapping(defaults)
    if os.environ.get("DATABASE_URL") and not os.environ.get(f"{prefix}_DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env(prefix)
    if test_config:
        app.config.from_mapping(test_config)
    instance = app.config.get("INSTANCE_PATH") or app.instance_path
    app.config["INSTANCE_PATH"] = str(instance)
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
