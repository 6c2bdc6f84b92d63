"""IdP test fixtures: an app on a tmp instance dir, a live server, a browser login helper."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from gosuslugi_sandbox.harness.control import GosuslugiControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser, Page
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.harness.sign_in import sign_in
from gosuslugi_sandbox.idp import create_app
from gosuslugi_sandbox.shared.clock import FrozenTime

CALLBACK = "http://127.0.0.1:5555/callback"
SCOPE = "openid profile snils email mobile"
ROSHCHINA = {"oid": 1000000001, "login": "+7 965 123-45-75", "password": "Roshchina-2024"}
ROSHCHINA_PHONE = "+79651234575"


@pytest.fixture
def frozen():
    """The base time of the IdP's clock; tests move it instead of sleeping."""
    return FrozenTime()


@pytest.fixture
def idp_config(tmp_path, keys_dir, frozen):
    """Test config; tests may change it before `idp_app` is created."""
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "KEYS_DIR": str(keys_dir),
        "CLOCK_BASE": frozen,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SECRET_KEY": "idp-tests",
    }


@pytest.fixture
def idp_app(idp_config):
    """An IdP app with a tmp instance dir (SQLite there), loaded with the fixtures."""
    app = create_app(idp_config)
    yield app
    app.extensions["idp"].db.dispose()


@pytest.fixture
def idp_server(idp_app):
    """The app served on a free port (a real werkzeug server in a thread)."""
    server = LiveServer(idp_app).start()
    yield server
    server.stop()


def sms_codes(base: str, phone: str = ROSHCHINA_PHONE) -> list[str]:
    """Codes in the SMS outbox for a phone, newest first (control API)."""
    response = requests.get(f"{base}/_control/sms", params={"phone": phone}, timeout=5)
    response.raise_for_status()
    return [m["code"] for m in response.json()]


@dataclass
class LoginResult:
    """Where the browser part of a login ended."""

    browser: HttpBrowser
    callback: str | None  # the URL the IdP redirected to (not followed)
    params: dict[str, str]  # its query parameters

    @property
    def code(self) -> str:
        assert "code" in self.params, f"no code in callback {self.callback}"
        return self.params["code"]

    @property
    def page(self) -> Page:
        return self.browser.page


def finish_at_callback(browser: HttpBrowser) -> LoginResult:
    """Read the callback the browser was stopped at."""
    query = parse_qs(urlsplit(browser.stopped_at or "").query)
    params = {k: v[0] for k, v in query.items()}
    return LoginResult(browser, browser.stopped_at, params)


@pytest.fixture
def login_flow(idp_server):
    """Drive the browser part of an authorization: login, SMS code, consent; return the callback.

    login_flow(authorize_url, login=..., password=..., phone=..., consent="allow"|"deny"|None,
    browser=None) → LoginResult. With an SSO session the login steps are skipped as the IdP
    does; consent=None stops on the consent page.
    """

    def run(
        authorize_url: str,
        login: str = ROSHCHINA["login"],
        password: str = ROSHCHINA["password"],
        phone: str | None = ROSHCHINA_PHONE,
        consent: str | None = "allow",
        browser: HttpBrowser | None = None,
    ) -> LoginResult:
        browser = browser or HttpBrowser(stop_at=(CALLBACK,))
        page = sign_in(
            browser, browser.open(authorize_url), login, password,
            lambda: GosuslugiControl(idp_server.url).sms_code(phone), consent=consent,
        )  # fmt: skip
        for error in ("login-error", "sms-error"):
            assert not page.has(error), page.require(error).text()
        if consent is None and browser.stopped_at is None:
            page.require("consent-form")
        return finish_at_callback(browser)

    return run
