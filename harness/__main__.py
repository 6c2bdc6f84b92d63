"""python -m harness: `serve` starts both apps (make run); `run` runs scenario files."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="harness", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start the fake Gosuslugi and the fake Sferum")
    commands.add_parser("bench", help="measure start-up, flows and memory", add_help=False)
    run_parser = commands.add_parser("run", help="run scenario files and report")
    from harness.runner_options import add_arguments

    add_arguments(run_parser)
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        from harness.bench import main as bench

        return bench(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        from harness.serve import serve

        return serve()
    from harness.runner import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
