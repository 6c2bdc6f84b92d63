"""ESIA tokens of a «Эл. подпись» login say `amr` / `urn:esia:amd` "DS"; a password login "PWD"."""

from __future__ import annotations

from .conftest import ROSHCHINA
from .test_live_flow import verify_rs256


def _signature_code(client) -> str:
    client.start(client.auth_params())
    browser = client.browser
    browser.click("login-signature")
    browser.click("signature-choose-roshchina")
    page = browser.submit(
        "signature-pin-form", {"signature-pin-input": "12345678"}, "signature-pin-submit"
    )
    assert page.has("consent-form"), page.text()
    browser.submit(form="consent-form", button="consent-allow")
    return client.callback()["code"]


def test_signature_login_gives_ds_in_id_tokens_also_after_a_refresh(idp, client_factory):
    client = client_factory("esia-none", "none")
    body = client.token("authorization_code", _signature_code(client)).json()
    _, claims = verify_rs256(idp, body["id_token"])
    assert claims["amr"] == "DS" and claims["urn:esia:amd"] == "DS"
    assert claims["sub"] == ROSHCHINA["oid"]
    refreshed = client.token("refresh_token", body["refresh_token"]).json()
    _, again = verify_rs256(idp, refreshed["id_token"])
    assert again["urn:esia:amd"] == "DS"


def test_password_login_still_gives_pwd(idp, client_factory):
    client = client_factory("esia-none", "none")  # a browser of its own: no signature session
    response = client.token("authorization_code", client.code_for(ROSHCHINA))
    assert response.status_code == 200, response.text
    body = response.json()
    _, claims = verify_rs256(idp, body["id_token"])
    assert claims["amr"] == "PWD" and claims["urn:esia:amd"] == "PWD"
