"""Two workers of one stand: two app instances (own engines, own instance directories) on one
database, each served live; requests alternate between them, as behind one gunicorn port."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from gosuslugi_sandbox.harness.control import GosuslugiControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.harness.sign_in import sign_in

CALLBACK = "http://127.0.0.1:5555/callback"
ROSHCHINA = {"login": "+7 965 123-45-75", "password": "Roshchina-2024", "phone": "+79651234575"}
PARALLEL = 12


def in_parallel(calls: list[Callable[[], object]]) -> list:
    """Run the calls at once (one thread each) and return their results in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


@dataclass
class Workers:
    """Base URLs of two workers of one stand."""

    urls: list[str]

    def each(self, n: int) -> list[str]:
        """n base URLs, alternating between the workers."""
        return list(itertools.islice(itertools.cycle(self.urls), n))

    @property
    def first(self) -> str:
        return self.urls[0]


def _serve(apps: list) -> tuple[list[LiveServer], Workers]:
    servers = [LiveServer(app).start() for app in apps]
    return servers, Workers([s.url for s in servers])


@pytest.fixture
def make_idp_workers(database_url, tmp_path, keys_dir):
    """make_idp_workers(**config) → two IdP workers on one database."""
    from gosuslugi_sandbox.idp import create_app

    started = []

    def make(**extra) -> Workers:
        base = {"DATABASE_URL": database_url, "KEYS_DIR": str(keys_dir),
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **extra}  # fmt: skip
        apps = [create_app({**base, "INSTANCE_PATH": str(tmp_path / f"idp{i}")}) for i in (1, 2)]
        servers, workers = _serve(apps)
        started.extend(zip(servers, apps, strict=True))
        return workers

    yield make
    for server, app in started:
        server.stop()
        app.extensions["idp"].db.dispose()


@pytest.fixture
def idp_workers(make_idp_workers):
    """Two IdP workers on one database, default settings."""
    return make_idp_workers()


def sms_code(base: str, phone: str = ROSHCHINA["phone"]) -> str:
    """The newest code in the IdP's SMS outbox for the phone."""
    return GosuslugiControl(base).sms_code(phone)


def authorize_url(base: str, client_id: str = "demo-es256", **extra: str) -> str:
    """An OIDC authorization request of a fixture client (PKCE-less confidential client)."""
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
              "scope": "openid fullname", "state": "st-1", "nonce": "n-1", **extra}  # fmt: skip
    return f"{base}/authorize?{urlencode(params)}"


def log_in(browser: HttpBrowser, base: str, start_url: str) -> dict[str, str]:
    """Password, SMS code, consent; the callback's query parameters."""
    sign_in(browser, browser.open(start_url), ROSHCHINA["login"], ROSHCHINA["password"],
            lambda: sms_code(base))  # fmt: skip
    return {k: v[0] for k, v in parse_qs(urlsplit(browser.stopped_at or "").query).items()}


def oidc_code(base: str) -> str:
    """A fresh authorization code of demo-es256 for Рощина."""
    params = log_in(HttpBrowser(stop_at=(CALLBACK,)), base, authorize_url(base))
    return params["code"]


def token_request(base: str, **form: str) -> requests.Response:
    """POST /token as demo-es256 (client_secret_post)."""
    data = {"client_id": "demo-es256", "client_secret": "demo-es256-secret", **form}
    return requests.post(f"{base}/token", data=data, timeout=30)


@pytest.fixture
def make_sferum_workers(database_url, tmp_path, idp_workers):
    """make_sferum_workers(**config) → two fake Sferum workers on one database, talking to the
    IdP workers; reset codes are always 424242."""
    from gosuslugi_sandbox.relying_party import create_app

    started = []

    def make(**extra) -> Workers:
        base = {"DATABASE_URL": database_url, "IDP_URL": idp_workers.first,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "CODE_GENERATOR": lambda: "424242",
                **extra}  # fmt: skip
        apps = [create_app({**base, "INSTANCE_PATH": str(tmp_path / f"rp{i}")}) for i in (1, 2)]
        servers, workers = _serve(apps)
        started.extend(zip(servers, apps, strict=True))
        return workers

    yield make
    for server, app in started:
        server.stop()
        app.extensions["database"].dispose()


@pytest.fixture
def sferum_workers(make_sferum_workers):
    """Two fake Sferum workers, default settings."""
    return make_sferum_workers()


def sferum_password_step(base: str, login: str) -> HttpBrowser:
    """A browser at «Введите пароль» for login."""
    browser = HttpBrowser()
    browser.open(base + "/login")
    browser.submit(form="login-form", fields={"login-input": login})
    return browser


def form_post(browser: HttpBrowser, form_testid: str) -> tuple[str, dict, object]:
    """(action URL, fields with the CSRF token, cookies) of a form on the browser's page."""
    page = browser.page
    form = page.require(form_testid)
    action = form.attrs.get("action") or page.url
    if action.startswith("/"):
        action = page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + action
    token = form.find("input", name="csrf_token").attrs["value"]
    return action, {"csrf_token": token}, browser.cookies
