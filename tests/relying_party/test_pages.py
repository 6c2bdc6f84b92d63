"""Главная, Настройки, Безопасность, public profile, layout and the protocol switch."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.relying_party import create_app


def test_main_page_has_the_school_card_and_the_banner(rp):
    browser = rp.login("123457")
    page = browser.open(rp.url + "/")
    assert page.require("school-name").text() == "ГОУ СОШ № 1029"
    assert "07.09.1936" in page.require("school-card").text()
    assert "Красном проспекте" in page.require("school-description").text()
    banner = page.require("gosuslugi-banner").text()
    assert "Подключите Госуслуги" in banner
    assert "Для быстрого входа в учебный профиль и безопасности" in banner
    assert page.require("gosuslugi-banner-link").text() == "Перейти на Госуслуги"


def test_menu_only_links_what_exists(rp):
    page = rp.login("123457").open(rp.url + "/")
    for testid in ("menu-home", "menu-members", "menu-classes", "menu-requests", "menu-invites"):
        assert page.require(testid).tag == "a"
    for testid in ("menu-messages", "menu-documents", "menu-video", "menu-articles"):
        assert page.require(testid).tag == "span"
    labels = page.require("menu").text()
    for label in ("Главная", "Сообщения", "Документы", "Видео", "Статьи", "Участники", "Классы"):
        assert label in labels
    teacher = rp.login("123456").open(rp.url + "/")
    assert not teacher.has("menu-requests")


def test_unaffiliated_user_sees_how_to_join(rp):
    page = rp.login("123462").open(rp.url + "/")
    assert page.has("no-school") and page.has("gosuslugi-banner")
    assert page.require("menu-members").tag == "span"


def test_settings_form_and_security_section(rp):
    browser = rp.login("123456")
    page = browser.open(rp.url + "/settings")
    text = page.text()
    for label in (
        "Имя",
        "Фамилия",
        "Отчество",
        "Пол",
        "Дата рождения",
        "Контактный номер телефона",
        "Время доступности",
        "Перейти на Госуслуги",
    ):
        assert label in text
    assert page.require("settings-middle-name").get("value") == "Владимировна"
    assert page.require("settings-birth-date").get("value") == "23.04.1990"
    assert not page.has("settings-locked-message")
    page = browser.click("settings-security-link")
    assert "Безопасность" in page.text() and "Способы входа" in page.text()
    assert "VK ID" in page.require("login-method-vkid").text()
    assert page.require("gosuslugi-status").text() == "Не подключены"


def test_unlinked_profile_can_edit_everything(rp):
    browser = rp.login("123456")
    browser.open(rp.url + "/settings")
    page = browser.submit(
        form="settings-form",
        fields={"middle_name": "Вадимовна", "gender": "F", "birth_date": "23.04.1990"},
    )
    assert page.require("flash-message").text() == "Изменения сохранены"
    assert rp.user(123456)["middle_name"] == "Вадимовна"
    assert rp.events("profile_update")[0]["detail"]["fields"] == ["middle_name"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"first_name": ""}, "Имя"),
        ({"birth_date": "31.02.1990"}, "Дата рождения"),
        ({"contact_phone": "12345"}, "Контактный номер"),
        ({"gender": "X"}, "пол"),
    ],
)
def test_bad_profile_input_gets_a_clear_error(rp, fields, error):
    browser = rp.login("123456")
    browser.open(rp.url + "/settings")
    page = browser.submit(form="settings-form", fields=fields)
    assert error in page.require("settings-error").text()
    assert rp.user(123456)["first_name"] == "Елизавета"


def test_public_profile(rp):
    page = rp.login("123457").open(rp.url + "/profile/123456")
    assert page.require("profile-name").text() == "Елизавета Владимировна Рощина"
    assert page.require("profile-name").find(data_testid="verified-mark") is None
    assert page.require("profile-role").text() == "Учитель · Русский язык, литература"
    assert "Гимназия №1, Санкт-Петербург" in page.require("profile-organisation").text()
    assert page.require("profile-classes").text() == "4А, 4В, 4Б"
    assert page.require("profile-contacts").text() == "+7 911 111-11-11"
    assert "чт 17:00 – 20:00" in page.require("profile-availability").text()
    assert page.require("profile-user-id").text() == "123456"
    for testid in ("profile-message-button", "profile-add-contact", "profile-block"):
        assert page.has(testid)


def test_unknown_page_and_profile(rp):
    browser = rp.login("123456")
    assert browser.open(rp.url + "/profile/999").status == 404
    assert browser.open(rp.url + "/nowhere").require("error-code").text() == "not_found"


def test_unknown_protocol_fails_at_start_up(tmp_path):
    # PROTOCOL=esia start-up checks are in test_esia_config.py
    with pytest.raises(ValueError, match="unknown"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PROTOCOL": "saml"})
