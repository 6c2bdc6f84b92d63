"""The hostile-browser table of issue 13, IdP side: each attack replayed, each one now refused.

The rows tested elsewhere: parallel wrong SMS codes over many logins
(tests/storage/test_idp_single_use.py), the control API from a web page and DNS rebinding
(tests/edge/test_control_guard.py), `GET /logout` (tests/idp/test_logout.py), odd
`response_type` values (tests/edge/test_no_500.py), frames (tests/edge/test_headers.py).
"""

from __future__ import annotations

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

from .conftest import ROSHCHINA, sms_codes
from .test_login_errors import authorize_url, base, open_login, submit_password, to_sms_page

__all__ = ["base"]  # the fixture, imported for this module's tests

BLOCKED = "Подтверждение по СМС временно заблокировано"


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _enter(browser: HttpBrowser, code: str):
    return browser.submit("sms-form", {"sms-code-input": code}, "sms-submit")


def test_a_login_link_sent_to_somebody_else_leads_nowhere(base, login_flow):
    her_browser = login_flow(authorize_url(base)).browser  # she has a Gosuslugi session
    attacker = open_login(base)
    for victim in (HttpBrowser(), her_browser):
        page = victim.open(attacker.page.url)
        assert page.status == 403 and not page.has("login-form")
        assert "начат в другом браузере" in page.require("error-message").text()
        assert page.require("error-code").text() == "foreign_browser"
    consent = attacker.open(attacker.page.url.replace("/login?", "/consent?"))
    assert not consent.has("consent-form"), "nobody logged in there: nothing to allow"


def test_three_wrong_codes_and_a_resend_over_and_over_ends_in_a_block(base, frozen):
    browser = to_sms_page(base)
    answers = []
    for _ in range(6):  # the attack: three wrong codes, wait, ask for a new code
        for _ in range(3):
            answers.append(_enter(browser, _wrong(sms_codes(base)[0])).require("sms-error").text())
        frozen.advance(61)
        browser.click("sms-resend")
    compared = [a for a in answers if a.startswith("Неверный код") or BLOCKED in a]
    assert BLOCKED in answers[9] and all(BLOCKED in a for a in answers[9:])
    assert len([a for a in compared if a.startswith("Неверный код")]) == 9  # SMS_MAX_WRONG - 1
    page = _enter(browser, sms_codes(base)[0])
    assert BLOCKED in page.require("sms-error").text(), "even the right code is refused"
    person = requests.get(f"{base}/_control/persons/1000000001", timeout=5).json()
    assert person["sms_blocked"] is True


def test_a_new_login_does_not_reset_the_persons_wrong_codes(base):
    for _ in range(3):  # three logins, three wrong codes each, one more on a fourth
        browser = to_sms_page(base)
        for _ in range(3):
            _enter(browser, _wrong(sms_codes(base)[0]))
    browser = to_sms_page(base)
    page = _enter(browser, _wrong(sms_codes(base)[0]))
    assert BLOCKED in page.require("sms-error").text()
    page = _enter(to_sms_page(base), sms_codes(base)[0])
    assert BLOCKED in page.require("sms-error").text()


def test_resends_are_capped_per_login(base, frozen):
    browser = to_sms_page(base)
    notices = []
    for _ in range(6):
        frozen.advance(61)
        page = browser.click("sms-resend")
        notices.append(page.has("sms-notice"))
    assert notices == [True] * 5 + [False]  # SMS_RESENDS_PER_LOGIN
    assert "Превышено количество запросов кода" in browser.page.require("sms-error").text()
    assert len(sms_codes(base)) == 6  # the first code and five resends, nothing more


def test_an_unknown_login_is_locked_and_answered_like_a_known_one(base):
    known, unknown = open_login(base), open_login(base)
    answers = {}
    for name, browser, login in (
        ("known", known, ROSHCHINA["login"]),
        ("unknown", unknown, "+7 900 000-00-00"),
    ):
        pages = [submit_password(browser, "nope", login=login) for _ in range(6)]
        answers[name] = [(p.status, p.require("login-error").text()) for p in pages]
    assert answers["known"] == answers["unknown"]
    assert "заблокирован" in answers["unknown"][-1][1]
