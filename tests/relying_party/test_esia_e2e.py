"""End to end in the ESIA dialect: the fake Sferum (PROTOCOL=esia) and the real fake Gosuslugi."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.relying_party.models import CacheEntry
from gosuslugi_sandbox.relying_party.web import db
from tests.relying_party.conftest import fresh
from tests.relying_party.stack import Stack


@pytest.fixture
def esia_stack(esia_stand, monkeypatch) -> Stack:
    """The IdP and an RP speaking ESIA (client esia-cms), fresh; the tests answer the IdP."""
    return fresh(esia_stand, monkeypatch, None)


def stop_at_callback(stack: Stack, browser: HttpBrowser, person: str, consent: str = "allow"):
    """Go through the IdP but stop before the redirect to the RP's callback; return its URL."""
    browser.open(stack.rp.url + "/gosuslugi/link")
    browser.stop_at = (stack.rp.url + "/gosuslugi/callback",)
    try:
        page = browser.click("gosuslugi-continue")
        stack.answer_idp(browser, page, person, consent)
        if not browser.stopped_at:
            raise AssertionError(f"the IdP did not redirect to the callback: {browser.page.url}")
        return browser.stopped_at
    finally:
        browser.stop_at = ()


def test_authorization_request_is_esia_shaped(esia_stack):
    browser = esia_stack.rp.login("123456")
    browser.stop_at = (esia_stack.idp.url,)
    browser.open(esia_stack.rp.url + "/gosuslugi/link")
    browser.click("gosuslugi-continue")
    url = urlsplit(browser.stopped_at)
    assert url.path == "/aas/oauth2/ac"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == "esia-cms"
    assert query["redirect_uri"] == esia_stack.rp.url + "/gosuslugi/callback"
    assert query["scope"] == "openid fullname birthdate gender snils"
    assert query["response_type"] == "code"
    assert query["access_type"] == "online"
    assert "person_filter" not in query
    assert query["timestamp"].endswith(" +0000") and len(query["timestamp"]) == 25
    assert len(query["state"]) == 36 and query["state"][14] == "4"  # a UUID4
    assert query["client_secret"].endswith("=")  # base64url with padding


def test_consent_refused_at_the_idp(esia_stack):
    browser = esia_stack.rp.login("123456")
    callback = stop_at_callback(esia_stack, browser, "roshchina", consent="deny")
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["access_denied"]
    assert query["error_description"][0].startswith("ESIA-007004")
    page = browser.open(callback)
    assert page.require("error-code").text() == "access_denied", page.text()
    assert "отказались" in page.require("message").text()
    assert esia_stack.rp.user(123456)["verified"] is False


def test_replayed_callback_is_refused(esia_stack):
    browser = esia_stack.rp.login("123456")
    callback = stop_at_callback(esia_stack, browser, "roshchina")
    assert browser.open(callback).url == esia_stack.rp.url + "/gosuslugi/confirm"
    page = browser.open(callback)
    assert page.require("error-code").text() == "state_unknown", page.text()
    # Another browser replaying the same callback gets nowhere either.
    other = esia_stack.rp.login("123457")
    page = other.open(callback)
    assert page.require("error-code").text() == "state_unknown"
    assert esia_stack.rp.user(123457)["verified"] is False
    assert esia_stack.rp.events("link") == []


def test_replayed_code_with_a_new_attempt_is_refused(esia_stack):
    """A code from a finished trip, pasted into a fresh attempt, is refused by the IdP."""
    browser = esia_stack.rp.login("123456")
    first = stop_at_callback(esia_stack, browser, "roshchina")
    browser.open(first)
    second = stop_at_callback(esia_stack, browser, "roshchina")
    old_code = parse_qs(urlsplit(first).query)["code"][0]
    state = parse_qs(urlsplit(second).query)["state"][0]
    page = browser.request(
        "GET", esia_stack.rp.url + "/gosuslugi/callback", params={"code": old_code, "state": state}
    )
    assert page.require("error-code").text() == "token_error", page.text()
    assert esia_stack.rp.user(123456)["verified"] is False


def test_wrong_issuer_is_refused(esia_stack, monkeypatch):
    monkeypatch.setitem(
        esia_stack.rp.app.config, "ESIA_ISSUER", "http://esia-portal1.test.gosuslugi.ru/"
    )
    browser = esia_stack.rp.login("123456")
    page = esia_stack.link(browser, "roshchina")
    assert page.require("error-code").text() == "id_token_iss", page.text()
    assert "неверный издатель" in page.require("message").text()
    assert esia_stack.rp.user(123456)["verified"] is False


def test_idp_certificate_is_fetched_once(esia_stack):
    """Two logins, one certificate download: it is cached in the RP's database."""
    for user_id, person in (("123456", "roshchina"), ("123457", "dmitrieva")):
        browser = esia_stack.rp.login(user_id)
        assert esia_stack.link(browser, person).url.endswith("/gosuslugi/confirm")
    app = esia_stack.rp.app
    with app.app_context():
        names = list(db().scalars(select(CacheEntry.name)))
    assert names == [f"esia-cert:{esia_stack.idp.url}/esia/certs/RS256.pem"]
