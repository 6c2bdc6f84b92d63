"""The `gosuslugi-sandbox` command: serve | run | bench | init-db."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from gosuslugi_sandbox import __version__
from gosuslugi_sandbox.harness.scenarios.runner_options import add_arguments as add_run_arguments

PROG = "gosuslugi-sandbox"
DESCRIPTION = "A fake Gosuslugi (ESIA) and a fake Sferum for tests, QA and CI."
EPILOG = """\
exit status: 0 success; 1 a scenario failed or an app could not start; 2 bad usage or input
(an unknown option, a scenario file that does not validate); 130 interrupted (Ctrl-C) —
`serve` treats Ctrl-C and SIGTERM as its normal stop and exits 0.

`gosuslugi-sandbox COMMAND --help` shows a command's options. Settings read from the
environment (IDP_*, RP_*, DATABASE_URL, BIND, TLS, TLS_DIR, WEB_*): README "Configuration".
"""
EXIT_INTERRUPTED = 130


def _verbosity_options(parser: argparse.ArgumentParser, default) -> None:
    """-q / -v, accepted before the command and after it."""
    parser.add_argument(
        "-q", "--quiet", action="count", default=default, help="say less (outcomes only)"
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=default, help="say more (-vv: debug logs)"
    )


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port 1-65535, not {text!r}")
    return int(text)


def _stand_options(parser: argparse.ArgumentParser) -> None:
    """Where serve and init-db put the apps (each overrides its environment variable)."""
    parser.add_argument("--idp-port", type=_port, help="the fake Gosuslugi's port (IDP_PORT, 9000)")
    parser.add_argument("--rp-port", type=_port, help="the fake Sferum's port (RP_PORT, 8000)")
    parser.add_argument("--bind", help="the address both listen on (BIND, 127.0.0.1)")
    parser.add_argument(
        "--tls", action="store_true", help="serve over HTTPS with a local test CA (TLS=1)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then one of the commands with its own."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _verbosity_options(parser, 0)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a command without -q/-v keeps the global ones (`-q run` and `run -q` alike)
    _verbosity_options(common, argparse.SUPPRESS)

    serve = commands.add_parser(
        "serve", parents=[common], help="start the fake Gosuslugi and the fake Sferum (make run)"
    )
    _stand_options(serve)
    init_db = commands.add_parser(
        "init-db",
        parents=[common],
        help="create or upgrade both databases and load the fixtures, then exit",
    )
    _stand_options(init_db)
    run = commands.add_parser("run", parents=[common], help="run scenario files and report")
    add_run_arguments(run)
    commands.add_parser(
        "bench",
        help="measure start-up, flows and memory (options: `bench --help`)",
        add_help=False,
    )
    return parser


def _apply_stand_options(args: argparse.Namespace) -> None:
    """Command-line stand options win over the environment (the apps read the environment)."""
    for option, variable in (("idp_port", "IDP_PORT"), ("rp_port", "RP_PORT"), ("bind", "BIND")):
        value = getattr(args, option)
        if value is not None:
            os.environ[variable] = str(value)
    if args.tls:
        os.environ["TLS"] = "1"


def log_level(verbosity: int) -> int:
    """-q: errors only; default: warnings; -v: info; -vv: debug."""
    return {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        max(-1, min(verbosity, 2)), logging.DEBUG
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command, return its exit status."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    verbosity = (args.verbose or 0) - (args.quiet or 0)
    if args.command == "bench":
        # on first use: the benchmark's modules are `bench`'s alone
        from gosuslugi_sandbox.harness.bench.sandbox import main as bench

        return _interruptible(lambda: bench(rest))
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=log_level(verbosity), format="%(levelname)s %(name)s: %(message)s")
    if args.command == "run":
        # on first use: the runner (stands, drivers, reports) is `run`'s alone
        from gosuslugi_sandbox.harness.scenarios.runner import run

        args.quiet = verbosity < 0
        return _interruptible(lambda: run(args))
    _apply_stand_options(args)
    # on first use: the stand launcher (database set-up, TLS) is serve's and init-db's alone
    from gosuslugi_sandbox.harness.serve import init_only, serve

    # serve answers its own Ctrl-C once the apps start; before, it is interrupted like the rest
    command = serve if args.command == "serve" else init_only
    return _interruptible(lambda: command(verbosity))


def _interruptible(command) -> int:
    try:
        return command()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
