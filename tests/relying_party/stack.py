"""Both apps live in this process, wired to each other over HTTP: the fake Sferum and the real
fake Gosuslugi, whose misbehaviour the tests arm through its own fault API (/_control/faults)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from gosuslugi_sandbox.harness.control import GosuslugiControl, Record, SferumControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser, Page
from gosuslugi_sandbox.harness.fixture_data import fixture_passwords
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.harness.sign_in import sign_in
from gosuslugi_sandbox.harness.stand import LocalStand
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import load_fixture

OIDS = {"roshchina": 1000000001, "dmitrieva": 1000000002, "smirnov": 1000000003,
        "kuznetsova": 1000000004, "volkov": 1000000005}  # fmt: skip
# Sferum's fixture users (fixtures/sferum.yaml) by id: their login
LOGINS = {
    "123456": "+7 911 111-11-11",
    "123457": "+7 913 222-33-44",
    "123458": "+7 916 333-44-55",
    "123459": "+7 917 444-55-66",
    "123460": "+7 921 777-88-99",
    "123461": "+7 921 555-66-77",
    "123462": "volkov@example.ru",
}
PASSWORDS = {user: fixture_passwords()[f"user:{user}"] for user in LOGINS}


def idp_login(person: str) -> tuple[str, str]:
    """(login, password) of a fixture person at Gosuslugi (mobile, else e-mail)."""
    oid = OIDS[person]
    data = next(
        p for p in load_fixture(FIXTURES_DIR / "persons.yaml")["persons"] if p["oid"] == oid
    )
    return str(data.get("mobile") or data["email"]), fixture_passwords()[str(oid)]


class IdpTap:
    """WSGI middleware on the IdP: records what the RP sent (path, parameters, Authorization)."""

    def __init__(self, app) -> None:
        self.app = app
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            params.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
        params["authorization"] = environ.get("HTTP_AUTHORIZATION")
        if not environ.get("PATH_INFO", "").startswith("/_control"):
            self.requests.append((environ.get("PATH_INFO", ""), params))
        return self.app(environ, start_response)

    def count(self, path: str) -> int:
        """How many requests reached that path."""
        return sum(1 for p, _ in self.requests if p == path)

    def all(self, path: str) -> list[dict]:
        """The parameters of every request to that path, in order."""
        return [d for p, d in self.requests if p == path]


class Sferum:
    """A live RP with helpers; `signs_in_as` answers the IdP's pages in start_link."""

    def __init__(self, app, server: LiveServer, idp_url: str = "") -> None:
        self.app = app
        self.server = server
        self.url = server.url
        self.idp_url = idp_url
        self.signs_in_as: str | None = None
        self.harness = SferumControl(self.url)  # what the helpers below read through

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the control API with any body or header (the raw answer, errors too)."""
        return requests.request(method, self.url + "/_control" + path, timeout=10, **kwargs)

    def events(self, kind: str | None = None) -> list[dict]:
        """The event log (optionally one kind)."""
        return self.harness.call("GET", "/events", params={"kind": kind} if kind else None)

    def user(self, user_id: str | int) -> dict:
        """A user as the control API shows it."""
        return self.harness.user(user_id)

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

    def answer_idp(self, browser: HttpBrowser, page: Page, person: str, consent="allow") -> Page:
        """Answer whatever the IdP shows (login, SMS code, consent) until the browser leaves it
        (or stops at one of browser.stop_at)."""
        login, password = idp_login(person)
        control = GosuslugiControl(self.idp_url)
        return sign_in(browser, page, login, password, lambda: control.sms_code(login),
                       consent=consent, idp_url=self.idp_url)  # fmt: skip

    def start_link(self, browser: HttpBrowser, person: str | None = None) -> Page:
        """Settings → Перейти на Госуслуги → Продолжить; the IdP's page, or (signing in as
        `person` or signs_in_as) the RP's page after the callback."""
        browser.open(self.url + "/settings")
        browser.click("settings-gosuslugi-link")
        page = browser.click("gosuslugi-continue")
        return self.through_idp(browser, page, person)

    def through_idp(self, browser: HttpBrowser, page: Page, person: str | None = None) -> Page:
        """The page after the IdP, when someone signs in there; else page as it is."""
        person = person or self.signs_in_as
        if person is None or not page.url.startswith(self.idp_url):
            return page
        return self.answer_idp(browser, page, person)

    def stop_before_callback(self, browser: HttpBrowser) -> dict[str, str]:
        """Start linking and sign in at the IdP, but stop before the callback; its query."""
        browser.stop_at = (self.url + "/gosuslugi/callback",)
        try:
            self.start_link(browser)
            assert browser.stopped_at, browser.page.url
            return {k: v[0] for k, v in parse_qs(urlsplit(browser.stopped_at).query).items()}
        finally:
            browser.stop_at = ()

    def continue_link(self, user_id: str = "123456") -> Page:
        """Log in, open the linking page and press «Продолжить»: the RP's answer."""
        browser = self.login(user_id)
        browser.open(self.url + "/gosuslugi/link")
        return browser.click("gosuslugi-continue")

    def link(self, browser: HttpBrowser, user_id: str, sync: bool = True, person=None) -> Page:
        """The whole linking flow; returns the last page."""
        page = self.start_link(browser, person)
        assert page.has("gosuslugi-link-button"), page.text()
        browser.click("gosuslugi-link-button")
        page = browser.submit(
            form="gosuslugi-password-form", fields={"gosuslugi-password-input": PASSWORDS[user_id]}
        )
        if page.has("sync-table"):
            page = browser.click("sync-submit" if sync else "sync-cancel")
        return page


class Stack:
    """The IdP and the RP, live, wired to each other."""

    def __init__(self, idp: LiveServer, rp: Sferum, tap: IdpTap) -> None:
        self.idp = idp
        self.rp = rp
        self.tap = tap
        self.control = GosuslugiControl(idp.url)

    def reset(self) -> None:
        """Both apps back to their fixtures: no faults, users, events or cached IdP documents."""
        self.control.reset()
        self.rp.harness.reset()
        self.tap.requests.clear()

    def arm(self, fault: str, **body) -> Record:
        """Arm one of the IdP's faults for the RP's client."""
        client_id = self.rp.app.config["CLIENT_ID" if self.protocol == "oidc" else "ESIA_CLIENT_ID"]
        if fault not in ("discovery-issuer-mismatch",) and body.get("endpoint") not in (
            "jwks", "discovery", "certificate",
        ):  # fmt: skip
            body.setdefault("client_id", client_id)
        return self.control.arm_fault(fault, **body)

    @property
    def protocol(self) -> str:
        """The dialect the RP speaks."""
        return self.rp.app.config["PROTOCOL"]

    def sms_code(self, phone: str) -> str:
        """The newest SMS code the IdP sent to that phone."""
        return self.control.sms_code(phone)

    def answer_idp(self, browser: HttpBrowser, page: Page, person: str, consent="allow") -> Page:
        """See Sferum.answer_idp."""
        return self.rp.answer_idp(browser, page, person, consent)

    def link(self, browser: HttpBrowser, person: str) -> Page:
        """Settings → Перейти на Госуслуги → Продолжить → IdP; the RP page after the callback."""
        page = self.rp.start_link(browser, None)
        assert page.url.startswith(self.idp.url), page.url
        return self.answer_idp(browser, page, person)


@contextmanager
def running_stack(
    keys_dir: Path, protocol: str = "oidc", rp_config: dict | None = None,
    idp_config: dict | None = None,
) -> Iterator[Stack]:  # fmt: skip
    """A private stand (harness/stand.py LocalStand), its IdP tapped; stopped after."""
    local = LocalStand(
        protocol,
        extra_rp_config={"SECRET_KEY": f"rp-e2e-{protocol}", **(rp_config or {})},
        keys_dir=str(keys_dir),
        extra_idp_config={
            "SECRET_KEY": f"idp-e2e-{protocol}",
            "FAULT_MAX_DELAY": 5,
            **(idp_config or {}),
        },
        idp_middleware=IdpTap,
    )
    local.start()
    try:
        rp = Sferum(local.rp.app, local.rp, local.idp.url)
        yield Stack(local.idp, rp, local.idp.app.wsgi_app)
    finally:
        local.stop()
