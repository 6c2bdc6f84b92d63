"""Restart keeps keys and data; issuer and proxies; landing page and the personal cabinet."""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app

from .conftest import CALLBACK, ROSHCHINA, sms_codes


def test_restart_keeps_keys_and_data(tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path / "idp"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    app = create_app(config)
    with LiveServer(app) as server:
        jwks_before = requests.get(f"{server.url}/jwks.json", timeout=5).json()
        person = {
            "oid": 1000000077,
            "last_name": "Петров",
            "first_name": "Пётр",
            "gender": "M",
            "birth_date": "1970-01-01",
            "password": "Petrov-2024",
            "level": "confirmed",
        }
        assert requests.post(f"{server.url}/_control/persons", json=person, timeout=5).ok
    app.extensions["idp"].db.dispose()
    secret_before = app.config["SECRET_KEY"]

    again = create_app(config)
    with LiveServer(again) as server:
        assert requests.get(f"{server.url}/jwks.json", timeout=5).json() == jwks_before
        assert requests.get(f"{server.url}/_control/persons/1000000077", timeout=5).ok
    again.extensions["idp"].db.dispose()
    assert again.config["SECRET_KEY"] == secret_before
    # keys and secret live in the database (every host of a stand shares them), not on disk
    assert not (tmp_path / "idp" / "keys").exists()
    assert not (tmp_path / "idp" / "secret_key").exists()


def test_issuer_from_config_and_from_forwarded_headers(idp_config):
    app = create_app({**idp_config, "ISSUER": "https://esia.example/"})
    with LiveServer(app) as server:
        doc = requests.get(f"{server.url}/.well-known/openid-configuration", timeout=5).json()
        assert doc["issuer"] == "https://esia.example/"
    app.extensions["idp"].db.dispose()
    app = create_app({**idp_config, "INSTANCE_PATH": idp_config["INSTANCE_PATH"] + "2"})
    with LiveServer(app) as server:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "gosuslugi.test"}
        doc = requests.get(
            f"{server.url}/.well-known/openid-configuration", headers=headers, timeout=5
        ).json()
        assert doc["issuer"] == "https://gosuslugi.test"
        assert doc["token_endpoint"] == "https://gosuslugi.test/token"
    app.extensions["idp"].db.dispose()


def test_issuer_in_id_token_follows_config(idp_config):
    # the default server's tokens carry its own URL; checked in test_oidc_flow. Here: ISSUER set.
    app = create_app(
        {
            **idp_config,
            "ISSUER": "http://gosuslugi.sandbox",
            "INSTANCE_PATH": idp_config["INSTANCE_PATH"] + "3",
        }
    )
    with LiveServer(app) as server:
        client = OAuth2Session(
            "demo-es256",
            "demo-es256-secret",
            token_endpoint_auth_method="client_secret_post",
            scope="openid",
            redirect_uri=CALLBACK,
        )
        url, _ = client.create_authorization_url(f"{server.url}/authorize")
        browser = HttpBrowser(stop_at=(CALLBACK,))
        browser.open(url)
        browser.submit(
            "login-form", {"login": ROSHCHINA["login"], "password": ROSHCHINA["password"]}
        )
        browser.submit("sms-form", {"code": sms_codes(server.url)[0]})
        browser.submit("consent-form", button="consent-allow")
        token = client.fetch_token(f"{server.url}/token", authorization_response=browser.stopped_at)
        keys = KeySet.import_key_set(requests.get(f"{server.url}/jwks.json", timeout=5).json())
        claims = jwt.decode(token["id_token"], keys).claims
        assert claims["iss"] == "http://gosuslugi.sandbox"
    app.extensions["idp"].db.dispose()


def test_landing_page(idp_server):
    browser = HttpBrowser()
    page = browser.open(idp_server.url + "/")
    assert "песочница" in page.text().lower()
    for testid in ("landing-discovery", "landing-sms-inbox", "landing-person-1000000001"):
        assert page.has(testid)
    assert "Roshchina-2024" in page.require("landing-person-1000000001").text()
    assert browser.click("landing-discovery").response.json()["issuer"] == idp_server.url


def test_cabinet_login_through_the_same_pages(idp_server):
    browser = HttpBrowser()
    browser.open(idp_server.url + "/")
    page = browser.click("landing-login")
    page = browser.submit(
        "login-form",
        {"login-input": "112-233-445 95", "password-input": ROSHCHINA["password"]},
        "login-submit",
    )
    page = browser.submit("sms-form", {"sms-code-input": sms_codes(idp_server.url)[0]})
    assert page.require("cabinet-name").text() == "Рощина Елизавета Вадимовна"
    assert "23.04.1990" in page.require("cabinet-data").text()
    assert browser.open(idp_server.url + "/").has("landing-cabinet")
    page = browser.open(idp_server.url + "/cabinet")
    page = browser.click("cabinet-logout")
    assert page.has("landing-login")


def test_unknown_page_is_russian_html_and_api_errors_are_json(idp_server):
    page = HttpBrowser().open(idp_server.url + "/nowhere")
    assert page.status == 404
    assert page.require("error-message").text() == "Страница не найдена."
    token = requests.post(f"{idp_server.url}/token", data={"grant_type": "magic"}, timeout=5)
    assert token.status_code == 400 and token.json()["error"] == "unsupported_grant_type"
    control = requests.get(f"{idp_server.url}/_control/nowhere", timeout=5)
    assert control.status_code == 404 and control.json()["error"] == "not_found"
    stale = HttpBrowser().open(f"{idp_server.url}/login?interaction={secrets.token_urlsafe(8)}")
    assert stale.require("error-code").text() == "interaction_not_found"
