"""Live servers for the RP tests: the fake Sferum and a misbehaving OIDC provider."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.relying_party import create_app
from tests.relying_party.fake_provider import FakeProvider

PASSWORDS = {
    "123456": "Roshchina-Sferum1",
    "123457": "Dmitrieva-Sferum1",
    "123458": "Smirnov-Sferum1",
    "123459": "Kuznetsova-Sferum1",
    "123460": "Sokolova-Sferum1",
    "123461": "Sokolov-Sferum1",
    "123462": "Volkov-Sferum1",
}
LOGINS = {
    "123456": "+7 911 111-11-11",
    "123457": "+7 913 222-33-44",
    "123458": "+7 916 333-44-55",
    "123459": "+7 917 444-55-66",
    "123460": "+7 921 777-88-99",
    "123461": "+7 921 555-66-77",
    "123462": "volkov@example.ru",
}


@pytest.fixture
def provider():
    """The misbehaving provider, live."""
    fake = FakeProvider()
    server = LiveServer(fake.app).start()
    fake.url = server.url
    yield fake
    server.stop()


class Sferum:
    """A live RP with helpers."""

    def __init__(self, app, server: LiveServer) -> None:
        self.app = app
        self.server = server
        self.url = server.url

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the control API."""
        return requests.request(method, self.url + "/_control" + path, timeout=10, **kwargs)

    def events(self, kind: str | None = None) -> list[dict]:
        """The event log (optionally one kind)."""
        params = {"kind": kind} if kind else {}
        return self.control("GET", "/events", params=params).json()

    def user(self, user_id: str | int) -> dict:
        """A user as the control API shows it."""
        return self.control("GET", f"/users/{user_id}").json()

    def browser(self) -> HttpBrowser:
        """A fresh browser."""
        return HttpBrowser()

    def login(self, user_id: str, browser: HttpBrowser | None = None) -> HttpBrowser:
        """Log a fixture user in with phone/e-mail and password."""
        browser = browser or self.browser()
        browser.open(self.url + "/login")
        browser.submit(form="login-form", fields={"login-input": LOGINS[user_id]})
        page = browser.submit(form="password-form", fields={"password-input": PASSWORDS[user_id]})
        assert page.has("header-user-name"), page.text()
        return browser

    def start_link(self, browser: HttpBrowser):
        """Settings → Перейти на Госуслуги → Продолжить; returns the page after the callback."""
        browser.open(self.url + "/settings")
        browser.click("settings-gosuslugi-link")
        return browser.click("gosuslugi-continue")

    def link(self, browser: HttpBrowser, user_id: str, sync: bool = True):
        """The whole linking flow; returns the last page."""
        page = self.start_link(browser)
        assert page.has("gosuslugi-link-button"), page.text()
        browser.click("gosuslugi-link-button")
        page = browser.submit(
            form="gosuslugi-password-form", fields={"gosuslugi-password-input": PASSWORDS[user_id]}
        )
        if page.has("sync-table"):
            page = browser.click("sync-submit" if sync else "sync-cancel")
        return page


@contextmanager
def rp_builder(tmp_path, idp_url: str, **defaults):
    """A function building live RPs against idp_url (test config: defaults, then its kwargs);
    every RP it built is stopped on exit."""
    servers: list[LiveServer] = []

    def build(**config) -> Sferum:
        base = {
            "INSTANCE_PATH": str(tmp_path / f"rp{len(servers)}"),
            "SECRET_KEY": "test-secret",
            "IDP_URL": idp_url,
            "TESTING": False,
            **defaults,
        }
        app = create_app({**base, **config})
        server = LiveServer(app).start()
        app.config["PUBLIC_URL"] = server.url
        servers.append(server)
        return Sferum(app, server)

    try:
        yield build
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def make_rp(tmp_path, provider):
    """Build a live RP against the fake provider; keyword arguments go to the test config."""
    with rp_builder(tmp_path, provider.url) as build:
        yield build


@pytest.fixture
def rp(make_rp) -> Sferum:
    """A live RP with default settings."""
    return make_rp()


@pytest.fixture(scope="module")
def idp_keys(tmp_path_factory):
    """IdP signing keys generated once for the module."""
    return tmp_path_factory.mktemp("idp-keys")


@pytest.fixture(params=["oidc", "esia"])
def stack(request, tmp_path, idp_keys):
    """Both apps on free ports, the RP speaking OIDC or the ESIA dialect (same pages)."""
    from tests.relying_party.stack import running_stack  # stack.py imports this module

    with running_stack(tmp_path, idp_keys, protocol=request.param) as both:
        yield both
