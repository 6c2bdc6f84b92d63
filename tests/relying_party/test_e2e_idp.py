"""End to end with the real fake Gosuslugi, in both dialects: both apps live, talking HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.relying_party.stack import PASSWORDS


def test_done_when_flow(stack):
    """Рощина links with her SMS code, syncs, is locked, logs in via Gosuslugi, unlinks."""
    rp = stack.rp
    browser = rp.login("123456")
    page = stack.link(browser, "roshchina")
    assert page.url == rp.url + "/gosuslugi/confirm", page.text()
    assert "Рощина Елизавета Вадимовна" in page.require("gosuslugi-identity-name").text()
    assert page.require("gosuslugi-identity-snils").text() == "112-233-445 95"
    browser.click("gosuslugi-link-button")
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": PASSWORDS["123456"]}
    )
    assert page.require("sync-row-middle_name").get("data-differs") == "true"
    assert page.require("sync-sferum-middle_name").text() == "Владимировна"
    assert page.require("sync-gosuslugi-middle_name").text() == "Вадимовна"
    page = browser.click("sync-submit")
    assert page.require("header-user").find(data_testid="verified-mark") is not None
    assert page.require("profile-full-name").text().startswith("Елизавета Вадимовна Рощина")
    user = rp.user(123456)
    assert user["gosuslugi_oid"] == "1000000001" and user["verified"] is True

    page = browser.submit(form="settings-form", fields={"middle_name": "Владимировна"})
    assert page.status == 403
    assert rp.user(123456)["middle_name"] == "Вадимовна"

    browser.open(rp.url + "/")
    page = browser.click("logout-button")
    assert page.url == rp.url + "/login"
    page = browser.click("gosuslugi-login-button")
    assert page.url.startswith(stack.idp.url), page.url  # the IdP's session: consent
    page = stack.answer_idp(browser, page, "roshchina")
    assert page.url == rp.url + "/", page.text()
    assert page.require("header-user-name").text() == "Елизавета Рощина"

    browser.open(rp.url + "/settings")
    browser.click("settings-unlink-link")
    browser.click("security-gosuslugi-menu")
    browser.click("security-gosuslugi-disable")
    page = browser.click("unlink-confirm")
    assert page.require("header-user").find(data_testid="verified-mark") is None
    browser.open(rp.url + "/settings")
    page = browser.submit(form="settings-form", fields={"middle_name": "Владимировна"})
    assert page.require("flash-message").text() == "Изменения сохранены"
    assert rp.user(123456)["middle_name"] == "Владимировна"
    kinds = [e["kind"] for e in rp.events() if e["kind"] in ("link", "sync", "unlink", "login")]
    assert kinds == ["login", "sync", "link", "login", "unlink"]
    login = [e for e in rp.events("login") if e["detail"].get("method") == "gosuslugi"]
    assert [e["oid"] for e in login] == ["1000000001"]


def test_identical_data_links_directly(stack):
    browser = stack.rp.login("123457")
    page = stack.link(browser, "dmitrieva")
    browser.click("gosuslugi-link-button")
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": PASSWORDS["123457"]}
    )
    assert not page.has("sync-table")
    assert page.has("settings-locked-message")
    assert stack.rp.user(123457)["gosuslugi_oid"] == "1000000002"


@pytest.mark.parametrize(("user_id", "person"), [("123458", "smirnov"), ("123459", "kuznetsova")])
def test_standard_and_simplified_accounts_are_refused(stack, user_id, person):
    browser = stack.rp.login(user_id)
    page = stack.link(browser, person)
    assert page.require("error-code").text() == "not_trusted", page.text()
    assert "не подтверждена" in page.require("message").text()
    assert stack.rp.user(user_id)["verified"] is False


def test_already_linked_account_is_refused(stack):
    first = stack.rp.login("123456")
    stack.link(first, "roshchina")
    first.click("gosuslugi-link-button")
    first.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": PASSWORDS["123456"]}
    )
    first.click("sync-submit")
    second = stack.rp.login("123457")
    page = stack.link(second, "roshchina")
    assert page.require("error-code").text() == "already_linked", page.text()
    assert stack.rp.user(123457)["verified"] is False


def test_consent_refused_at_the_idp(stack):
    browser = stack.rp.login("123456")
    browser.open(stack.rp.url + "/gosuslugi/link")
    page = browser.click("gosuslugi-continue")
    page = stack.answer_idp(browser, page, "roshchina", consent="deny")
    assert page.require("error-code").text() == "access_denied", page.text()
    assert stack.rp.user(123456)["verified"] is False


def test_an_idp_outage_is_502_at_the_start_and_at_the_callback(stack):
    browser = stack.rp.login("123456")
    faults = f"{stack.idp.url}/_control/faults"
    if stack.rp.app.config["PROTOCOL"] == "oidc":  # ESIA's start asks the IdP nothing
        fault = {"fault": "http-503", "endpoint": "discovery"}
        assert requests.post(faults, json=fault, timeout=5).status_code == 201
        browser.open(stack.rp.url + "/settings")
        browser.click("settings-gosuslugi-link")
        page = browser.click("gosuslugi-continue")
        assert page.status == 502 and page.require("error-code").text() == "idp_unavailable"
    fault = {"fault": "http-503", "endpoint": "token"}
    assert requests.post(faults, json=fault, timeout=5).status_code == 201
    page = stack.link(browser, "roshchina")  # the IdP answers the token request 503
    assert page.url.startswith(stack.rp.url + "/gosuslugi/callback"), page.url
    assert page.status == 502 and page.require("error-code").text() == "idp_unavailable"


def test_a_proxy_in_the_environment_does_not_stand_between_sferum_and_gosuslugi(stack, monkeypatch):
    """An office machine: HTTP(S)_PROXY set, no NO_PROXY, a proxy that cannot reach the stand.
    Sferum's calls to the IdP (token, keys, person) go direct, as the browser's do."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    browser = stack.rp.login("123456")
    page = stack.link(browser, "roshchina")
    assert page.url == stack.rp.url + "/gosuslugi/confirm", page.text()
    assert "Рощина Елизавета Вадимовна" in page.require("gosuslugi-identity-name").text()
