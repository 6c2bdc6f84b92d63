"""What a person sees when the password or the SMS code goes wrong, and deny at consent."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest
import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

from .conftest import CALLBACK, ROSHCHINA, ROSHCHINA_PHONE, sms_codes


def authorize_url(base: str, **extra) -> str:
    params = {
        "response_type": "code",
        "client_id": "sferum-test",
        "redirect_uri": CALLBACK,
        "scope": "openid fullname",
        "state": secrets.token_urlsafe(8),
        **extra,
    }
    return f"{base}/authorize?{urlencode(params)}"


@pytest.fixture
def base(idp_server):
    """The server URL, with a confidential client on CALLBACK registered."""
    response = requests.post(
        f"{idp_server.url}/_control/clients",
        json={
            "client_id": "sferum-test",
            "client_secret": "s3cret",
            "redirect_uris": [CALLBACK],
            "scope": "openid fullname",
            "grant_types": ["authorization_code", "refresh_token"],
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return idp_server.url


def open_login(base: str) -> HttpBrowser:
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(authorize_url(base))
    browser.page.require("login-form")
    return browser


def submit_password(browser: HttpBrowser, password: str, login: str = ROSHCHINA["login"]):
    return browser.submit(
        "login-form", {"login-input": login, "password-input": password}, "login-submit"
    )


def to_sms_page(base: str) -> HttpBrowser:
    browser = open_login(base)
    page = submit_password(browser, ROSHCHINA["password"])
    page.require("sms-form")
    return browser


def test_login_page_labels_and_dev_persons(base):
    page = open_login(base).page
    text = page.text()
    for label in ("Телефон / Email / СНИЛС", "Пароль", "Войти", "Восстановить"):
        assert label in text
    assert page.has("dev-person-1000000001")
    assert page.has("login-other-method")


def test_other_method_is_the_signature(base):
    browser = open_login(base)
    assert browser.page.require("login-other-method").text() == "Войти другим способом"
    page = browser.click("login-signature")
    assert page.has("signature-certificates")
    assert browser.click("signature-back").has("login-form")


@pytest.mark.parametrize(
    "login",
    ["+7 965 123-45-75", "89651234575", "+7(965)1234575", "ROSHCHINA@example.RU", "11223344595"],
)
def test_every_login_spelling_reaches_sms(base, login):
    browser = open_login(base)
    page = submit_password(browser, ROSHCHINA["password"], login=login)
    assert page.require("sms-phone").text() == "+7 965 *** *75"


def test_email_only_person_skips_sms(base):
    browser = open_login(base)
    page = submit_password(browser, "Volkov-2024", login="volkov.igor@example.ru")
    assert page.has("consent-form")


def test_wrong_password_reveals_nothing(base):
    browser = open_login(base)
    wrong = submit_password(browser, "nope").require("login-error").text()
    page = submit_password(browser, "nope", login="+7 900 000-00-00")
    unknown = page.require("login-error").text()
    assert wrong == unknown == "Неверный логин или пароль"


def test_lockout_after_five_failures_and_its_end(base, frozen):
    browser = open_login(base)
    for _ in range(4):
        assert submit_password(browser, "nope").require("login-error").text().startswith("Неверный")
    assert "заблокирован" in submit_password(browser, "nope").require("login-error").text()
    # even the right password is refused while locked
    assert (
        "заблокирован"
        in submit_password(browser, ROSHCHINA["password"]).require("login-error").text()
    )
    frozen.advance(901)
    assert submit_password(browser, ROSHCHINA["password"]).has("sms-form")


def test_sms_page_never_shows_the_code(base):
    browser = to_sms_page(base)
    code = sms_codes(base)[0]
    assert len(code) == 6 and code.isdigit()
    assert code not in browser.page.html
    assert "Код подтверждения отправлен на номер" in browser.page.text()


def test_wrong_sms_code_then_right_one(base):
    browser = to_sms_page(base)
    code = sms_codes(base)[0]
    wrong = "000000" if code != "000000" else "111111"
    page = browser.submit("sms-form", {"sms-code-input": wrong}, "sms-submit")
    assert page.require("sms-error").text() == "Неверный код. Осталось попыток: 2"
    page = browser.submit("sms-form", {"sms-code-input": code}, "sms-submit")
    assert page.has("consent-form")
    assert _wrong_codes(base) == 1  # the right code counts nothing against the person


def _wrong_codes(base: str) -> int:
    person = requests.get(f"{base}/_control/persons/{ROSHCHINA['oid']}", timeout=5).json()
    return person["sms_wrong_codes"]


def test_sms_attempts_exhausted(base):
    browser = to_sms_page(base)
    code = sms_codes(base)[0]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        browser.submit("sms-form", {"sms-code-input": wrong}, "sms-submit")
    page = browser.submit("sms-form", {"sms-code-input": wrong}, "sms-submit")
    assert "исчерпаны" in page.require("sms-error").text()
    page = browser.submit("sms-form", {"sms-code-input": code}, "sms-submit")
    assert "исчерпаны" in page.require("sms-error").text()
    assert _wrong_codes(base) == 3  # the refused fourth try compared nothing


def test_expired_sms_code(base, frozen):
    browser = to_sms_page(base)
    code = sms_codes(base)[0]
    frozen.advance(301)
    page = browser.submit("sms-form", {"sms-code-input": code}, "sms-submit")
    assert "истёк" in page.require("sms-error").text()


def test_resend_too_early_then_allowed(base, frozen):
    browser = to_sms_page(base)
    first = sms_codes(base)
    page = browser.click("sms-resend")
    assert "через 60 сек." in page.require("sms-error").text()
    assert sms_codes(base) == first
    # the refusal came back to the SMS page: a reload asks for nothing again
    assert browser.history[-1].method == "GET" and "/login/sms?" in browser.history[-1].url
    assert "refused=early" in browser.history[-1].url
    frozen.advance(61)
    page = browser.click("sms-resend")
    assert page.has("sms-notice")
    codes = sms_codes(base)
    assert len(codes) == len(first) + 1
    if codes[0] != codes[1]:  # the old code no longer works
        page = browser.submit("sms-form", {"sms-code-input": codes[1]}, "sms-submit")
        assert page.has("sms-error")
    page = browser.submit("sms-form", {"sms-code-input": codes[0]}, "sms-submit")
    assert page.has("consent-form")


def test_consent_lists_scopes_and_deny_returns_access_denied(base, login_flow):
    result = login_flow(authorize_url(base, state="st-1"), consent=None)
    page = result.page
    assert page.has("consent-scope-openid") and page.has("consent-scope-fullname")
    assert "Фамилия, имя и отчество" in page.text()
    result.browser.submit("consent-form", button="consent-deny")
    assert result.browser.stopped_at.startswith(CALLBACK + "?")
    assert "error=access_denied" in result.browser.stopped_at
    assert "state=st-1" in result.browser.stopped_at


def test_forms_require_csrf(base):
    browser = open_login(base)
    action = browser.page.require("login-form").get("action")
    response = browser.send(
        "POST",
        f"{base}{action}",
        data={"login": ROSHCHINA["login"], "password": ROSHCHINA["password"]},
    )
    assert response.status == 400
    assert "csrf" in response.text.lower()
    assert not sms_codes(base, ROSHCHINA_PHONE)


@pytest.fixture
def four_digit_codes(idp_config):
    """An injected SMS code generator and a 4-digit code length."""
    calls = []

    def generate(length: int) -> str:
        calls.append(length)
        return "4242"[:length]

    idp_config.update(SMS_CODE_GENERATOR=generate, SMS_CODE_LENGTH=4)
    return calls


def test_injected_sms_code_generator(four_digit_codes, base):
    browser = to_sms_page(base)
    assert four_digit_codes == [4]
    assert sms_codes(base) == ["4242"]
    assert browser.page.require("sms-code-input").get("maxlength") == "4"
    assert browser.submit("sms-form", {"sms-code-input": "4242"}, "sms-submit").has("consent-form")
