"""RP-initiated logout: silent only with this session's ID token; otherwise the person is asked."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from .conftest import CALLBACK
from .test_protocol_errors import exchange, pkce_url

SFERUM_HOME = "http://127.0.0.1:8000/"
DMITRIEVA = {"login": "+7 913 222-33-44", "password": "Dmitrieva-2024", "phone": "+79132223344"}


def logged_in(idp_url: str, browser) -> bool:
    """Whether the browser still has its Gosuslugi session (prompt=none gets a code)."""
    browser.stop_at = (CALLBACK, SFERUM_HOME)
    browser.open(pkce_url(idp_url, secrets.token_urlsafe(48), prompt="none"))
    return "code=" in (browser.stopped_at or "")


def id_token_of(idp_url: str, login_flow, **who) -> tuple[str, object]:
    """Log in (as Roshchina unless told otherwise); the ID token and the browser."""
    verifier = secrets.token_urlsafe(48)
    result = login_flow(pkce_url(idp_url, verifier), **who)
    return exchange(idp_url, result.code, verifier).json()["id_token"], result.browser


def test_a_page_cannot_log_the_person_out_silently(idp_server, login_flow):
    _token, browser = id_token_of(idp_server.url, login_flow)
    # <img src="https://gosuslugi/logout"> on any page the person opens
    page = browser.open(f"{idp_server.url}/logout")
    assert page.status == 200 and page.has("logout-confirm-form")
    assert logged_in(idp_server.url, browser)
    # a cross-site form posting the answer has no CSRF token
    refused = browser.request(
        "POST", f"{idp_server.url}/logout/confirm", data={"decision": "logout"}
    )
    assert refused.status == 400 and refused.require("error-code").text() == "csrf_error"
    assert logged_in(idp_server.url, browser)
    page = browser.open(f"{idp_server.url}/logout")
    done = browser.submit("logout-confirm-form", button="logout-confirm")
    assert done.has("logged-out-message")
    assert not logged_in(idp_server.url, browser)


def test_this_sessions_id_token_logs_out_at_once(idp_server, login_flow):
    id_token, browser = id_token_of(idp_server.url, login_flow)
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": "http://evil/"})
    page = browser.open(f"{idp_server.url}/logout?{query}")
    assert page.status == 400 and page.has("error-message")  # unregistered target
    assert logged_in(idp_server.url, browser)
    page = browser.open(f"{idp_server.url}/logout?{urlencode({'id_token_hint': id_token})}")
    assert page.has("logged-out-message")
    assert not logged_in(idp_server.url, browser)


def test_someone_elses_id_token_is_not_enough(idp_server, login_flow):
    roshchina_token, browser = id_token_of(idp_server.url, login_flow)
    browser.open(f"{idp_server.url}/logout?{urlencode({'id_token_hint': roshchina_token})}")
    _token, browser = id_token_of(idp_server.url, login_flow, browser=browser, **DMITRIEVA)
    page = browser.open(f"{idp_server.url}/logout?{urlencode({'id_token_hint': roshchina_token})}")
    assert page.has("logout-confirm-form")
    assert logged_in(idp_server.url, browser)


def test_confirmed_logout_returns_to_the_registered_uri(idp_server, login_flow):
    _token, browser = id_token_of(idp_server.url, login_flow)
    query = urlencode(
        {"client_id": "sferum", "post_logout_redirect_uri": SFERUM_HOME, "state": "s"}
    )
    page = browser.open(f"{idp_server.url}/logout?{query}")
    assert page.require("logout-client").text() == "Сферум"
    kept = browser.submit("logout-confirm-form", button="logout-stay")
    assert kept.has("logout-kept-message")
    assert kept.require("logout-kept-return").attrs["href"] == SFERUM_HOME
    assert logged_in(idp_server.url, browser)
    page = browser.open(f"{idp_server.url}/logout?{query}")
    browser.stop_at = (SFERUM_HOME,)
    browser.submit("logout-confirm-form", button="logout-confirm")
    assert browser.stopped_at == SFERUM_HOME + "?state=s"
    assert not logged_in(idp_server.url, browser)


def test_without_a_session_nothing_is_asked(idp_server):
    from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

    browser = HttpBrowser(stop_at=(SFERUM_HOME,))
    query = urlencode({"client_id": "sferum", "post_logout_redirect_uri": SFERUM_HOME})
    browser.open(f"{idp_server.url}/logout?{query}")
    assert browser.stopped_at == SFERUM_HOME
    assert browser.open(f"{idp_server.url}/logout").has("logged-out-message")


def test_an_id_token_from_before_a_key_rotation_still_logs_out(idp_server, login_flow):
    id_token, browser = id_token_of(idp_server.url, login_flow)
    for kty in ("RSA", "EC"):  # whichever signed it, it is retired now
        rotated = requests.post(f"{idp_server.url}/_control/keys/rotate", json={"kty": kty},
                                timeout=5)  # fmt: skip
        assert rotated.status_code == 200
    # a protocol request: this worker now signs (and would check) with the new keys
    published = requests.get(f"{idp_server.url}/jwks.json", timeout=5).json()["keys"]
    assert rotated.json()["kid"] == published[1]["kid"]
    page = browser.open(f"{idp_server.url}/logout?{urlencode({'id_token_hint': id_token})}")
    assert page.has("logged-out-message")
    assert not logged_in(idp_server.url, browser)


def test_a_hint_signed_by_a_key_the_stand_never_had_is_refused(idp_server, login_flow):
    _token, browser = id_token_of(idp_server.url, login_flow)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"})
    forged = jwt.encode({"alg": "RS256", "kid": "stranger"}, {"sub": "x", "aud": "y"}, stranger)
    page = browser.open(f"{idp_server.url}/logout?{urlencode({'id_token_hint': forged})}")
    assert page.status == 400 and page.has("error-message")
    assert logged_in(idp_server.url, browser)
