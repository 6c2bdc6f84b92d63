"""Which Chromium the browser driver starts, and with which switches."""

from __future__ import annotations

import os
from pathlib import Path

# Debian's headless shell (package chromium-headless-shell, what Playwright itself runs for
# headless) before the full browser: the same Blink at a third to a fifth of the CPU per page
# (docs/performance.md, "Chromium: the headless shell")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")

# Playwright starts Chromium with a --disable-features switch of its own, and Chromium reads only
# the last of several: ours repeats Playwright's list (tests/browser/test_chromium.py fails when a
# new Playwright disables more) and adds RenderDocument. With RenderDocument on, every page load
# builds a new frame with its own compositor; off, a page of ours loads for a third less CPU
# (44 against 62 ms) and the browser tests take 10-20 core-seconds less (docs/performance.md,
# "Eleventh pass"). What a page does, its cookies and its events are the same either way.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
DISABLED_FEATURES = (*PLAYWRIGHT_DISABLED_FEATURES, "RenderDocument")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=ru-RU",  # date inputs render as 23.04.1990, as for a Russian user
    "--disable-features=" + ",".join(DISABLED_FEATURES),
]


def _runnable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def chromium_path() -> str:
    """The Chromium $CHROMIUM names, else Debian's headless shell, else Debian's chromium."""
    if "CHROMIUM" in os.environ:
        return os.environ["CHROMIUM"]
    return next((p for p in CHROMIUM_CANDIDATES if _runnable(p)), CHROMIUM_CANDIDATES[0])


def chromium_missing_message() -> str | None:
    """Why the browser cannot start (Chromium not installed), or None."""
    path = chromium_path()
    if _runnable(path):
        return None
    return (
        f"Chromium is not installed at {path}. Run `make browser-deps` "
        "(or `sudo apt-get install -y chromium-headless-shell`), or set "
        "CHROMIUM=/path/to/chromium."
    )
