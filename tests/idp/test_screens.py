"""What the Gosuslugi pages show: the seed's links, the help page, the SMS countdown's start."""

from __future__ import annotations

import re

import pytest
import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

from .conftest import CALLBACK, ROSHCHINA


@pytest.fixture
def login_page(idp_server):
    """A browser on the login page of a fresh authorization request."""
    requests.post(
        f"{idp_server.url}/_control/clients",
        json={"client_id": "screens", "client_secret": "s", "redirect_uris": [CALLBACK],
              "scope": "openid fullname"},
        timeout=5,
    ).raise_for_status()  # fmt: skip
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(
        f"{idp_server.url}/authorize?response_type=code&client_id=screens&state=s1"
        f"&redirect_uri={CALLBACK}&scope=openid+fullname"
    )
    assert browser.page.has("login-form")
    return browser


def test_login_page_has_the_seeds_links_in_order(login_page):
    text = login_page.page.text()
    labels = ["Телефон / Email / СНИЛС", "Пароль", "Восстановить", "Войти",
              "Войти другим способом", "Не удаётся войти?"]  # fmt: skip
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions), text


def test_dev_persons_are_listed_in_russian_with_whole_logins(login_page):
    persons = login_page.page.require("dev-persons")
    text = persons.text()
    assert "Подтверждённая" in text and "Стандартная" in text and "Упрощённая" in text
    assert not re.search(r"\b(confirmed|standard|simplified)\b", text)
    assert "volkov.igor@example.ru" in text and "+7 965 123-45-75" in text
    assert "1000000001" in persons.find(data_testid="dev-person-row-1000000001").text()


def test_help_page_shows_the_ways_out_and_leads_back(login_page):
    page = login_page.click("login-help")
    for testid in ("help-forgot", "help-other", "help-locked", "help-support"):
        assert page.has(testid), testid
    assert "15 минут" in page.require("help-locked").text()
    assert login_page.click("help-restore").status == 200
    login_page.open(page.url)
    assert login_page.click("help-back").has("login-form")


def test_help_page_without_a_login_links_home(idp_server):
    page = HttpBrowser().open(f"{idp_server.url}/login/help")
    assert page.status == 200 and page.has("help-landing") and not page.has("help-back")


def test_sms_page_waits_with_a_disabled_resend_button(login_page, frozen):
    page = login_page.submit(
        "login-form",
        {"login-input": ROSHCHINA["login"], "password-input": ROSHCHINA["password"]},
        "login-submit",
    )
    assert page.require("sms-back").text() == "‹ госуслуги"
    button = page.require("sms-resend")
    assert "disabled" in button.attrs and button.get("aria-describedby") == "sms-resend-wait"
    assert page.require("sms-resend-seconds").get("data-seconds") == "60"
    assert page.doc.find("script").get("src").startswith("/static/sms-countdown.js?v=")
    frozen.advance(61)
    page = login_page.open(page.url)
    assert "disabled" not in page.require("sms-resend").attrs
    assert "hidden" in page.require("sms-resend-wait").attrs


def test_error_page_keeps_the_code_in_the_developer_details(idp_server):
    page = HttpBrowser().open(f"{idp_server.url}/login?interaction=nothing")
    assert page.require("error-code").get("data-code") == "interaction_not_found"
    assert page.require("dev-details").tag == "details"
    assert "interaction_not_found" not in page.require("error-message").text()
