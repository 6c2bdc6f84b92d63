"""The gosuslugi-sandbox command: its conventions (version, help, usage errors, -q / -v, exit
statuses) and init-db. serve: tests/edge/test_serve.py; from a wheel: tests/package/."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gosuslugi_sandbox import __version__
from gosuslugi_sandbox.harness.cli import build_parser, main


def test_version_and_help_exit_zero(capsys):
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0
    assert capsys.readouterr().out.strip() == f"gosuslugi-sandbox {__version__}"
    with pytest.raises(SystemExit) as shown:
        main(["--help"])
    assert shown.value.code == 0
    text = capsys.readouterr().out
    for word in ("serve", "run", "bench", "init-db", "exit status", "-q", "-v"):
        assert word in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["launch"], "invalid choice: 'launch'"),
        (["serve", "--idp-port", "http"], "expected a TCP port 1-65535, not 'http'"),
        (["init-db", "--rp-port", "70000"], "expected a TCP port 1-65535, not '70000'"),
        (["run", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_bad_usage_exits_2_and_says_why(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "verbosity"),
    [
        (["run"], 0),
        (["-q", "run"], -1),
        (["run", "-q"], -1),
        (["-v", "serve"], 1),
        (["serve", "-vv"], 2),
        (["-q", "serve", "-v"], 0),
    ],
)
def test_quiet_and_verbose_count_before_and_after_the_command(argv, verbosity):
    args = build_parser().parse_args(argv)
    assert (args.verbose or 0) - (args.quiet or 0) == verbosity


def test_a_scenario_file_that_does_not_exist_exits_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in capsys.readouterr().err


def command(tmp_path, *argv, **env):
    """python -m gosuslugi_sandbox ARGV in tmp_path (init-db sets process-wide environment)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("IDP_", "RP_"))}
    environment.pop("DATABASE_URL", None)
    environment.update(env, IDP_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    return subprocess.run(
        [sys.executable, "-m", "gosuslugi_sandbox", *argv],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_init_db_sets_both_databases_up_in_the_working_directory(tmp_path):
    done = command(tmp_path, "init-db")
    assert done.returncode == 0, done.stderr
    assert f"IdP database ready: sqlite:///{tmp_path}/instance/idp/idp.sqlite3" in done.stdout
    assert f"Sferum database ready: sqlite:///{tmp_path}/instance/sferum/" in done.stdout
    again = command(tmp_path, "-q", "init-db")  # idempotent; -q: nothing to say
    assert (again.returncode, again.stdout) == (0, "")


def test_init_db_with_a_broken_database_exits_1_with_the_reason(tmp_path):
    done = command(tmp_path, "init-db", DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert done.returncode == 1
    assert "Start-up failed: the database could not be set up" in done.stderr
    assert "Traceback" not in done.stderr
