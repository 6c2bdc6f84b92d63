"""A live IdP (real werkzeug server, tmp instance) and an ESIA client driving it over HTTP;
an app and its test client for view-level tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from gosuslugi_sandbox.harness.control import GosuslugiControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app

from . import esia_client as ec

CALLBACK = "http://127.0.0.1:5555/callback"
SCOPE = "openid fullname birthdate gender snils inn id_doc email mobile contacts addresses"
ROSHCHINA = {"oid": 1000000001, "login": "+7 965 123-45-75", "password": "Roshchina-2024"}
SMIRNOV = {"oid": 1000000003, "login": "+7 916 333-44-55", "password": "Smirnov-2024"}  # standard


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    """The IdP served on a free port for the whole session."""
    instance = tmp_path_factory.mktemp("idp-instance")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "esia-tests",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SMS_RESEND_SECONDS": 0,
        }
    )
    server = LiveServer(app).start()
    yield server
    server.stop()
    app.extensions["idp"].db.dispose()


@pytest.fixture
def app(tmp_path, keys_dir):
    """An IdP app on a fresh instance, for view-level tests through its test client."""
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "esia-view-tests", "KEYS_DIR": str(keys_dir)}
    )
    yield app
    app.extensions["idp"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def reset_clock(idp):
    """Each test starts with the IdP clock at real time."""
    control = GosuslugiControl(idp.url)
    control.set_clock(0)
    yield
    control.set_clock(0)


@dataclass
class EsiaTestClient:
    """Acts as a relying party in one ESIA mode, building and signing requests as ESIA wants."""

    base: str
    client_id: str
    mode: str  # none | cms | gost
    redirect_uri: str = CALLBACK
    browser: HttpBrowser = field(default_factory=lambda: HttpBrowser(stop_at=(CALLBACK,)))

    def sign(self, legacy: str, current: str, style: str = "urlpad", key=None) -> str:
        """client_secret for the mode: CMS of the legacy string, GOST of the v2/v3 string."""
        if self.mode == "cms":
            return ec.cms_sign(legacy, *(key or (None, None)), style=style)
        if self.mode == "gost":
            return ec.gost_sign(current, key, style=style)
        return "anything"

    def cert_hash(self) -> str:
        return ec.gost_key()[1].hash

    def auth_params(self, scope: str = SCOPE, state: str | None = None, ts: str | None = None,
                    style: str = "urlpad", key=None, **extra) -> dict:  # fmt: skip
        """A signed authorization request (v2 fields included; legacy endpoints ignore them)."""
        state = state or ec.new_state()
        ts = ts or ec.timestamp()
        org = extra.get("scope_org", "")
        legacy = ec.legacy_string(scope, ts, self.client_id, state)
        current = ec.v2_string(self.client_id, scope, org, ts, state, self.redirect_uri)
        params = {
            "client_id": self.client_id,
            "client_secret": self.sign(legacy, current, style, key),
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "response_type": "code",
            "state": state,
            "timestamp": ts,
            "access_type": "offline",
        }
        if self.mode == "gost":
            params["client_certificate_hash"] = self.cert_hash()
        params.update({k: v for k, v in extra.items() if v is not None})
        return params

    def auth_url(self, params: dict, v2: bool = True) -> str:
        path = "/aas/oauth2/v2/ac" if v2 else "/aas/oauth2/ac"
        return f"{self.base}{path}?{urlencode(params)}"

    def start(self, params: dict, v2: bool = True):
        """Open the authorization URL; the page reached (or the callback stopped at)."""
        return self.browser.open(self.auth_url(params, v2))

    def callback(self) -> dict[str, str]:
        """The query of the callback the browser stopped at."""
        assert self.browser.stopped_at, f"no callback; at {self.browser.page.url}"
        parts = urlsplit(self.browser.stopped_at)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == self.redirect_uri
        return {k: v[0] for k, v in parse_qs(parts.query).items()}

    def login(self, person: dict, decision: str = "allow") -> dict[str, str]:
        """Password, SMS code (read from the control API's outbox), consent; the callback."""
        page = self.browser.page
        assert page.has("login-form"), page.url
        page = self.browser.submit(
            form="login-form",
            fields={"login": person["login"], "password": person["password"]},
            button="login-submit",
        )
        assert page.has("sms-form"), page.text()
        sms = requests.get(
            f"{self.base}/_control/sms", params={"phone": person["login"]}, timeout=5
        ).json()
        page = self.browser.submit(
            form="sms-form", fields={"code": sms[0]["code"]}, button="sms-submit"
        )
        assert page.has("consent-form"), page.text()
        self.browser.submit(form="consent-form", button=f"consent-{decision}")
        return self.callback()

    def token(self, grant: str, value: str, v3: bool = True, state: str | None = None,
              ts: str | None = None, style: str = "urlpad", key=None, scope: str = SCOPE,
              **overrides) -> requests.Response:  # fmt: skip
        """POST to /te or /v3/te with the client_secret signed as the reference describes."""
        state = state or ec.new_state()
        ts = ts or ec.timestamp()
        legacy = ec.legacy_string(scope, ts, self.client_id, state)
        current = ec.v2_string(self.client_id, scope, "", ts, state, self.redirect_uri, value)
        form = {
            "client_id": self.client_id,
            "grant_type": grant,
            "client_secret": self.sign(legacy, current, style, key),
            "state": state,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "timestamp": ts,
            "token_type": "Bearer",
            "code" if grant == "authorization_code" else "refresh_token": value,
        }
        if self.mode == "gost":
            form["client_certificate_hash"] = self.cert_hash()
        form.update(overrides)
        form = {k: v for k, v in form.items() if v is not None}
        path = "/aas/oauth2/v3/te" if v3 else "/aas/oauth2/te"
        return requests.post(f"{self.base}{path}", data=form, timeout=10)

    def code_for(self, person: dict = ROSHCHINA, v2: bool = True, **params) -> str:
        """A full login ending in a fresh authorization code."""
        self.start(self.auth_params(**params), v2=v2)
        result = self.login(person)
        assert "code" in result, result
        return result["code"]


@pytest.fixture
def client_factory(idp):
    """Build an ESIA test client for a registered client id and mode."""

    def make(client_id: str, mode: str) -> EsiaTestClient:
        return EsiaTestClient(idp.url, client_id, mode)

    return make


@pytest.fixture
def cms_client(client_factory):
    return client_factory("esia-cms", "cms")


@pytest.fixture
def gost_client(client_factory):
    return client_factory("esia-gost", "gost")


@pytest.fixture
def none_client(client_factory):
    return client_factory("esia-none", "none")


def assert_esia_error(result: dict, code: str, error: str | None = None) -> None:
    """A callback or token error body carrying the ESIA code."""
    assert result.get("error_description", "").startswith(code + ": "), result
    if error:
        assert result["error"] == error, result
