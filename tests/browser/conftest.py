"""Browser tests: Debian's Chromium (its headless shell) through Playwright; one browser and
one stand per module.

A missing Chromium FAILS these tests (with the command to install it) — it never skips them.
"""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.harness.drivers.chromium import (
    CHROMIUM_ARGS,
    chromium_missing_message,
    chromium_path,
)
from gosuslugi_sandbox.harness.drivers.playwright_driver import DESKTOP, BrowserDriver
from gosuslugi_sandbox.harness.stand import LocalStand


def require_chromium() -> None:
    """Fail (not skip) with the install command when Chromium is missing."""
    missing = chromium_missing_message()
    if missing:
        pytest.fail(missing, pytrace=False)


@pytest.fixture(scope="module")
def playwright_and_browser():
    """One headless Chromium for the whole module, with its Playwright (for request contexts)."""
    require_chromium()
    from playwright.sync_api import sync_playwright  # a second of imports, browser tests only

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield playwright, chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser(playwright_and_browser):
    """One headless Chromium for the whole module."""
    return playwright_and_browser[1]


@pytest.fixture(scope="module")
def stand():
    """A private fake Gosuslugi + fake Sferum (OIDC) on free ports for the module."""
    local = LocalStand("oidc")
    yield local.start()
    local.stop()


@pytest.fixture
def make_driver(browser, tmp_path):
    """Make BrowserDrivers (one context each) at a viewport; all closed after the test."""
    drivers: list[BrowserDriver] = []

    def make(viewport=DESKTOP) -> BrowserDriver:
        driver = BrowserDriver(browser, viewport, screens_dir=tmp_path / "screens")
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()
