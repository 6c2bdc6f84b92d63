"""The options of `gosuslugi-sandbox run` (-q / -v: harness/cli.py)."""

from __future__ import annotations

import argparse

from gosuslugi_sandbox.shared.config import FIXTURES_DIR

DEFAULT_PATH = FIXTURES_DIR / "scenarios"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `run` command's options."""
    parser.add_argument(
        "paths", nargs="*", help=f"scenario files or folders (default {DEFAULT_PATH})"
    )
    parser.add_argument("--tags", help="comma-separated tags to run; -tag excludes")
    parser.add_argument("--idp-url", help="run against this running fake Gosuslugi")
    parser.add_argument("--rp-url", help="run against this running fake Sferum")
    parser.add_argument(
        "--rp-protocol",
        default="oidc",
        choices=["oidc", "esia", "esia-gost"],
        help="the protocol the given --rp-url speaks",
    )
    parser.add_argument("--control-token", help="bearer token of the control APIs")
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve the private stands over HTTPS (a test CA made for the run)",
    )
    parser.add_argument(
        "--ca-bundle",
        help="the CA file an HTTPS --idp-url/--rp-url stand is verified with "
        "(e.g. instance/tls/ca.pem of `TLS=1 make run`; default: REQUESTS_CA_BUNDLE or the system)",
    )
    parser.add_argument("--junit", help="write JUnit XML here")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="scenarios run in parallel")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="run in headless Chromium (Playwright), with a screenshot after every page change",
    )
    parser.add_argument(
        "--screens",
        default="reports/screens",
        help="where browser runs save screenshots (default reports/screens)",
    )
    parser.add_argument(
        "--viewport",
        default="1280x800",
        type=_viewport,
        help="browser window WIDTHxHEIGHT (default 1280x800; a phone: 390x844)",
    )
    parser.add_argument(
        "--report",
        help="write an HTML report (index.html with steps and screenshots) to this folder; "
        "browser runs default to reports/",
    )


def _viewport(text: str) -> str:
    """Check a WIDTHxHEIGHT option value."""
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 390x844, not {text!r}")
    return text
