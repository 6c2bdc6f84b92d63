"""pytest plugin (entry point `gosuslugi`): a fake Gosuslugi and a fake Sferum per session.

    def test_login(gosuslugi):
        person = gosuslugi.add_person(last_name="Иванов", ...)
        callback = gosuslugi.sign_in(my_app_login_url, person.mobile, "password")
        code = gosuslugi.sms_code(person.mobile)     # or read the SMS yourself

The IdP starts once per test session on a free port (its own temporary instance directory) and
is reset to its fixtures before every test that uses `gosuslugi`.
"""

from __future__ import annotations

import pytest

from harness.control import GosuslugiControl, SferumControl


class Gosuslugi(GosuslugiControl):
    """The running fake Gosuslugi: its URL, issuer and control API."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    @property
    def issuer(self) -> str:
        """The issuer its ID tokens carry."""
        return self.http.get(f"{self.url}/.well-known/openid-configuration", timeout=10).json()[
            "issuer"
        ]

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        """The discovery document."""
        return self.http.get(self.discovery_url, timeout=10).json()

    def sign_in(
        self,
        authorization_url: str,
        login: str,
        password: str,
        consent: str = "allow",
        redirect_prefix: str | None = None,
    ) -> str:
        """Be the person at the browser: open the URL, log in, type the SMS code, consent.

        Returns the URL Gosuslugi redirects back to (with `code` and `state`, or `error`);
        that URL is not opened. `redirect_prefix` defaults to the request's redirect_uri.
        """
        from urllib.parse import parse_qs, urlparse

        from harness.drivers.http import HttpBrowser

        if redirect_prefix is None:
            query = parse_qs(urlparse(authorization_url).query)
            redirect_prefix = query.get("redirect_uri", [""])[0] or "http"
        browser = HttpBrowser(stop_at=(redirect_prefix,))
        page = browser.open(authorization_url)
        for _ in range(6):
            if browser.stopped_at:
                return browser.stopped_at
            if page.has("login-form"):
                page = browser.submit(
                    "login-form", {"login": login, "password": password}, "login-submit"
                )
            elif page.has("sms-form"):
                page = browser.submit("sms-form", {"code": self.sms_code(login)}, "sms-submit")
            elif page.has("consent-form"):
                page = browser.submit("consent-form", button=f"consent-{consent}")
            else:
                raise AssertionError(f"unexpected page {page.url}: {page.text()[:300]}")
        raise AssertionError("Gosuslugi did not redirect back")


class Sferum(SferumControl):
    """The running fake Sferum: its URL and control API."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _start(factory, config: dict, port: int = 0):
    from harness.servers import LiveServer

    return LiveServer(factory(config), port=port).start()


@pytest.fixture(scope="session")
def gosuslugi_server(tmp_path_factory):
    """The fake Gosuslugi served for the whole session (a harness.servers.LiveServer)."""
    from harness.servers import free_port
    from idp import create_app

    instance = tmp_path_factory.mktemp("gosuslugi")
    # The fake Sferum's port is chosen now so the `sferum` client's fixture redirect URI
    # (${SFERUM_URL}/gosuslugi/callback) is right after every reset.
    sferum_port = free_port()
    server = _start(
        create_app,
        {
            "INSTANCE_PATH": str(instance),
            "TESTING": True,
            "SFERUM_URL": f"http://127.0.0.1:{sferum_port}",
        },
    )
    server.sferum_port = sferum_port
    yield server
    server.stop()


@pytest.fixture
def gosuslugi(gosuslugi_server) -> Gosuslugi:
    """The fake Gosuslugi's control API, reset to fixtures before the test."""
    control = Gosuslugi(gosuslugi_server.url)
    control.reset()
    return control


@pytest.fixture(scope="session")
def sferum_server(gosuslugi_server, tmp_path_factory):
    """The fake Sferum, wired to the session's fake Gosuslugi."""
    from relying_party import create_app

    instance = tmp_path_factory.mktemp("sferum")
    server = _start(
        create_app,
        {"INSTANCE_PATH": str(instance), "TESTING": True, "IDP_URL": gosuslugi_server.url},
        port=gosuslugi_server.sferum_port,
    )
    yield server
    server.stop()


@pytest.fixture
def sferum(sferum_server, gosuslugi) -> Sferum:
    """The fake Sferum's control API, reset to fixtures before the test."""
    control = Sferum(sferum_server.url)
    control.reset()
    return control
