"""Person faults: `sms-blocked` and `account-locked` set the real blocks a relying party meets."""

from __future__ import annotations

import requests

from .conftest import ROSHCHINA


def _person(base: str) -> dict:
    return requests.get(f"{base}/_control/persons/{ROSHCHINA['oid']}", timeout=5).json()


def _password_step(rp):
    rp.browser.open(rp.authorize_url())
    return rp.browser.submit(
        "login-form",
        {"login-input": ROSHCHINA["login"], "password-input": ROSHCHINA["password"]},
        "login-submit",
    )


def _arm(base: str, fault: str, **params) -> requests.Response:
    body = {"fault": fault, "params": {"oid": str(ROSHCHINA["oid"]), **params}}
    return requests.post(f"{base}/_control/faults", json=body, timeout=5)


def test_sms_blocked_stops_the_person_at_the_sms_step_until_unlocked(idp, rp):
    answer = _arm(idp.url, "sms-blocked", seconds=600)
    assert answer.status_code == 201, answer.text
    assert answer.json()["person"]["sms_blocked"] is True
    page = _password_step(rp)
    error = page.require("sms-error").text()
    assert "Подтверждение по СМС временно заблокировано" in error and "10 мин" in error
    assert not page.has("consent-form")
    unlock = {"unlock": True}
    url = f"{idp.url}/_control/persons/{ROSHCHINA['oid']}"
    assert requests.put(url, json=unlock, timeout=5).status_code == 200
    assert _person(idp.url)["sms_blocked"] is False
    assert "code" in rp.login(rp.authorize_url())


def test_account_locked_refuses_even_the_right_password(idp, rp):
    assert _arm(idp.url, "account-locked").status_code == 201
    page = _password_step(rp)
    assert "Вход временно заблокирован" in page.require("login-error").text()
    assert not page.has("sms-form")
    assert _person(idp.url)["locked"] is True
    requests.post(f"{idp.url}/_control/reset", json={}, timeout=5).raise_for_status()
    assert _person(idp.url)["locked"] is False, "a reset ends the block"


def test_a_person_fault_for_nobody_is_404(idp):
    assert _arm(idp.url, "sms-blocked", oid="999999999").status_code == 404
    body = {"fault": "account-locked", "params": {"oid": 10**20}}
    assert requests.post(f"{idp.url}/_control/faults", json=body, timeout=5).status_code == 404
