"""The SMS page counts down to «Отправить код повторно»; the server still refuses an early one.

The browser's clock is Playwright's fake clock (moved by hand, no waiting); the IdP's is moved
through the control API.
"""

from __future__ import annotations


def _to_sms_page(stand, driver) -> None:
    driver.page.clock.install()
    driver.open(stand.rp_url() + "/login")
    driver.fill({"login-input": "+7 911 111-11-11"})
    driver.click("login-continue")
    driver.fill({"password-input": "Roshchina-Sferum1"})
    driver.click("password-submit")
    driver.open(stand.rp_url() + "/gosuslugi/link")
    driver.click("gosuslugi-continue")
    driver.fill({"login-input": "+7 965 123-45-75", "password-input": "Roshchina-2024"})
    driver.click("login-submit")
    assert driver.has("sms-form"), driver.text()


def test_the_resend_button_waits_for_the_countdown(stand, make_driver):
    stand.idp.reset()
    stand.rp().reset()
    driver = make_driver()
    _to_sms_page(stand, driver)
    assert not driver.is_enabled("sms-resend")
    assert driver.value("sms-resend-seconds") == "60"
    driver.page.clock.run_for(10_000)
    assert driver.value("sms-resend-seconds") == "50"
    assert "через 50 сек." in driver.text()
    assert not driver.is_enabled("sms-resend")

    driver.page.clock.run_for(51_000)
    assert driver.is_enabled("sms-resend")
    assert not driver.has("sms-resend-wait")

    # the browser's clock ran ahead, the server's did not: the server refuses, as it must
    driver.click("sms-resend")
    assert "Запросить код повторно можно через" in driver.value("sms-error")
    assert not driver.is_enabled("sms-resend")

    stand.idp.set_clock(61)
    try:
        driver.open(driver.url.replace("/login/sms/resend", "/login/sms"))
        assert driver.is_enabled("sms-resend")
        driver.click("sms-resend")
        assert driver.value("sms-notice") == "Новый код отправлен"
        assert not driver.is_enabled("sms-resend"), "the next code has its own wait"
    finally:
        stand.idp.set_clock(0)
