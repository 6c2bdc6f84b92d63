"""What a running scenario knows: where the apps are, its driver(s), its variables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gosuslugi_sandbox.harness.control import GosuslugiControl, SferumControl
from gosuslugi_sandbox.harness.drivers.base import Driver
from gosuslugi_sandbox.harness.scenarios.scenario import Scenario


class StepFailure(AssertionError):
    """A step's expectation was not met; carries what was expected and what was seen."""

    def __init__(self, expected: str, actual: str = "") -> None:
        super().__init__(expected if not actual else f"{expected}\n  actual: {actual}")
        self.expected = expected
        self.actual = actual


@dataclass
class Stand:
    """A running pair of apps: URLs and control clients (the RP per protocol)."""

    idp_url: str
    rp_urls: dict[str, str]
    control_token: str | None = None
    ca_bundle: str | None = None  # the CA file to verify HTTPS stands with

    @property
    def idp(self) -> GosuslugiControl:
        return GosuslugiControl(self.idp_url, self.control_token, verify=self.ca_bundle)

    def rp(self, protocol: str = "oidc") -> SferumControl:
        """The control client of the RP speaking that protocol."""
        return SferumControl(self.rp_url(protocol), self.control_token, verify=self.ca_bundle)

    def rp_url(self, protocol: str = "oidc") -> str:
        """The base URL of the RP speaking that protocol."""
        if protocol not in self.rp_urls:
            raise StepFailure(f"no fake Sferum speaking {protocol!r} is available on this stand")
        return self.rp_urls[protocol]


@dataclass
class Context:
    """One scenario's run: stand, drivers (named sessions), variables and screenshots."""

    scenario: Scenario
    stand: Stand
    make_driver: Callable[[str], Driver]
    protocol: str = "oidc"
    variables: dict[str, Any] = field(default_factory=dict)
    drivers: dict[str, Driver] = field(default_factory=dict)
    session: str = "main"
    clock_offset: float = 0.0
    screenshots: list[tuple[str, str]] = field(default_factory=list)

    @property
    def driver(self) -> Driver:
        """The driver of the current named session, created on first use."""
        if self.session not in self.drivers:
            self.drivers[self.session] = self.make_driver(self.session)
        return self.drivers[self.session]

    @property
    def idp(self) -> GosuslugiControl:
        return self.stand.idp

    @property
    def rp(self) -> SferumControl:
        return self.stand.rp(self.protocol)

    @property
    def idp_url(self) -> str:
        return self.stand.idp_url

    @property
    def rp_url(self) -> str:
        return self.stand.rp_url(self.protocol)

    def close(self) -> None:
        """Close every driver."""
        for driver in self.drivers.values():
            driver.close()
