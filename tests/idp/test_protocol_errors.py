"""Protocol error paths: code reuse, PKCE, redirect URIs, prompt, max_age, SSO."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

from .conftest import CALLBACK


def pkce_url(base: str, verifier: str, **extra) -> str:
    params = {
        "response_type": "code",
        "client_id": "demo-public",
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": "st",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{base}/authorize?{urlencode(params)}"


def exchange(base: str, code: str, verifier: str | None):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": "demo-public",
    }
    if verifier:
        data["code_verifier"] = verifier
    return requests.post(f"{base}/token", data=data, timeout=5)


def test_reused_code_is_refused_and_revokes_its_tokens(idp_server, login_flow):
    verifier = secrets.token_urlsafe(48)
    code = login_flow(pkce_url(idp_server.url, verifier)).code
    first = exchange(idp_server.url, code, verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    second = exchange(idp_server.url, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    info = requests.get(
        f"{idp_server.url}/userinfo", headers={"Authorization": f"Bearer {access}"}, timeout=5
    )
    assert info.status_code == 401


def test_wrong_or_missing_verifier(idp_server, login_flow):
    verifier = secrets.token_urlsafe(48)
    code = login_flow(pkce_url(idp_server.url, verifier)).code
    wrong = exchange(idp_server.url, code, secrets.token_urlsafe(48))
    assert wrong.json()["error"] == "invalid_grant"
    missing = exchange(idp_server.url, code, None)
    assert missing.json()["error"] == "invalid_request"


def test_code_expires_after_60_seconds(idp_server, login_flow, frozen):
    verifier = secrets.token_urlsafe(48)
    code = login_flow(pkce_url(idp_server.url, verifier)).code
    frozen.advance(61)
    assert exchange(idp_server.url, code, verifier).json()["error"] == "invalid_grant"


def test_code_bound_to_redirect_uri_and_client(idp_server, login_flow):
    verifier = secrets.token_urlsafe(48)
    code = login_flow(pkce_url(idp_server.url, verifier)).code
    other_uri = requests.post(
        f"{idp_server.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK + "/other",
            "client_id": "demo-public",
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert other_uri.json()["error"] == "invalid_grant"
    other_client = requests.post(
        f"{idp_server.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "demo-es256",
            "client_secret": "demo-es256-secret",
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert other_client.json()["error"] == "invalid_grant"


def test_public_client_needs_s256(idp_server):
    base = idp_server.url
    browser = HttpBrowser(stop_at=(CALLBACK,))
    params = {"response_type": "code", "client_id": "demo-public", "redirect_uri": CALLBACK}
    browser.open(f"{base}/authorize?{urlencode({**params, 'scope': 'openid', 'state': 'x'})}")
    assert "error=invalid_request" in browser.stopped_at and "state=x" in browser.stopped_at
    plain = {**params, "scope": "openid", "code_challenge": "a" * 43}
    browser.open(f"{base}/authorize?{urlencode({**plain, 'code_challenge_method': 'plain'})}")
    assert "error=invalid_request" in browser.stopped_at


def test_unknown_redirect_uri_and_client_get_an_error_page(idp_server):
    browser = HttpBrowser(stop_at=(CALLBACK, "http://evil.example"))
    for client_id, uri in (
        ("demo-es256", "http://evil.example/cb"),
        ("demo-es256", CALLBACK + "/"),  # exact match only
        ("no-such-client", CALLBACK),
    ):
        query = {"response_type": "code", "client_id": client_id, "redirect_uri": uri}
        page = browser.open(f"{idp_server.url}/authorize?{urlencode({**query, 'scope': 'openid'})}")
        assert browser.stopped_at is None
        assert page.status == 400
        assert page.has("error-message") and page.has("error-code")


def test_prompt_none_without_session_is_login_required(idp_server):
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(pkce_url(idp_server.url, secrets.token_urlsafe(48), prompt="none"))
    assert "error=login_required" in browser.stopped_at


def test_sso_skips_password_and_prompt_none_works(idp_server, login_flow, frozen):
    first = login_flow(pkce_url(idp_server.url, secrets.token_urlsafe(48)))
    browser = first.browser
    frozen.advance(30)
    # a second authorization: straight to consent, no password, no SMS
    page = browser.open(pkce_url(idp_server.url, secrets.token_urlsafe(48)))
    assert page.has("consent-form")
    # prompt=none with a session and an earlier consent: a code at once
    verifier = secrets.token_urlsafe(48)
    browser.open(pkce_url(idp_server.url, verifier, prompt="none", nonce="n2"))
    assert "code=" in browser.stopped_at
    code = browser.stopped_at.split("code=")[1].split("&")[0]
    token = exchange(idp_server.url, code, verifier).json()
    assert "id_token" in token


def test_prompt_login_and_max_age_force_a_new_login(idp_server, login_flow, frozen):
    browser = login_flow(pkce_url(idp_server.url, secrets.token_urlsafe(48))).browser
    assert browser.open(pkce_url(idp_server.url, "x" * 43, prompt="login")).has("login-form")
    frozen.advance(120)
    assert browser.open(pkce_url(idp_server.url, "x" * 43, max_age="60")).has("login-form")
    assert browser.open(pkce_url(idp_server.url, "x" * 43, max_age="600")).has("consent-form")


def test_resumed_interaction_cannot_be_replayed(idp_server, login_flow):
    result = login_flow(pkce_url(idp_server.url, secrets.token_urlsafe(48)))
    resume = next(e.url for e in result.browser.history if "/authorize/resume" in e.url)
    page = result.browser.open(resume)
    assert page.status == 400
    assert page.require("error-code").text() == "interaction_not_found"


def test_a_nonce_is_used_once_per_client(idp_server, login_flow):
    nonce = secrets.token_urlsafe(12)

    def url() -> str:
        return pkce_url(idp_server.url, secrets.token_urlsafe(48), nonce=nonce)

    waiting = login_flow(url(), consent=None)  # on the consent page: no code has the nonce yet
    assert login_flow(url()).params["code"]  # a second authorization with it gets a code
    # the first one carries a used nonce now: its resume refuses it (OIDC Core 3.1.2.1)
    waiting.browser.submit("consent-form", button="consent-allow")
    refused = parse_qs(urlsplit(waiting.browser.stopped_at).query)
    assert refused["error"] == ["invalid_request"] and refused["state"] == ["st"]
    assert "code" not in refused
    # and a third is refused at /authorize already
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(url())
    assert parse_qs(urlsplit(browser.stopped_at).query)["error"] == ["invalid_request"]
