"""Faults outside the ID token: consent refused, IdP down, slow, garbage, bad token answers."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.harness.servers import free_port
from tests.relying_party.test_id_token_defects import refused


def test_consent_refused(rp, provider):
    provider.authorize_error = "access_denied"
    refused(rp, rp.login("123456"), "access_denied")


def test_other_authorization_error(rp, provider):
    provider.authorize_error = "server_error"
    refused(rp, rp.login("123456"), "idp_error")


def test_token_endpoint_500(rp, provider):
    provider.token_status, provider.token_body = 500, "Internal Server Error"
    refused(rp, rp.login("123456"), "idp_unavailable")


@pytest.mark.parametrize("body", ["<html>oops</html>", "[1, 2]", '{"access_token": "x"}'])
def test_token_endpoint_garbage(rp, provider, body):
    provider.token_body = body
    refused(rp, rp.login("123456"), "idp_garbage")


def test_token_invalid_grant(rp, provider):
    provider.token_status, provider.token_body = 400, '{"error": "invalid_grant"}'
    refused(rp, rp.login("123456"), "token_error")


def test_slow_token_endpoint_hits_the_bounded_timeout(make_rp, provider):
    rp = make_rp(HTTP_READ_TIMEOUT=0.3)
    provider.token_delay = 1.5
    refused(rp, rp.login("123456"), "idp_timeout")


def test_jwks_down(rp, provider):
    provider.jwks_status = 503
    refused(rp, rp.login("123456"), "idp_unavailable")


def test_userinfo_garbage(rp, provider):
    provider.userinfo_body = "not json"
    refused(rp, rp.login("123456"), "idp_garbage")


def test_unreadable_birthdate(rp, provider):
    provider.identity["birthdate"] = "31.02.1990"
    refused(rp, rp.login("123456"), "idp_garbage")


@pytest.mark.parametrize(("status", "body"), [(200, "garbage"), (500, "{}"), (404, "{}")])
def test_discovery_broken(rp, provider, status, body):
    provider.discovery_status, provider.discovery_body = status, body
    browser = rp.login("123456")
    browser.open(rp.url + "/gosuslugi/link")
    page = browser.click("gosuslugi-continue")
    assert page.status == 502
    assert page.require("error-code").text() in ("idp_garbage", "idp_unavailable")
    assert rp.user(123456)["verified"] is False


def test_idp_down(make_rp):
    rp = make_rp(IDP_URL=f"http://127.0.0.1:{free_port()}")
    browser = rp.login("123456")
    browser.open(rp.url + "/gosuslugi/link")
    page = browser.click("gosuslugi-continue")
    assert page.require("error-code").text() == "idp_unavailable"
    assert "недоступны" in page.require("message").text()
    anonymous = rp.browser()
    anonymous.open(rp.url + "/login")
    page = anonymous.click("gosuslugi-login-button")
    assert page.require("error-code").text() == "idp_unavailable"


def test_expired_attempt(make_rp, provider):
    rp = make_rp(FLOW_TTL_SECONDS=-1)
    refused(rp, rp.login("123456"), "state_expired")
