"""No page of either app can be framed; referrers stay home; cookies are Secure over HTTPS."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

SFERUM_CALLBACK = "http://127.0.0.1:8000/gosuslugi/callback"
AUTHORIZE = "/authorize?" + urlencode(
    {
        "response_type": "code",
        "client_id": "sferum",
        "scope": "openid fullname",
        "redirect_uri": SFERUM_CALLBACK,
        "state": "s",
    }
)


def assert_protected(response, what: str) -> None:
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""), what
    assert response.headers.get("Referrer-Policy") == "same-origin", what


def plain_get_paths(app) -> list[str]:
    """Every GET route without URL parameters (pages, documents, the control API)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    )


@pytest.mark.parametrize("which", ["idp", "rp"])
def test_every_page_refuses_frames(which, make_idp, make_rp):
    app = make_idp() if which == "idp" else make_rp(IDP_URL="http://127.0.0.1:9")
    client = app.test_client()
    paths = plain_get_paths(app)
    assert len(paths) > 10
    for path in [*paths, "/no-such-page", "/static/gosuslugi.css"]:
        response = client.get(path)
        assert_protected(response, path)
        response.close()  # static files are streamed from an open file


def test_the_login_and_consent_pages_refuse_frames(make_idp):
    client = make_idp().test_client()
    start = client.get(AUTHORIZE)
    login = client.get(start.location)
    assert 'data-testid="login-form"' in login.text
    assert_protected(login, "login page")
    assert_protected(start, "authorize redirect")


@pytest.mark.parametrize("base_url", ["https://localhost", "http://localhost"])
def test_cookies_are_secure_over_https_only(make_idp, base_url):
    client = make_idp().test_client()
    start = client.get(AUTHORIZE, base_url=base_url)
    page = client.get(start.location, base_url=base_url)
    cookies = page.headers.getlist("Set-Cookie") + start.headers.getlist("Set-Cookie")
    assert cookies, "the login page sets the session cookie"
    for cookie in cookies:
        assert ("; Secure" in cookie) == base_url.startswith("https"), cookie


def test_a_proxy_saying_https_makes_cookies_secure(make_idp):
    client = make_idp().test_client()
    start = client.get(AUTHORIZE, headers={"X-Forwarded-Proto": "https"})
    page = client.get(start.location, headers={"X-Forwarded-Proto": "https"})
    cookies = page.headers.getlist("Set-Cookie") + start.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)
