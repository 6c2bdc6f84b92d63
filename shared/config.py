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
