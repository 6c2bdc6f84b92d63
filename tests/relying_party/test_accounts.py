"""VK ID-style login, lockout, logout and password reset through the RP's outbox."""

from __future__ import annotations

import pytest
import requests

from gosuslugi_sandbox.relying_party.accounts.views import WRONG_CODE
from gosuslugi_sandbox.shared.clock import Clock, FrozenTime


def _to_password_step(rp, login: str):
    browser = rp.browser()
    browser.open(rp.url + "/login")
    page = browser.submit(form="login-form", fields={"login-input": login})
    return browser, page


@pytest.mark.parametrize("spelling", ["+7 911 111-11-11", "89111111111", "9111111111"])
def test_login_by_phone_in_any_spelling(rp, spelling):
    browser, page = _to_password_step(rp, spelling)
    assert page.has("password-input")
    page = browser.submit(form="password-form", fields={"password-input": "Roshchina-Sferum1"})
    assert page.url == rp.url + "/"
    assert page.require("header-user-name").text() == "Елизавета Рощина"
    assert rp.events("login")[-1]["detail"] == {"method": "vkid"}


def test_login_by_email(rp):
    browser, _ = _to_password_step(rp, "Volkov@Example.ru")
    page = browser.submit(form="password-form", fields={"password-input": "Volkov-Sferum1"})
    assert page.require("header-user-name").text() == "Игорь Волков"


def test_login_page_labels(rp):
    page = rp.browser().open(rp.url + "/login")
    text = page.text()
    for label in ("Вход в «Сферум»", "Телефон или почта", "Продолжить", "Войти через Госуслуги"):
        assert label in text
    assert page.has("gosuslugi-login-form")


def test_malformed_login_and_unknown_user(rp):
    browser, page = _to_password_step(rp, "not a login")
    assert page.require("login-error").text() == "Введите номер телефона или адрес почты"
    browser, page = _to_password_step(rp, "+7 900 000-00-00")
    page = browser.submit(form="password-form", fields={"password-input": "whatever1"})
    assert page.require("password-error").text() == "Неверный логин или пароль"


def test_pages_need_login(rp):
    page = rp.browser().open(rp.url + "/settings")
    assert page.url == rp.url + "/login"


def test_five_wrong_passwords_lock_the_account_for_a_while(make_rp):
    time_source = FrozenTime()
    rp = make_rp(CLOCK=Clock(time_source), LOCKOUT_SECONDS=300)
    browser, _ = _to_password_step(rp, "+7 911 111-11-11")
    for _ in range(4):
        page = browser.submit(form="password-form", fields={"password-input": "wrong"})
        assert page.require("password-error").text() == "Неверный логин или пароль"
    page = browser.submit(form="password-form", fields={"password-input": "wrong"})
    assert "заблокирован" in page.require("password-error").text()
    page = browser.submit(form="password-form", fields={"password-input": "Roshchina-Sferum1"})
    assert "Слишком много неудачных попыток" in page.require("password-error").text()
    assert not page.has("header-user-name")
    time_source.advance(301)
    page = browser.submit(form="password-form", fields={"password-input": "Roshchina-Sferum1"})
    assert page.require("header-user-name").text() == "Елизавета Рощина"


def test_logout(rp):
    browser = rp.login("123456")
    page = browser.click("logout-button")
    assert page.url == rp.url + "/login"
    page = browser.open(rp.url + "/")
    assert page.url == rp.url + "/login"
    assert [e["kind"] for e in rp.events()][-1] == "logout"


def test_password_reset_with_a_code_from_the_outbox(rp):
    browser, page = _to_password_step(rp, "+7 911 111-11-11")
    page = browser.click("forgot-password")
    page = browser.submit(form="forgot-form", fields={"forgot-login-input": "89111111111"})
    assert page.has("reset-code-input")
    outbox = rp.control("GET", "/outbox", params={"address": "+7 (911) 111-11-11"}).json()
    assert len(outbox) == 1 and outbox[0]["user_id"] == 123456
    code = outbox[0]["code"]
    wrong = "000000" if code != "000000" else "111111"
    page = browser.submit(
        form="reset-form", fields={"reset-code-input": wrong, "reset-password-input": "New-pass-1"}
    )
    assert page.require("reset-error").text() == WRONG_CODE
    page = browser.submit(
        form="reset-form", fields={"reset-code-input": code, "reset-password-input": "short"}
    )
    assert "8 символов" in page.require("reset-error").text()
    page = browser.submit(
        form="reset-form", fields={"reset-code-input": code, "reset-password-input": "New-pass-1"}
    )
    assert page.require("flash-message").text() == "Пароль изменён"
    page = browser.submit(form="password-form", fields={"password-input": "New-pass-1"})
    assert page.require("header-user-name").text() == "Елизавета Рощина"
    assert rp.control("GET", "/outbox").json()[0]["used"] is True
    assert len(rp.events("password_reset")) == 1
    # The code is single use.
    again = rp.browser()
    again.open(rp.url + "/login/forgot")
    again.submit(form="forgot-form", fields={"forgot-login-input": "89111111111"})
    rp.control("POST", "/reset", json={})  # back to fixtures: the outbox is empty again
    page = again.submit(
        form="reset-form", fields={"reset-code-input": code, "reset-password-input": "Other-pass-1"}
    )
    assert page.require("reset-error").text() == WRONG_CODE  # the same words as a wrong code


def test_reset_for_unknown_account_looks_the_same_and_sends_nothing(rp):
    browser = rp.browser()
    browser.open(rp.url + "/login/forgot")
    page = browser.submit(form="forgot-form", fields={"forgot-login-input": "nobody@example.ru"})
    assert page.has("reset-code-input")
    assert rp.control("GET", "/outbox").json() == []


def test_session_cookie_is_named_httponly_and_lax(rp):
    browser = rp.login("123456")
    cookie = next(c for c in browser.cookies if c.name == "sferum_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    raw = requests.post(
        rp.url + "/login", data={"login": "89111111111"}, allow_redirects=False, timeout=5
    )
    assert raw.status_code == 400  # no CSRF token


def test_every_form_is_csrf_protected(rp):
    browser = rp.login("123456")
    page = browser.open(rp.url + "/settings")
    session_cookie = next(c.value for c in browser.cookies if c.name == "sferum_session")
    response = requests.post(
        rp.url + "/settings",
        data={"availability": "hacked"},
        cookies={"sferum_session": session_cookie},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "Страница устарела" in response.text
    assert rp.user(123456)["availability"] != "hacked"
    assert page.require("settings-form").find("input", name="csrf_token") is not None
    set_cookie = requests.get(rp.url + "/login", timeout=5).headers["Set-Cookie"]
    assert "sferum_session=" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
