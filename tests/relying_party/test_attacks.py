"""The hostile-browser table of issue 13, Sferum side: each attack replayed, each one now refused.

Rows tested elsewhere: parallel wrong passwords and reset codes, and an unknown login locked
like a known one (tests/storage/test_sferum_limits.py); the reset's one message for a wrong,
used or expired code (tests/relying_party/test_accounts.py).
"""

from __future__ import annotations

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from tests.relying_party.stack import LOGINS, PASSWORDS


def _copy(browser: HttpBrowser) -> HttpBrowser:
    """A second browser holding a copy of every cookie of the first (a stolen cookie jar)."""
    thief = HttpBrowser()
    for cookie in browser.cookies:
        thief.cookies.set_cookie(cookie)
    return thief


def test_a_copied_session_cookie_dies_at_logout(rp):
    browser = rp.login("123456")
    thief = _copy(browser)
    assert thief.open(rp.url + "/settings").has("header-user-name"), "the copy works until..."
    browser.click("logout-button")
    page = thief.open(rp.url + "/settings")
    assert page.url == rp.url + "/login" and not page.has("header-user-name")


def test_a_new_password_ends_every_other_session(rp):
    thief = _copy(rp.login("123456"))
    owner = rp.browser()
    owner.open(rp.url + "/login/forgot")
    owner.submit(form="forgot-form", fields={"forgot-login-input": LOGINS["123456"]})
    code = rp.control("GET", "/outbox").json()[0]["code"]
    fields = {"reset-code-input": code, "reset-password-input": "New-pass-123"}
    assert owner.submit(form="reset-form", fields=fields).has("flash-message")
    page = thief.open(rp.url + "/settings")
    assert page.url == rp.url + "/login"


def test_a_victims_login_cannot_link_her_identity_to_the_attackers_profile(stack):
    attacker = stack.rp.login("123457")
    idp_page = stack.rp.start_link(attacker)
    assert idp_page.url.startswith(stack.idp.url) and idp_page.has("login-form")
    victim = HttpBrowser()  # the attacker sends her the Gosuslugi URL of his attempt
    page = victim.open(idp_page.url)
    assert page.status == 403 and not page.has("login-form")
    assert page.require("error-code").text() == "foreign_browser"
    consent = attacker.open(idp_page.url.replace("/login?", "/consent?"))
    assert not consent.has("consent-form")
    assert stack.rp.user(123457)["gosuslugi_oid"] is None
    assert stack.rp.events("link") == []


def test_an_unlink_ends_every_other_session(stack):
    browser = stack.rp.login("123457")
    stack.link(browser, "dmitrieva")
    browser.click("gosuslugi-link-button")
    fields = {"gosuslugi-password-input": PASSWORDS["123457"]}
    browser.submit(form="gosuslugi-password-form", fields=fields)
    assert stack.rp.user(123457)["verified"] is True
    other = stack.rp.login("123457")  # another device, logged in with the password
    browser.open(stack.rp.url + "/settings")
    browser.click("settings-unlink-link")
    browser.click("security-gosuslugi-menu")
    browser.click("security-gosuslugi-disable")
    browser.click("unlink-confirm")
    assert stack.rp.user(123457)["gosuslugi_oid"] is None
    assert browser.open(stack.rp.url + "/settings").has("header-user-name"), "this one stays"
    assert other.open(stack.rp.url + "/settings").url == stack.rp.url + "/login"
