"""Live stands for the RP tests: the fake Sferum and the real fake Gosuslugi, one stand per
dialect and test process, put back to the fixtures before every test (faults armed by a test
through the IdP's control API are gone with it; settings a test changes are monkeypatched)."""

from __future__ import annotations

import pytest

from tests.relying_party.stack import Sferum, Stack, running_stack


@pytest.fixture(scope="session")
def oidc_stand(keys_dir):
    """The IdP and an RP speaking OIDC, live for the whole test process."""
    with running_stack(keys_dir, "oidc") as both:
        yield both


@pytest.fixture(scope="session")
def esia_stand(keys_dir):
    """The IdP and an RP speaking the ESIA dialect (client esia-cms), live for the process."""
    with running_stack(keys_dir, "esia") as both:
        yield both


def fresh(stand: Stack, monkeypatch, signs_in_as: str | None) -> Stack:
    """The stand back at its fixtures; the RP's helpers sign in at the IdP as signs_in_as."""
    stand.reset()
    monkeypatch.setattr(stand.rp, "signs_in_as", signs_in_as)
    return stand


@pytest.fixture
def oidc(oidc_stand, monkeypatch) -> Stack:
    """The OIDC stand, fresh; linking signs in at the IdP as Рощина."""
    return fresh(oidc_stand, monkeypatch, "roshchina")


@pytest.fixture
def esia(esia_stand, monkeypatch) -> Stack:
    """The ESIA stand, fresh; linking signs in at the IdP as Рощина."""
    return fresh(esia_stand, monkeypatch, "roshchina")


def configured(stand: Stack, monkeypatch):
    """A function giving the stand's RP test settings (undone after the test)."""

    def build(**config) -> Sferum:
        for name, value in config.items():
            monkeypatch.setitem(stand.rp.app.config, name, value)
        if "CLOCK" in config:  # the app reads its clock from here, set up at start
            monkeypatch.setitem(stand.rp.app.extensions, "clock", config["CLOCK"])
        return stand.rp

    return build


@pytest.fixture
def make_rp(oidc, monkeypatch):
    """The OIDC RP with test settings given as keyword arguments."""
    return configured(oidc, monkeypatch)


@pytest.fixture
def make_esia_rp(esia, monkeypatch):
    """The ESIA RP with test settings given as keyword arguments."""
    return configured(esia, monkeypatch)


@pytest.fixture
def rp(oidc) -> Sferum:
    """The OIDC RP with default settings; linking signs in at the IdP as Рощина."""
    return oidc.rp


@pytest.fixture
def esia_rp(esia) -> Sferum:
    """The ESIA RP with default settings; linking signs in at the IdP as Рощина."""
    return esia.rp


@pytest.fixture(params=["oidc", "esia"])
def stack(request, monkeypatch) -> Stack:
    """Both apps, the RP speaking OIDC or the ESIA dialect (same pages); the tests answer the
    IdP's pages themselves."""
    return fresh(request.getfixturevalue(f"{request.param}_stand"), monkeypatch, None)
