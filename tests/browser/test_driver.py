"""The browser driver itself: label lookup, typing, status, read-only fields, exchanges."""

from __future__ import annotations

from pathlib import Path

import pytest

from gosuslugi_sandbox.harness.drivers.http_browser import PageError
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.relying_party import create_app as create_rp
from tests.harness.driver_cases import DISABLED_CASES, NESTED_LABEL


def login(driver, stand, phone="+7 911 111-11-11", password="Roshchina-Sferum1"):
    driver.open(stand.rp_url() + "/login")
    driver.fill({"login-input": phone})
    driver.click("Продолжить")
    driver.fill({"password-input": password})
    driver.click("password-submit")


def test_click_by_label_type_and_read(stand, make_driver):
    driver = make_driver()
    driver.open(stand.rp_url() + "/login")
    assert driver.status() == 200
    assert driver.has("gosuslugi-login-button")
    assert "Вход в «Сферум»" in driver.text()
    driver.fill({"login": "+7 911 111-11-11"})  # by input name, like the HTTP driver
    assert driver.value("login-input") == "+7 911 111-11-11"
    driver.click("Продолжить")
    assert driver.url.endswith("/login/password")
    assert driver.value("login-identity") == "+7 911 111-11-11"
    with pytest.raises(PageError, match="nothing named 'Войти через ВК'"):
        driver.click("Войти через ВК")
    with pytest.raises(PageError, match="no field 'nope'"):
        driver.fill({"nope": "x"})


def test_status_of_the_main_document_and_exchanges(stand, make_driver):
    driver = make_driver()
    driver.open(stand.rp_url() + "/no-such-page")
    assert driver.status() == 404
    # the code is for QA, in the collapsed developer details: not shown, but in the page
    assert driver.attribute("error-code", "data-code") == "not_found"
    assert driver.value("error-code") == ""
    assert "not_found" not in driver.text()
    login(driver, stand)
    assert driver.status() == 200
    exchanges = driver.recent_exchanges()
    assert any("POST" in x and "/login/password -> 302" in x for x in exchanges), exchanges


def test_a_disabled_control_cannot_be_pressed_and_a_link_is_followed(stand, make_driver):
    driver = make_driver()
    login(driver, stand)
    with pytest.raises(PageError, match=r"'aside-call' .* is disabled: a person cannot press it"):
        driver.click("aside-call")  # an inactive control of the sandbox: a disabled button
    with pytest.raises(PageError, match="is disabled"):
        driver.click("Начать звонок")  # found by its label, the same button
    url = driver.url
    driver.click("Настройки")  # a link: the driver waits for the next page
    assert driver.url != url and driver.has("settings-gosuslugi-link")


def test_chromium_reads_disabled_and_labels_as_the_http_driver_does(make_driver):
    """The oracle of tests/harness/test_http_driver.py's cases: Chromium's own `:disabled`."""
    driver = make_driver()
    driver.page.set_content(DISABLED_CASES)
    read = driver.page.evaluate(
        "() => [...document.querySelectorAll('[data-testid]')]"
        ".map((el) => [el.dataset.testid, el.matches(':disabled'), el.dataset.disabled === '1'])"
    )
    assert [(testid, chromium) for testid, chromium, _ in read] == [
        (testid, expected) for testid, _, expected in read
    ]
    driver.page.set_content(NESTED_LABEL)
    assert driver._click_target("Продолжить")[0] == "the-button"


def test_a_wrong_password_shows_a_visible_error(stand, make_driver):
    driver = make_driver()
    login(driver, stand, password="wrong-password")
    assert driver.has("password-error")
    assert "Неверный логин или пароль" in driver.text()


def test_sessions_have_their_own_cookies(stand, make_driver):
    first, second = make_driver(), make_driver()
    login(first, stand)
    second.open(stand.rp_url() + "/settings")
    assert second.url.endswith("/login"), second.url
    first.open(stand.rp_url() + "/settings")
    assert first.has("settings-form")


def test_hidden_text_is_not_read_and_screenshots_are_pngs(stand, make_driver, tmp_path):
    driver = make_driver()
    driver.open(stand.rp_url() + "/login")
    path = driver.screenshot("login")
    assert path == str(tmp_path / "screens" / "login.png")
    assert (tmp_path / "screens" / "login.png").read_bytes()[:4] == b"\x89PNG"
    driver.page.evaluate(
        "document.querySelector('[data-testid=login-about-vkid]').style.display = 'none'"
    )
    assert not driver.has("login-about-vkid")
    assert "Подробнее о VK ID" not in driver.text()


def test_a_page_no_step_touched_is_pictured_once(stand, make_driver, tmp_path):
    driver = make_driver()
    driver.open(stand.rp_url() + "/login")
    first = Path(driver.save_screenshot(tmp_path / "first.png"))
    driver.page.evaluate("document.body.style.background = 'red'")  # not a step: not seen
    again = Path(driver.screenshot("again"))
    assert again.read_bytes() == first.read_bytes()  # the same picture, not taken again
    driver.fill({"login-input": "+7 911"})
    typed = Path(driver.screenshot("typed"))
    assert typed.read_bytes() != again.read_bytes()
    driver.open(stand.rp_url() + "/no-such-page")
    closed = Path(driver.screenshot("closed"))
    driver.click("dev-details-toggle")  # no navigation, yet the page shows more
    assert Path(driver.screenshot("opened")).read_bytes() != closed.read_bytes()


def test_testids_by_prefix_and_within_a_container(stand, make_driver):
    driver = make_driver()
    login(driver, stand)
    menu = driver.testids("menu-")
    assert menu[:2] == ["menu-home", "menu-messages"] and "menu-settings" in menu
    assert driver.has_within("header-user", "header-user-name")
    assert not driver.has_within("header-user", "verified-mark")


def test_chromium_asks_for_a_stylesheet_once_across_page_loads(make_driver, tmp_path):
    """Static files are named by content and may be kept (gosuslugi_sandbox.shared.static_files):
    the server sees the stylesheet asked for once in three page loads."""
    app = create_rp({"INSTANCE_PATH": str(tmp_path), "IDP_URL": "http://127.0.0.1:9"})
    asked: list[str] = []
    serve = app.wsgi_app

    def counting(environ, start_response):
        asked.append(environ["PATH_INFO"])
        return serve(environ, start_response)

    app.wsgi_app = counting
    server = LiveServer(app).start()
    try:
        driver = make_driver()
        for _ in range(3):
            driver.open(server.url + "/login")
    finally:
        server.stop()
    assert asked == ["/login", "/static/sferum.css", "/login", "/login"]
