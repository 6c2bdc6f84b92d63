"""What the Sferum pages show a person: layout, Russian only, one spelling of dates and phones."""

from __future__ import annotations

import pytest


def test_signed_out_pages_have_the_sign_in_layout(rp):
    browser = rp.browser()
    for path in ("/login/forgot", "/no-such-page", "/gosuslugi/callback?state=stale"):
        page = browser.open(rp.url + path)
        assert page.has("auth-layout"), path
        assert not page.has("menu"), path


def test_a_refusal_keeps_its_code_for_qa_only(rp):
    page = rp.browser().open(rp.url + "/gosuslugi/callback?state=stale")
    assert page.require("error-code").text() == "state_unknown"
    assert page.require("error-code").get("data-code") == "state_unknown"
    details = page.require("dev-details")
    assert details.tag == "details" and "open" not in details.attrs
    assert "Подробности для разработчиков" in page.require("dev-details-toggle").text()
    assert "state_unknown" not in page.require("message").text()
    assert "Код:" not in page.text()


@pytest.mark.parametrize(
    ("topic", "words"),
    [
        ("transferred-data", "ФИО, пол, дата рождения и СНИЛС"),
        ("vk-id", "единая учётная запись"),
        ("privacy", "тестовые данные"),
        ("terms", "для разработки и тестирования"),
        ("help", "info@sferum.ru"),
    ],
)
def test_the_login_page_links_lead_to_real_pages(rp, topic, words):
    browser = rp.browser()
    browser.open(rp.url + "/login")
    testid = {"transferred-data": "login-transferred-data", "vk-id": "login-about-vkid"}
    if topic in testid:
        page = browser.click(testid[topic])
    else:
        page = rp.login("123456", browser).open(rp.url + "/")
        page = browser.click(f"menu-{topic}")
    assert page.status == 200 and words in page.require(f"info-{topic}").text()
    assert rp.browser().open(rp.url + "/about/nothing").status == 404


def test_what_the_sandbox_lacks_is_marked_and_explained(rp):
    page = rp.login("123456").open(rp.url + "/profile/123457")
    for testid in ("menu-messages", "menu-video", "profile-message-button", "profile-block"):
        element = page.require(testid)
        assert element.get("aria-disabled") == "true", testid
        note = page.doc.find(id=element.get("aria-describedby"))
        assert note is not None and "недоступн" in note.text(), testid
    assert "disabled" in page.require("profile-add-contact").attrs
    assert page.require("profile-block").text() == "Заблокировать Светлану"


def test_own_profile_offers_editing_and_no_blocking(rp):
    browser = rp.login("123456")
    page = browser.open(rp.url + "/profile/123456")
    assert not page.has("profile-block") and not page.has("profile-message-button")
    assert page.require("profile-edit").get("href") == "/settings"
    assert not page.has("profile-unlink-link")
    rp.link(browser, "123456")
    page = browser.open(rp.url + "/profile/123456")
    assert "отвяжите его от Госуслуг" in page.require("profile-locked-message").text()
    assert browser.click("profile-unlink-link").has("security-gosuslugi-menu")


def test_a_profile_without_a_school_has_no_empty_organisations(rp):
    page = rp.login("123462").open(rp.url + "/profile/123462")
    assert "Организации" not in page.require("profile").text()
    assert not page.has("profile-organisations")
    assert rp.login("123462").open(rp.url + "/profile/123456").has("profile-organisations")


def test_main_page_banner_on_top_and_members_counted_in_russian(rp):
    page = rp.login("123456").open(rp.url + "/")
    html = page.html
    assert html.index('data-testid="gosuslugi-banner"') < html.index('data-testid="school-card"')
    assert page.require("school-members-count").text() == "3 участника"


def test_phones_and_dates_are_spelled_one_way(rp):
    browser = rp.login("123456")
    assert (
        "+7 911 111-11-11"
        in browser.open(rp.url + "/settings/security").require("login-method-vkid").text()
    )
    browser = rp.browser()
    browser.open(rp.url + "/login")
    page = browser.submit(form="login-form", fields={"login-input": "89111111111"})
    assert page.require("login-identity").text() == "+7 911 111-11-11"
    browser = rp.login("123456")
    page = rp.start_link(browser)
    assert page.require("gosuslugi-identity-birth-date").text() == "23.04.1990"


def test_a_rejected_settings_form_keeps_the_values_and_shows_each_error_at_its_field(rp):
    browser = rp.login("123456")
    browser.open(rp.url + "/settings")
    page = browser.submit(
        form="settings-form",
        fields={"contact_phone": "12345", "birth_date": "31.02.1990", "middle_name": "Вадимовна"},
    )
    assert page.require("settings-contact-phone").get("value") == "12345"
    assert page.require("settings-birth-date").get("value") == "31.02.1990"
    assert page.require("settings-middle-name").get("value") == "Вадимовна"
    shown = page.doc.find_all(data_testid="settings-error")
    errors = {e.get("data-field"): e.text() for e in shown}
    assert set(errors) == {"contact_phone", "birth_date"}
    assert "+7 911 111-11-11" in errors["contact_phone"]
    assert page.require("settings-contact-phone").get("aria-invalid") == "true"
    label = page.require("settings-birth-date").closest("label")
    assert label.find(data_testid="settings-error").get("data-field") == "birth_date"
    assert rp.user(123456)["middle_name"] == "Владимировна", "nothing was saved"


def test_the_mark_spells_itself_out_in_lists(rp):
    browser = rp.login("123457")
    page = rp.link(browser, "123457")
    assert page.require("flash-message").text() == "Профиль подтвержден через Госуслуги"
    page = browser.open(rp.url + "/schools/2/members")
    mark = page.require("member-123457").find(data_testid="verified-mark")
    assert "full" in mark.get("class") and "Профиль подтвержден через Госуслуги" in mark.text()
    header_mark = page.require("header-user").find(data_testid="verified-mark")
    assert header_mark.get("aria-label") == "Профиль подтвержден через Госуслуги"
