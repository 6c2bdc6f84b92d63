"""What another team writes with only the `gosuslugi` pytest plugin (the README's example).

Nothing here imports the sandbox's apps: the plugin starts the fake Gosuslugi and hands over
its URL and control API.
"""

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

REDIRECT_URI = "http://127.0.0.1:7000/callback"


def test_my_app_logs_in_a_new_person(gosuslugi):
    person = gosuslugi.add_person(
        oid=1000000777,
        last_name="Иванов",
        first_name="Иван",
        middle_name="Иванович",
        gender="M",
        birth_date="1980-02-01",
        snils="510-520-530 13",
        mobile="+7 999 111-22-33",
        email="ivanov@example.ru",
        password="Ivanov-2024",
        level="confirmed",
    )
    gosuslugi.add_client(
        client_id="my-app",
        client_secret="my-secret",
        redirect_uris=[REDIRECT_URI],
        scope="openid fullname birthdate snils",
        token_endpoint_auth_method="client_secret_basic",
    )
    meta = gosuslugi.metadata()
    client = OAuth2Session(
        "my-app",
        "my-secret",
        scope="openid fullname birthdate snils",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    url, _state = client.create_authorization_url(
        meta["authorization_endpoint"], nonce="n-0S6_WzA2Mj", code_verifier=verifier
    )

    callback = gosuslugi.sign_in(url, login=person.mobile, password="Ivanov-2024")

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=5).json())
    claims = jwt.decode(token["id_token"], keys).claims
    assert claims["iss"] == gosuslugi.issuer
    assert claims["aud"] == "my-app"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sub"] == "1000000777"
    assert claims["family_name"] == "Иванов"
    assert claims["snils"] == "510-520-530 13"
    assert claims["trusted"] is True
    assert gosuslugi.sms_messages(person.mobile)[0]["purpose"] == "login"


def test_each_test_starts_from_the_fixtures(gosuslugi):
    oids = {p["oid"] for p in gosuslugi.persons()}
    assert 1000000777 not in oids  # added by the test above, gone after the reset
    assert 1000000001 in oids


def test_a_refusing_person(gosuslugi):
    gosuslugi.add_client(
        client_id="my-app",
        client_secret="my-secret",
        redirect_uris=[REDIRECT_URI],
        scope="openid fullname",
        token_endpoint_auth_method="client_secret_basic",
    )
    client = OAuth2Session(
        "my-app", "my-secret", scope="openid fullname", redirect_uri=REDIRECT_URI
    )
    url, _ = client.create_authorization_url(gosuslugi.metadata()["authorization_endpoint"])
    callback = gosuslugi.sign_in(
        url, login="+7 965 123-45-75", password="Roshchina-2024", consent="deny"
    )
    assert "error=access_denied" in callback


def test_the_fake_sferum_fixture_is_wired_to_the_same_gosuslugi(sferum, gosuslugi):
    from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser

    sferum.add_user(
        last_name="Новикова",
        first_name="Мария",
        phone="89001234567",
        password="Novikova-1",
        role="teacher",
    )
    browser = HttpBrowser(stop_at=(gosuslugi.url,))
    browser.open(f"{sferum.url}/login")
    browser.submit("login-form", {"login": "89001234567"}, "login-continue")
    page = browser.submit("password-form", {"password": "Novikova-1"}, "password-submit")
    assert page.has("logout-button")
    browser.open(f"{sferum.url}/gosuslugi/link")
    browser.click("gosuslugi-continue")
    # «Продолжить» leads to the very IdP the `gosuslugi` fixture controls
    assert browser.stopped_at.startswith(f"{gosuslugi.url}/authorize?")
    assert "client_id=sferum" in browser.stopped_at
    assert [e["kind"] for e in sferum.events()] == ["login"]


def test_every_url_has_the_stands_scheme(gosuslugi, pytestconfig):
    # `pytest --gosuslugi-tls` serves both fakes over HTTPS; this module runs both ways
    scheme = "https://" if pytestconfig.getoption("gosuslugi_tls") else "http://"
    meta = gosuslugi.metadata()
    assert meta["issuer"] == gosuslugi.issuer and gosuslugi.url.startswith(scheme)
    urls = [v for k, v in meta.items() if k.endswith(("_endpoint", "_uri"))]
    assert urls and all(u.startswith(scheme) for u in urls)
