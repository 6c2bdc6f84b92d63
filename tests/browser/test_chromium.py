"""Which Chromium the driver starts (harness/drivers/chromium.py), and with which switches."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from gosuslugi_sandbox.harness.bench.procs import children
from gosuslugi_sandbox.harness.drivers import chromium
from gosuslugi_sandbox.harness.drivers.chromium import CHROMIUM_ARGS, chromium_missing_message
from gosuslugi_sandbox.harness.drivers.http_browser import PageError
from gosuslugi_sandbox.harness.drivers.playwright_driver import BrowserPool


def descendants(pid: int) -> Iterator[int]:
    """Every process below pid."""
    for child in children(pid):
        yield child
        yield from descendants(child)


def browser_command_lines() -> list[list[str]]:
    """The command lines of the Chromium browser processes (not their helpers) under this one."""
    found = []
    for pid in descendants(os.getpid()):
        with suppress(OSError):  # ended meanwhile
            argv = [arg.decode() for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
            helper = any(arg.startswith("--type=") for arg in argv)
            if "--remote-debugging-pipe" in argv and not helper:
                found.append(argv)
    return found


def test_our_feature_switch_keeps_playwrights_and_turns_render_document_off(browser):
    lines = browser_command_lines()
    assert lines, "no Chromium browser process found under this test process"
    for argv in lines:
        switches = [a.split("=", 1)[1] for a in argv if a.startswith("--disable-features=")]
        # Chromium reads the last: Playwright's comes first, ours after it
        assert len(switches) == 2, switches
        playwrights, ours = (set(value.split(",")) for value in switches)
        assert playwrights <= ours, (
            f"Playwright now also disables {sorted(playwrights - ours)}: add them to "
            "PLAYWRIGHT_DISABLED_FEATURES in harness/drivers/chromium.py"
        )
        assert "RenderDocument" in ours
    assert BrowserPool(trust=None).args == CHROMIUM_ARGS, "the runner's browsers start alike"


def test_missing_chromium_is_a_clear_failure(monkeypatch):
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    message = chromium_missing_message()
    assert "make browser-deps" in message and "/nonexistent/chromium" in message
    with pytest.raises(PageError, match="Chromium is not installed"):
        BrowserPool().make_driver()


def test_the_headless_shell_is_preferred_to_the_full_browser(monkeypatch, tmp_path):
    shell, full = tmp_path / "chromium-headless-shell", tmp_path / "chromium"
    monkeypatch.setattr(chromium, "CHROMIUM_CANDIDATES", (str(shell), str(full)))
    monkeypatch.delenv("CHROMIUM", raising=False)
    assert chromium.chromium_path() == str(shell)  # neither: the one to install
    full.write_text("#!/bin/sh\n")
    full.chmod(0o755)
    assert chromium.chromium_path() == str(full)
    shell.write_text("#!/bin/sh\n")
    shell.chmod(0o755)
    assert chromium.chromium_path() == str(shell)
    monkeypatch.setenv("CHROMIUM", str(full))
    assert chromium.chromium_path() == str(full)
