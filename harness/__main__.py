"""python -m harness: `serve` starts both apps (make run)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="harness", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start the fake Gosuslugi and the fake Sferum")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from harness.serve import serve

        return serve()
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
