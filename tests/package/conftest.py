"""The wheel and a fresh environment with it, made once per test run outside the checkout."""

from __future__ import annotations

import pytest

from tests.package.build import build_wheel, make_environment, once, run_root


@pytest.fixture(scope="session")
def sandbox_wheel(tmp_path_factory):
    """The project's wheel, as `pip wheel .` builds it from the checkout's files."""
    return once(run_root(tmp_path_factory), "wheel", build_wheel)


@pytest.fixture(scope="session")
def downstream_python(tmp_path_factory, sandbox_wheel):
    """The python of a fresh venv (outside the checkout) where only the wheel is installed."""
    return once(
        run_root(tmp_path_factory),
        "downstream",
        lambda folder: make_environment(folder, sandbox_wheel),
    )
