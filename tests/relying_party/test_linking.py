"""The five linking steps, sync, mark, locked fields, unlink and login via Gosuslugi (the real
fake Gosuslugi, signed in as Рощина unless a test names another person)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit


def test_step_one_explains_what_is_transferred(rp):
    browser = rp.login("123456")
    page = browser.open(rp.url + "/")
    assert page.has("gosuslugi-banner")
    assert "Подключите Госуслуги" in page.text()
    page = browser.click("gosuslugi-banner-link")
    assert "Передаваемые данные" in page.text()
    for item in ("name", "gender", "birth-date", "snils"):
        assert page.has(f"gosuslugi-transfer-{item}")
    assert page.has("gosuslugi-continue")


def test_authorization_request_uses_pkce_s256_and_fresh_state_and_nonce(rp, oidc):
    browser = rp.login("123456")
    rp.start_link(browser)
    rp.start_link(browser)
    first, second = oidc.tap.all("/authorize")
    for req in (first, second):
        assert req["code_challenge_method"] == "S256"
        assert len(req["code_challenge"]) == 43
        assert req["client_id"] == "sferum"
        assert req["response_type"] == "code"
        assert "openid" in req["scope"].split()
        assert req["redirect_uri"] == rp.url + "/gosuslugi/callback"
    assert first["state"] != second["state"]
    assert first["nonce"] != second["nonce"]
    assert first["code_challenge"] != second["code_challenge"]
    scheme, credentials = oidc.tap.all("/token")[0]["authorization"].split()
    assert scheme == "Basic"
    assert base64.b64decode(credentials) == b"sferum:sferum-secret"


def test_mismatch_is_shown_side_by_side_and_synced(rp):
    browser = rp.login("123456")
    page = rp.start_link(browser)
    assert "Рощина Елизавета Вадимовна" in page.require("gosuslugi-identity-name").text()
    page = browser.click("gosuslugi-link-button")
    assert "Введите пароль от VK ID" in page.text()
    assert page.has("gosuslugi-forgot-password")
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": "Roshchina-Sferum1"}
    )
    assert "Если данные не совпадают, синхронизируйте их" in page.text()
    row = page.require("sync-row-middle_name")
    assert row.get("data-differs") == "true"
    assert page.require("sync-sferum-middle_name").text() == "Владимировна"
    assert page.require("sync-gosuslugi-middle_name").text() == "Вадимовна"
    assert page.require("sync-row-last_name").get("data-differs") == "false"
    assert rp.user(123456)["verified"] is False  # nothing written before the last step
    page = browser.click("sync-submit")
    assert page.url.endswith("/settings")
    assert page.require("header-user").find(data_testid="verified-mark") is not None
    assert "Вы не можете редактировать данные" in page.require("settings-locked-message").text()
    assert page.has("settings-unlink-link")
    user = rp.user(123456)
    assert user["middle_name"] == "Вадимовна"
    assert user["verified"] is True and user["gosuslugi_oid"] == "1000000001"
    kinds = [e["kind"] for e in rp.events() if e["user_id"] == 123456]
    assert kinds[-2:] == ["sync", "link"]
    assert rp.events("sync")[0]["detail"]["fields"] == ["middle_name"]


def test_identical_data_links_without_the_table(rp):
    browser = rp.login("123457")
    page = rp.link(browser, "123457", person="dmitrieva")
    assert not page.has("sync-table")
    assert page.has("settings-locked-message")
    assert rp.user(123457)["verified"] is True
    assert rp.events("sync") == []
    assert len(rp.events("link")) == 1
    page = browser.open(rp.url + "/")
    assert not page.has("gosuslugi-banner")


def test_cancel_at_the_sync_table_links_nothing(rp):
    browser = rp.login("123456")
    page = rp.link(browser, "123456", sync=False)
    assert "Профиль не связан" in page.text()
    user = rp.user(123456)
    assert user["verified"] is False
    assert user["middle_name"] == "Владимировна"
    assert rp.events("link") == []


def test_wrong_vk_password_links_nothing(rp):
    browser = rp.login("123456")
    rp.start_link(browser)
    browser.click("gosuslugi-link-button")
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": "wrong"}
    )
    assert page.require("gosuslugi-password-error").text() == "Неверный пароль"
    assert rp.user(123456)["verified"] is False
    assert rp.events("link") == []
    # The sync table cannot be reached by URL either.
    page = browser.open(rp.url + "/gosuslugi/sync")
    assert page.require("error-code").text() == "flow_lost"
    page = browser.open(rp.url + "/gosuslugi/password")
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": "Roshchina-Sferum1"}
    )
    assert page.has("sync-table")


def test_forged_post_to_locked_fields_is_refused(rp):
    browser = rp.login("123456")
    rp.link(browser, "123456")
    page = browser.open(rp.url + "/settings")
    assert "readonly" in page.require("settings-first-name").attrs
    page = browser.submit(form="settings-form", fields={"first_name": "Мария"})
    assert page.status == 403
    assert "Вы не можете редактировать данные" in page.require("message").text()
    assert rp.user(123456)["first_name"] == "Елизавета"
    page = browser.open(rp.url + "/settings")
    page = browser.submit(
        form="settings-form", fields={"birth_date": "1991-01-01", "contact_phone": "89110000000"}
    )
    assert page.status == 403
    user = rp.user(123456)
    assert user["birth_date"] == "1990-04-23" and user["contact_phone"] == "+7 911 111-11-11"
    # Contact phone and availability stay editable.
    page = browser.open(rp.url + "/settings")
    page = browser.submit(
        form="settings-form",
        fields={"contact_phone": "89112223344", "availability": "пн 9:00 – 12:00"},
    )
    assert page.require("flash-message").text() == "Изменения сохранены"
    user = rp.user(123456)
    assert user["contact_phone"] == "+7 911 222-33-44"
    assert user["availability"] == "пн 9:00 – 12:00"


def test_unlink_then_edit_then_link_again(rp):
    browser = rp.login("123456")
    rp.link(browser, "123456")
    page = browser.open(rp.url + "/settings")
    page = browser.click("settings-unlink-link")
    assert "Способы входа" in page.text()
    assert page.require("gosuslugi-status").text() == "Подключены"
    page = browser.click("security-gosuslugi-menu")
    page = browser.click("security-gosuslugi-disable")
    assert page.has("unlink-confirm")
    page = browser.click("unlink-confirm")
    assert page.require("gosuslugi-status").text() == "Не подключены"
    assert page.require("header-user").find(data_testid="verified-mark") is None
    assert rp.user(123456)["verified"] is False
    assert len(rp.events("unlink")) == 1
    page = browser.open(rp.url + "/settings")
    assert "readonly" not in page.require("settings-first-name").attrs
    page = browser.submit(form="settings-form", fields={"middle_name": "Владимировна"})
    assert rp.user(123456)["middle_name"] == "Владимировна"
    page = rp.link(browser, "123456")
    assert rp.user(123456)["verified"] is True


def test_login_via_gosuslugi_only_for_linked_profiles(rp):
    anonymous = rp.browser()
    anonymous.open(rp.url + "/login")
    page = rp.through_idp(anonymous, anonymous.click("gosuslugi-login-button"))
    assert page.require("error-code").text() == "not_linked"
    assert "Настройки" in page.require("message").text()
    assert rp.events("login") == []

    browser = rp.login("123456")
    rp.link(browser, "123456")
    browser.click("logout-button")
    other = rp.browser()
    other.open(rp.url + "/login")
    page = rp.through_idp(other, other.click("gosuslugi-login-button"))
    assert page.url == rp.url + "/"
    assert page.require("header-user-name").text() == "Елизавета Рощина"
    logins = rp.events("login")
    assert logins[-1]["detail"] == {"method": "gosuslugi"}
    assert logins[-1]["oid"] == "1000000001"

    page = other.open(rp.url + "/settings/security/gosuslugi/disable")
    other.click("unlink-confirm")
    third = rp.browser()
    third.open(rp.url + "/login")
    page = rp.through_idp(third, third.click("gosuslugi-login-button"))
    assert page.require("error-code").text() == "not_linked"


def test_unconfirmed_account_is_refused_with_advice(rp):
    browser = rp.login("123456")
    page = rp.start_link(browser, person="smirnov")  # a standard, unconfirmed account
    assert page.status == 400
    assert page.require("error-code").text() == "not_trusted"
    assert "не подтверждена" in page.require("message").text()
    assert "центре обслуживания" in page.require("message").text()
    assert rp.user(123456)["verified"] is False


def test_second_profile_cannot_link_the_same_account(rp):
    first = rp.login("123456")
    rp.link(first, "123456")
    second = rp.login("123457")
    page = rp.start_link(second)
    assert page.require("error-code").text() == "already_linked"
    assert "уже связана с другим профилем" in page.require("message").text()
    assert rp.user(123457)["verified"] is False
    assert len(rp.events("link")) == 1


def test_replayed_and_foreign_callbacks_are_refused(rp):
    browser = rp.login("123456")
    rp.start_link(browser)
    callback = next(e.url for e in browser.history if "/gosuslugi/callback" in e.url)
    page = browser.open(callback)
    assert page.require("error-code").text() == "state_unknown"
    page = browser.open(rp.url + "/gosuslugi/callback?code=x&state=made-up")
    assert page.require("error-code").text() == "state_unknown"
    # Another browser (an attacker's session) cannot use this browser's state either.
    attacker = rp.login("123457")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    page = attacker.open(rp.url + f"/gosuslugi/callback?code=x&state={state}")
    assert page.require("error-code").text() == "state_unknown"
    assert rp.events("link") == []


def test_linked_profile_shows_the_mark_to_others(rp):
    admin = rp.login("123457")
    rp.link(admin, "123457", person="dmitrieva")
    viewer = rp.login("123458")
    page = viewer.open(rp.url + "/profile/123457")
    assert page.require("profile-name").find(data_testid="verified-mark") is not None
    assert "Профиль подтвержден через Госуслуги" in page.text()
    page = viewer.open(rp.url + "/schools/2/members")
    assert page.require("member-123457").find(data_testid="verified-mark") is not None
    assert page.require("member-123458").find(data_testid="verified-mark") is None


def test_forgot_password_at_step_five_returns_to_the_flow(rp):
    browser = rp.login("123456")
    rp.start_link(browser)
    browser.click("gosuslugi-link-button")
    page = browser.click("gosuslugi-forgot-password")
    assert page.require("forgot-login-input").get("value") == "+79111111111"
    browser.submit(form="forgot-form")
    code = rp.control("GET", "/outbox").json()[0]["code"]
    page = browser.submit(
        form="reset-form", fields={"reset-code-input": code, "reset-password-input": "Fresh-pass-9"}
    )
    assert page.url == rp.url + "/gosuslugi/password"
    page = browser.submit(
        form="gosuslugi-password-form", fields={"gosuslugi-password-input": "Fresh-pass-9"}
    )
    assert page.has("sync-table")
