"""«Восстановить»: a code by phone, e-mail or SNILS, a new password; limits held by the database."""

from __future__ import annotations

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

from .conftest import ROSHCHINA, ROSHCHINA_PHONE, sms_codes

NEW = "Roshchina-2025!"


def _start(base: str, login: str) -> HttpBrowser:
    browser = HttpBrowser()
    browser.open(f"{base}/login/recovery")
    page = browser.submit("recovery-form", {"recovery-login-input": login}, "recovery-submit")
    assert page.has("recovery-code-form"), page.text()
    return browser


def _finish(browser: HttpBrowser, code: str, password: str = NEW, repeat: str | None = None):
    fields = {"recovery-code-input": code, "recovery-password-input": password,
              "recovery-password-repeat-input": password if repeat is None else repeat}  # fmt: skip
    return browser.submit("recovery-code-form", fields, "recovery-code-submit")


def _emails(base: str, address: str) -> list[dict]:
    return requests.get(f"{base}/_control/email", params={"address": address}, timeout=5).json()


def _logs_in(base: str, login: str, password: str) -> bool:
    browser = HttpBrowser()
    browser.open(f"{base}/cabinet")
    page = browser.submit("login-form", {"login-input": login, "password-input": password})
    return not page.has("login-error")


def test_recovery_by_phone_sets_a_new_password_and_ends_old_sessions(idp_server):
    base = idp_server.url
    old_session = HttpBrowser()
    old_session.open(f"{base}/cabinet")
    old_session.submit("login-form", {"login-input": ROSHCHINA["login"],
                                      "password-input": ROSHCHINA["password"]})  # fmt: skip
    old_session.submit("sms-form", {"sms-code-input": sms_codes(base)[0]})
    assert old_session.open(f"{base}/cabinet").has("cabinet-name")

    browser = _start(base, "8 (965) 123-45-75")
    assert "+7 965 *** *75" in browser.page.require("recovery-sent-to").text()
    message = requests.get(f"{base}/_control/sms", params={"phone": ROSHCHINA_PHONE},
                           timeout=5).json()[0]  # fmt: skip
    assert message["purpose"] == "recovery"
    page = _finish(browser, message["code"])
    assert page.has("recovery-done")
    assert not _logs_in(base, ROSHCHINA["login"], ROSHCHINA["password"])
    assert _logs_in(base, ROSHCHINA["login"], NEW)
    assert old_session.open(f"{base}/cabinet").has("login-form"), "the old session ended"


def test_recovery_by_email_and_by_snils_of_an_email_only_account(idp_server):
    base = idp_server.url
    browser = _start(base, "VOLKOV.igor@example.RU")
    assert "v***@example.ru" in browser.page.require("recovery-sent-to").text()
    assert _finish(browser, _emails(base, "volkov.igor@example.ru")[0]["code"]).has("recovery-done")
    browser = _start(base, "31032033078")  # his SNILS, no mobile: the code goes by e-mail
    assert "телефон или почту" in browser.page.require("recovery-sent-to").text()
    letters = _emails(base, "Volkov.Igor@Example.ru")
    assert len(letters) == 2 and letters[0]["subject"] == "Восстановление пароля на Госуслугах"
    assert _finish(browser, letters[0]["code"], "Volkov-2026!").has("recovery-done")
    assert _logs_in(base, "volkov.igor@example.ru", "Volkov-2026!")


def test_an_unknown_account_gets_the_same_answer_and_nothing_is_sent(idp_server):
    base = idp_server.url
    known, unknown = _start(base, "+7 965 123-45-75"), _start(base, "+7 999 000-00-01")
    assert (
        known.page.require("recovery-sent-to").text().replace("965", "999").replace("*75", "*01")
        == unknown.page.require("recovery-sent-to").text()
    )
    assert sms_codes(base, "+79990000001") == []
    page = _finish(unknown, "123456")
    assert page.status == 400 and "Неверный код" in page.require("recovery-code-error").text()
    snils_known = _start(base, "112-233-445 95").page.require("recovery-sent-to").text()
    snils_unknown = _start(base, "123-456-789 64").page.require("recovery-sent-to").text()
    requests.delete(f"{base}/_control/persons/1000000002", timeout=5)
    assert snils_known == snils_unknown


def test_wrong_codes_are_counted_then_even_the_right_one_is_refused(idp_server, idp_app):
    base = idp_server.url
    browser = _start(base, ROSHCHINA["login"])
    code = sms_codes(base)[0]
    wrong = "".join(str((int(c) + 1) % 10) for c in code)
    errors = [_finish(browser, wrong).require("recovery-code-error").text() for _ in range(4)]
    assert errors[:3] == ["Неверный код. Осталось попыток: 2", "Неверный код. Осталось попыток: 1",
                          "Неверный код. Попытки исчерпаны. Запросите новый код."]  # fmt: skip
    assert "попытки исчерпаны" in errors[3]
    assert "попытки исчерпаны" in _finish(browser, code).require("recovery-code-error").text()
    with idp_app.app_context():
        from gosuslugi_sandbox.idp.login.records import RecoveryCode
        from gosuslugi_sandbox.idp.runtime import db_session

        (row,) = db_session().query(RecoveryCode).all()
        assert row.attempts == 3 and row.used_at is None, "the limit caps the counter"
    assert _logs_in(base, ROSHCHINA["login"], ROSHCHINA["password"])


def test_a_weak_or_mistyped_password_spends_no_try(idp_server):
    base = idp_server.url
    browser = _start(base, ROSHCHINA["login"])
    code = sms_codes(base)[0]
    page = _finish(browser, code, "password")
    assert "заглавные латинские буквы" in page.require("recovery-code-error").text()
    page = _finish(browser, code, NEW, repeat=NEW + "x")
    assert "Пароли не совпадают" in page.require("recovery-code-error").text()
    assert _finish(browser, code).has("recovery-done")


def test_a_code_expires_is_single_use_and_a_new_one_waits(idp_server, idp_app, frozen):
    base = idp_server.url
    first_browser = _start(base, ROSHCHINA["login"])
    first = sms_codes(base)[0]
    again = HttpBrowser()
    again.open(f"{base}/login/recovery")
    page = again.submit("recovery-form", {"recovery-login-input": "89651234575"})
    assert page.status == 400 and "через 60 сек." in page.require("recovery-error").text()
    frozen.advance(61)
    second_browser = _start(base, ROSHCHINA["login"])
    second = sms_codes(base)[0]
    page = _finish(first_browser, first)
    assert "Запросите новый код" in page.require("recovery-code-error").text(), "superseded"
    frozen.advance(601)
    page = _finish(second_browser, second)
    assert "Срок действия кода истёк" in page.require("recovery-code-error").text()
    browser = _start(base, ROSHCHINA["login"])
    assert _finish(browser, sms_codes(base)[0]).has("recovery-done")
    with idp_app.app_context():
        from gosuslugi_sandbox.idp.login.records import RecoveryCode, use_code
        from gosuslugi_sandbox.idp.runtime import db_session

        rows = db_session().query(RecoveryCode).order_by(RecoveryCode.created_at).all()
        assert len(rows) == 3 and rows[0].used_at is not None and rows[2].used_at is not None
        assert not use_code(rows[2].id, rows[2].code_hash, frozen.value), "single use"


def test_recovery_ends_a_lockout(idp_server):
    base = idp_server.url
    for _ in range(5):
        _logs_in(base, ROSHCHINA["login"], "wrong")
    assert not _logs_in(base, ROSHCHINA["login"], ROSHCHINA["password"]), "locked"
    browser = _start(base, ROSHCHINA["login"])
    assert _finish(browser, sms_codes(base)[0]).has("recovery-done")
    assert _logs_in(base, ROSHCHINA["login"], NEW)
