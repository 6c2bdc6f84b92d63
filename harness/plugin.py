"""pytest plugin (entry point `gosuslugi`): a fake Gosuslugi and a fake Sferum per session.

    def test_login(gosuslugi):
        person = gosuslugi.add_person(last_name="Иванов", ...)
        callback = gosuslugi.sign_in(my_app_login_url, person.mobile, "password")
        code = gosuslugi.sms_code(person.mobile)     # or read the SMS yourself

The IdP starts once per test session on a free port (its own temporary instance directory) and
is reset to its fixtures before every test that uses `gosuslugi`.

`pytest --gosuslugi-tls` (or GOSUSLUGI_TLS=1) serves both fakes over HTTPS with a test CA made
for the session; REQUESTS_CA_BUNDLE and NODE_EXTRA_CA_CERTS point at it while the session runs,
so the code under test verifies certificates unchanged (`gosuslugi.ca_bundle` names the file).
Ports, a team's own persons/clients files, the dialect and TLS: harness/plugin_options.py.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest

from gosuslugi_sandbox import __version__
from gosuslugi_sandbox.harness.control import GosuslugiControl, SferumControl
from gosuslugi_sandbox.harness.plugin_options import PluginSettings, add_options, read_settings
from gosuslugi_sandbox.harness.servers import LiveServer, listening_socket

SETTINGS = pytest.StashKey[PluginSettings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini options (gosuslugi_port, gosuslugi_persons, …) and --gosuslugi-tls."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Read and check the settings once (a wrong one is a usage error before any test)."""
    config.stash[SETTINGS] = read_settings(config)


def pytest_report_header(config: pytest.Config) -> str:
    """Which sandbox the session's fixtures start."""
    return f"gosuslugi-sandbox {__version__}: {config.stash[SETTINGS].describe()}"


@pytest.fixture(scope="session")
def gosuslugi_settings(pytestconfig) -> PluginSettings:
    """The plugin's settings (harness/plugin_options.py)."""
    return pytestconfig.stash[SETTINGS]


class Gosuslugi(GosuslugiControl):
    """The running fake Gosuslugi: its URL, issuer and control API."""

    def __init__(self, url: str, ca_bundle: str | None = None) -> None:
        super().__init__(url, verify=ca_bundle)
        self.url = url
        self.ca_bundle = ca_bundle  # the test CA's bundle over HTTPS, else None

    @property
    def issuer(self) -> str:
        """The issuer its ID tokens carry."""
        return self.metadata()["issuer"]

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        """The discovery document."""
        return self.http.send("GET", self.discovery_url).json()

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
        # on first use: the HTML parser stays out of every pytest session's start
        from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
        from gosuslugi_sandbox.harness.sign_in import SignInError, sign_in

        if redirect_prefix is None:
            query = parse_qs(urlparse(authorization_url).query)
            redirect_prefix = query.get("redirect_uri", [""])[0] or "http"
        browser = HttpBrowser(stop_at=(redirect_prefix,), verify=self.ca_bundle)
        page = sign_in(browser, browser.open(authorization_url), login, password,
                       lambda: self.sms_code(login), consent=consent)  # fmt: skip
        if not browser.stopped_at:
            raise SignInError(f"no redirect back; at {page.url}: {page.text()[:300]}")
        return browser.stopped_at


class Sferum(SferumControl):
    """The running fake Sferum: its URL, control API and dialect (oidc, esia, esia-gost)."""

    def __init__(self, url: str, ca_bundle: str | None = None, dialect: str = "oidc") -> None:
        super().__init__(url, verify=ca_bundle)
        self.url = url
        self.dialect = dialect


def _start(factory, config: dict, port: int = 0, tls=None, sock=None):
    return LiveServer(factory(config), port=port, tls=tls, sock=sock).start()


@pytest.fixture(scope="session")
def gosuslugi_tls(gosuslugi_settings, tmp_path_factory):
    """The session's test CA (gosuslugi_sandbox.shared.tls.TlsFiles) with --gosuslugi-tls, else
    None."""
    if not gosuslugi_settings.tls:
        yield None
        return
    # only with TLS: cryptography stays out of every other pytest session's start
    from gosuslugi_sandbox.shared.tls import ensure_tls

    tls = ensure_tls(tmp_path_factory.mktemp("gosuslugi-tls"))
    trust = {"REQUESTS_CA_BUNDLE": str(tls.bundle), "NODE_EXTRA_CA_CERTS": str(tls.ca_cert)}
    saved = {name: os.environ.get(name) for name in trust}
    os.environ.update(trust)
    yield tls
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def gosuslugi_server(gosuslugi_settings, gosuslugi_tls, tmp_path_factory):
    """The fake Gosuslugi served for the whole session (a
    gosuslugi_sandbox.harness.servers.LiveServer)."""
    # on first use: the app stays out of the start of pytest sessions that never serve it
    from gosuslugi_sandbox.idp import create_app

    instance = tmp_path_factory.mktemp("gosuslugi")
    # The fake Sferum's port is chosen now so the `sferum` client's fixture redirect URI
    # (${SFERUM_URL}/gosuslugi/callback) is right after every reset.
    # Held from now on (unless a port is configured): nothing else may take it before the fake
    # Sferum serves there.
    sferum_socket = None if gosuslugi_settings.rp_port else listening_socket()
    sferum_port = gosuslugi_settings.rp_port or sferum_socket.getsockname()[1]
    scheme = "https" if gosuslugi_tls else "http"
    try:
        server = _start(
            create_app,
            {
                "INSTANCE_PATH": str(instance),
                "TESTING": True,
                "SFERUM_URL": f"{scheme}://127.0.0.1:{sferum_port}",
                **gosuslugi_settings.idp_config(),
            },
            port=gosuslugi_settings.idp_port,
            tls=gosuslugi_tls,
        )
        server.sferum_port, server.sferum_socket = sferum_port, sferum_socket
        server.ca_bundle = str(gosuslugi_tls.bundle) if gosuslugi_tls else None
        yield server
        server.stop()
    finally:
        if sferum_socket is not None:
            sferum_socket.close()  # no test asked for the fake Sferum (else it closed it)


@pytest.fixture
def gosuslugi(gosuslugi_server) -> Gosuslugi:
    """The fake Gosuslugi's control API, reset to fixtures before the test."""
    control = Gosuslugi(gosuslugi_server.url, gosuslugi_server.ca_bundle)
    control.reset()
    return control


@pytest.fixture(scope="session")
def sferum_server(gosuslugi_settings, gosuslugi_server, gosuslugi_tls, tmp_path_factory):
    """The fake Sferum, wired to the session's fake Gosuslugi, speaking the chosen dialect."""
    # on first use: the app stays out of the start of pytest sessions that never serve it
    from gosuslugi_sandbox.relying_party import create_app

    instance = tmp_path_factory.mktemp("sferum")
    scheme = "https" if gosuslugi_tls else "http"
    config = {
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        "IDP_URL": gosuslugi_server.url,
        # its callback, as registered at the IdP (${SFERUM_URL}/gosuslugi/callback)
        "PUBLIC_URL": f"{scheme}://127.0.0.1:{gosuslugi_server.sferum_port}",
        "CA_BUNDLE": str(gosuslugi_tls.ca_cert) if gosuslugi_tls else None,
        **gosuslugi_settings.rp_config(),
    }
    server = _start(create_app, config, port=gosuslugi_server.sferum_port, tls=gosuslugi_tls,
                    sock=gosuslugi_server.sferum_socket)  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def sferum(sferum_server, gosuslugi, gosuslugi_settings) -> Sferum:
    """The fake Sferum's control API, reset to fixtures before the test."""
    control = Sferum(sferum_server.url, gosuslugi.ca_bundle, gosuslugi_settings.dialect)
    control.reset()
    return control
