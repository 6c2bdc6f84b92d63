"""Two IdP hosts of one stand: nothing shared but the database, each verifies the other's work."""

from __future__ import annotations

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer

from .conftest import CALLBACK, authorize_url, log_in, token_request

ISSUER = "http://gosuslugi.stand.test"  # the one public name behind the load balancer


@pytest.fixture
def two_hosts(database_url, tmp_path):
    """Two IdP processes' apps with their own instance directories, no key or secret given."""
    from gosuslugi_sandbox.idp import create_app

    apps = [
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / f"host{i}"),
                    "ISSUER": ISSUER, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        for i in ("a", "b")
    ]  # fmt: skip
    servers = [LiveServer(app).start() for app in apps]
    yield [s.url for s in servers]
    for server, app in zip(servers, apps, strict=True):
        server.stop()
        app.extensions["idp"].db.dispose()


def test_host_b_verifies_host_a_tokens_and_continues_its_session(two_hosts):
    host_a, host_b = two_hosts
    browser = HttpBrowser(stop_at=(CALLBACK,))
    params = log_in(browser, host_a, authorize_url(host_a))
    tokens = token_request(host_a, grant_type="authorization_code", code=params["code"],
                           redirect_uri=CALLBACK).json()  # fmt: skip

    keys = KeySet.import_key_set(requests.get(f"{host_b}/jwks.json", timeout=5).json())
    claims = jwt.decode(tokens["id_token"], keys).claims
    assert claims["iss"] == ISSUER and claims["aud"] == "demo-es256"
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = requests.get(f"{host_b}/userinfo", headers=bearer, timeout=5)
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == claims["sub"]
    refreshed = token_request(host_b, grant_type="refresh_token",
                              refresh_token=tokens["refresh_token"])  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text

    browser.stopped_at = None  # the same browser, now sent to host B: its SSO session holds
    page = browser.open(authorize_url(host_b, state="st-2", nonce="n-2"))
    assert not page.has("login-form"), "host B reads host A's session cookie and SSO row"
    if browser.stopped_at is None:
        browser.submit("consent-form", button="consent-allow")
    assert "code=" in (browser.stopped_at or "")


def test_both_hosts_serve_one_key_set(two_hosts):
    sets = [requests.get(f"{url}/jwks.json", timeout=5).json() for url in two_hosts]
    assert sets[0] == sets[1] and sets[0]["keys"]
