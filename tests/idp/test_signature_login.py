"""«Эл. подпись»: a certificate and its PIN log the person in with amr DS, without the SMS step."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.idp.login.certificates import State, load_token
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import load_fixture

from .conftest import CALLBACK, ROSHCHINA_PHONE, finish_at_callback, sms_codes
from .test_oidc_flow import verify_id_token

SIGNATURE = FIXTURES_DIR / "signature"
PINS = {
    c["id"]: str(c["pin"]) for c in load_fixture(SIGNATURE / "certificates.yaml")["certificates"]
}


def _client() -> OAuth2Session:
    return OAuth2Session(
        client_id="demo-public", token_endpoint_auth_method="none",
        code_challenge_method="S256", scope="openid profile snils", redirect_uri=CALLBACK,
    )  # fmt: skip


def _pin_page(base: str, certificate: str) -> tuple[HttpBrowser, OAuth2Session, str]:
    client, verifier = _client(), secrets.token_urlsafe(48)
    url, _ = client.create_authorization_url(f"{base}/authorize", code_verifier=verifier)
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(url)
    browser.click("login-signature")
    browser.click(f"signature-choose-{certificate}")
    assert browser.page.has("signature-pin-form")
    return browser, client, verifier


def _enter(browser: HttpBrowser, pin: str):
    return browser.submit(
        "signature-pin-form", {"signature-pin-input": pin}, "signature-pin-submit"
    )


def test_a_valid_certificate_and_its_pin_log_in_with_amr_ds_and_no_sms(idp_server, frozen):
    base = idp_server.url
    browser, client, verifier = _pin_page(base, "roshchina")
    page = _enter(browser, PINS["roshchina"])
    assert page.has("consent-form"), page.text()
    browser.submit("consent-form", button="consent-allow")
    result = finish_at_callback(browser)
    token = client.fetch_token(
        f"{base}/token", authorization_response=result.callback, code_verifier=verifier
    )
    _, claims = verify_id_token(base, token["id_token"])
    assert claims["sub"] == "1000000001" and claims["amr"] == ["DS"]
    assert claims["auth_time"] == int(frozen.value)
    assert sms_codes(base, ROSHCHINA_PHONE) == [], "no SMS step"
    # the SSO session remembers how: a second login in this browser skips everything, still DS
    url, _ = client.create_authorization_url(f"{base}/authorize", code_verifier=verifier)
    browser.open(url)
    browser.submit("consent-form", button="consent-allow")
    token = client.fetch_token(
        f"{base}/token", authorization_response=browser.stopped_at, code_verifier=verifier
    )
    assert verify_id_token(base, token["id_token"])[1]["amr"] == ["DS"]


@pytest.mark.parametrize(
    ("certificate", "words"),
    [("roshchina-expired", "Срок действия сертификата истёк"),
     ("roshchina-revoked", "Сертификат отозван")],
)  # fmt: skip
def test_expired_and_revoked_certificates_are_refused(idp_server, certificate, words):
    browser, _, _ = _pin_page(idp_server.url, certificate)
    page = _enter(browser, PINS[certificate])
    assert page.status == 403 and words in page.require("signature-error").text()
    assert browser.open(f"{idp_server.url}/cabinet").has("login-form"), "nobody logged in"


def test_the_idp_clock_decides_what_is_expired(idp_server, frozen):
    frozen.advance(21 * 365 * 24 * 3600)  # past 01.01.2045
    browser, _, _ = _pin_page(idp_server.url, "roshchina")
    assert browser.open(browser.page.url).require("signature-chosen").text().count("истёк") == 1
    page = _enter(browser, PINS["roshchina"])
    assert "Срок действия сертификата истёк" in page.require("signature-error").text()


def test_wrong_pins_are_counted_in_the_database_then_the_pin_is_blocked(idp_server, idp_app):
    browser, _, _ = _pin_page(idp_server.url, "dmitrieva")
    messages = [_enter(browser, "00000000").require("signature-error").text() for _ in range(5)]
    assert messages[0] == "Неверный PIN-код. Осталось попыток: 2"
    assert messages[1] == "Неверный PIN-код. Осталось попыток: 1"
    assert all("PIN-код заблокирован" in m for m in messages[2:])
    page = _enter(browser, PINS["dmitrieva"])
    assert page.status == 403 and "PIN-код заблокирован" in page.require("signature-error").text()
    with idp_app.app_context():
        from gosuslugi_sandbox.idp import limits

        pins = limits.counters.state("pin:dmitrieva", limits.pin_limit())
        assert pins.count == 3, "the limit caps the counter"
    requests.post(f"{idp_server.url}/_control/reset", json={}, timeout=5).raise_for_status()
    browser, _, _ = _pin_page(idp_server.url, "dmitrieva")
    assert _enter(browser, PINS["dmitrieva"]).has("consent-form"), "a reset unblocks"


def test_a_right_pin_starts_the_count_again(idp_server):
    browser, _, _ = _pin_page(idp_server.url, "smirnov")
    _enter(browser, "00000000")
    _enter(browser, "00000000")
    assert _enter(browser, PINS["smirnov"]).has("consent-form")


def test_a_certificate_of_an_unknown_snils_or_a_locked_account_logs_nobody_in(idp_server):
    base = idp_server.url
    requests.delete(f"{base}/_control/persons/1000000003", timeout=5).raise_for_status()
    browser, _, _ = _pin_page(base, "smirnov")
    assert "не найдена" in _enter(browser, PINS["smirnov"]).require("signature-error").text()
    browser, _, _ = _pin_page(base, "roshchina")
    for _ in range(5):
        browser.open(browser.page.url.replace("/login/signature/pin", "/login"))
        browser.submit("login-form", {"login-input": "89651234575", "password-input": "x"})
    browser.click("login-signature")
    browser.click("signature-choose-roshchina")
    assert "заблокирован" in _enter(browser, PINS["roshchina"]).require("signature-error").text()


def test_unknown_certificate_is_not_found(idp_server):
    browser, _, _ = _pin_page(idp_server.url, "roshchina")
    page = browser.open(browser.page.url.replace("certificate=roshchina", "certificate=nobody"))
    assert page.status == 404


# the oracle is OpenSSL's command line, part of the Debian base system rather than the project
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command (Debian)")
def test_the_fixture_certificates_agree_with_openssl():
    token = load_token(FIXTURES_DIR)
    persons = {p["oid"]: p for p in load_fixture(FIXTURES_DIR / "persons.yaml")["persons"]}
    entries = load_fixture(SIGNATURE / "certificates.yaml")["certificates"]
    for entry in entries:
        cert = token.get(entry["id"])
        crt = SIGNATURE / f"{entry['id']}.crt.pem"
        subject = _openssl(
            "x509", "-in", crt, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus"
        )
        snils = "".join(c for c in persons[entry["person"]]["snils"] if c.isdigit())
        assert f"SNILS={snils}" in subject and cert.snils == snils
        assert persons[entry["person"]]["last_name"] in subject
        _openssl("pkey", "-in", SIGNATURE / f"{entry['id']}.key.pem", "-noout",
                 "-passin", f"pass:{entry['pin']}")  # fmt: skip
        assert cert.unlock(str(entry["pin"])) and not cert.unlock("00000000")
        verdict = subprocess.run(
            ["openssl", "verify", "-CAfile", SIGNATURE / "ca.crt.pem", "-crl_check",
             "-CRLfile", SIGNATURE / "ca.crl.pem", crt],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        openssl_says = (
            "revoked" if "revoked" in verdict.stderr + verdict.stdout
            else "expired" if "expired" in verdict.stderr + verdict.stdout
            else "valid" if verdict.returncode == 0 else verdict.stderr
        )  # fmt: skip
        ours = cert.state(time.time(), token)
        assert {State.VALID: "valid", State.REVOKED: "revoked", State.EXPIRED: "expired"}[
            ours
        ] == openssl_says, entry["id"]


def _openssl(*args) -> str:
    result = subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, text=True, check=True
    )
    return result.stdout
