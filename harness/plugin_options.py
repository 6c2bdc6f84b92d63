"""The pytest plugin's settings: pytest.ini / pyproject.toml options, overridden by environment
variables (and --gosuslugi-tls on the command line). README "pytest plugin" documents them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gosuslugi_sandbox.shared.config import FIXTURES_DIR, OFF_VALUES, ON_VALUES, switch

DIALECTS = ("oidc", "esia", "esia-gost")
FIXTURE_MODES = ("extend", "replace")

# ini option, environment variable, help
OPTIONS = (
    ("gosuslugi_port", "GOSUSLUGI_PORT", "port of the fake Gosuslugi (default 0: a free port)"),
    ("sferum_port", "SFERUM_PORT", "port of the fake Sferum (default 0: a free port)"),
    ("gosuslugi_persons", "GOSUSLUGI_PERSONS", "your own persons YAML file(s)"),
    ("gosuslugi_clients", "GOSUSLUGI_CLIENTS", "your own clients YAML file(s)"),
    (
        "gosuslugi_fixtures",
        "GOSUSLUGI_FIXTURES",
        "extend (default): your persons/clients are added to the shipped ones; replace: only yours",
    ),
    ("sferum_fixtures", "SFERUM_FIXTURES", "your own Sferum users and schools YAML file"),
    ("gosuslugi_dialect", "GOSUSLUGI_DIALECT", "the fake Sferum's protocol: oidc, esia, esia-gost"),
    ("gosuslugi_tls", "GOSUSLUGI_TLS", "serve both fakes over HTTPS with a session test CA"),
)
PATH_OPTIONS = ("gosuslugi_persons", "gosuslugi_clients", "sferum_fixtures")


@dataclass(frozen=True)
class PluginSettings:
    """What the plugin's fixtures start: ports, fixture files, dialect, TLS."""

    idp_port: int = 0
    rp_port: int = 0
    persons: list[Path] = field(default_factory=list)
    clients: list[Path] = field(default_factory=list)
    fixtures: str = "extend"
    sferum_fixtures: Path | None = None
    dialect: str = "oidc"
    tls: bool = False

    def idp_config(self) -> dict:
        """The fake Gosuslugi's fixture settings (idp/fixtures.py)."""
        config: dict = {}
        for kind, files in (("persons", self.persons), ("clients", self.clients)):
            if files:
                shipped = [FIXTURES_DIR / f"{kind}.yaml"] if self.fixtures == "extend" else []
                config[f"{kind.upper()}_FILES"] = [str(f) for f in shipped + files]
        return config

    def rp_config(self) -> dict:
        """The fake Sferum's settings for the dialect and its fixture file."""
        # on first use: the stand module (jsonschema, cryptography) stays out of pytest's start
        from gosuslugi_sandbox.harness.stand import RP_PROFILES

        config: dict = {"PROTOCOL": "esia" if self.dialect.startswith("esia") else "oidc"}
        config.update(RP_PROFILES.get(self.dialect, {}))
        if self.sferum_fixtures:
            config["FIXTURES_FILE"] = str(self.sferum_fixtures)
        return config

    def describe(self) -> str:
        """One line for pytest's header."""
        parts = [f"dialect {self.dialect}"]
        for kind, files in (("persons", self.persons), ("clients", self.clients)):
            if files:
                names = ", ".join(f.name for f in files)
                parts.append(f"{kind}: {'shipped + ' if self.fixtures == 'extend' else ''}{names}")
        if self.sferum_fixtures:
            parts.append(f"Sferum fixtures: {self.sferum_fixtures.name}")
        if self.idp_port or self.rp_port:
            parts.append(f"ports {self.idp_port or 'free'}/{self.rp_port or 'free'}")
        if self.tls:
            parts.append("HTTPS")
        return "; ".join(parts)


def add_options(parser: pytest.Parser) -> None:
    """The ini options and --gosuslugi-tls."""
    parser.getgroup("gosuslugi").addoption(
        "--gosuslugi-tls",
        action="store_true",
        default=False,
        help="serve the fake Gosuslugi and Sferum over HTTPS with a session test CA",
    )
    for name, variable, text in OPTIONS:
        kind = "paths" if name in PATH_OPTIONS else "string"
        parser.addini(name, f"{text} (environment: {variable})", type=kind)


def _raw(config: pytest.Config, name: str, variable: str) -> str | list[Path] | None:
    """The environment variable's value, else the ini option's (paths: relative to the ini)."""
    value = os.environ.get(variable)
    if value is not None:
        if name in PATH_OPTIONS:
            return [Path(p).absolute() for p in value.split(os.pathsep) if p.strip()]
        return value.strip()
    value = config.getini(name)
    if name in PATH_OPTIONS:
        return list(value) if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _port(name: str, value, worker: int) -> int:
    if value is None:
        return 0
    if not str(value).isdigit() or int(value) > 65535:
        raise pytest.UsageError(f"{name}: expected a TCP port (0 for a free one), not {value!r}")
    port = int(value)
    # pytest-xdist: worker gwN takes port + N, so workers never share a port
    return port + worker if port else 0


def _choice(name: str, value, choices: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    if value.lower() not in choices:
        raise pytest.UsageError(f"{name}: expected one of {', '.join(choices)}, not {value!r}")
    return value.lower()


def read_settings(config: pytest.Config) -> PluginSettings:
    """The settings, checked: a wrong value or a missing file stops pytest with a usage error."""
    raw = {name: _raw(config, name, variable) for name, variable, _ in OPTIONS}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    worker_number = int(worker) if worker.isdigit() else 0
    for name in PATH_OPTIONS:
        for path in raw[name] or []:
            if not Path(path).is_file():
                raise pytest.UsageError(f"{name}: no such file {path}")
    if raw["sferum_fixtures"] and len(raw["sferum_fixtures"]) > 1:
        raise pytest.UsageError("sferum_fixtures: one file (it replaces the shipped one)")
    tls = raw["gosuslugi_tls"]
    if tls and tls.lower() not in ON_VALUES | OFF_VALUES:
        raise pytest.UsageError(f"gosuslugi_tls: expected true or false, not {tls!r}")
    return PluginSettings(
        idp_port=_port("gosuslugi_port", raw["gosuslugi_port"], worker_number),
        rp_port=_port("sferum_port", raw["sferum_port"], worker_number),
        persons=[Path(p) for p in raw["gosuslugi_persons"] or []],
        clients=[Path(p) for p in raw["gosuslugi_clients"] or []],
        fixtures=_choice("gosuslugi_fixtures", raw["gosuslugi_fixtures"], FIXTURE_MODES, "extend"),
        sferum_fixtures=Path(raw["sferum_fixtures"][0]) if raw["sferum_fixtures"] else None,
        dialect=_choice("gosuslugi_dialect", raw["gosuslugi_dialect"], DIALECTS, "oidc"),
        tls=bool(config.getoption("gosuslugi_tls")) or switch(tls),
    )
