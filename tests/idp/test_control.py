"""The control API: persons, clients, SMS outbox, reset, clock, token and off switch."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests

from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app

CALLBACK = "http://127.0.0.1:5555/callback"


def authorize_url(base: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": "demo-es256",
            "scope": "openid",
            "redirect_uri": CALLBACK,
        }
    )
    return f"{base}/authorize?{query}"


NEW_PERSON = {
    "oid": 1000000042,
    "last_name": "Иванов",
    "first_name": "Иван",
    "middle_name": "Иванович",
    "gender": "M",
    "birth_date": "01.02.1980",
    "snils": "123-456-789 64",
    "mobile": "8 (999) 111-22-33",
    "email": "Ivanov@Example.ru",
    "password": "Ivanov-2024",
    "level": "standard",
}


def api(server, method: str, path: str, **kwargs):
    return requests.request(method, f"{server.url}/_control{path}", timeout=5, **kwargs)


def test_health(idp_server):
    assert api(idp_server, "GET", "/health").json() == {"status": "ok"}


def test_persons_list_and_read(idp_server):
    persons = api(idp_server, "GET", "/persons").json()
    assert [p["oid"] for p in persons][:5] == [1000000001 + i for i in range(5)]
    roshchina = api(idp_server, "GET", "/persons/1000000001").json()
    assert roshchina["middle_name"] == "Вадимовна"
    assert roshchina["mobile"] == "+79651234575"
    assert "password" not in roshchina and "password_hash" not in roshchina
    assert api(idp_server, "GET", "/persons/999").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("snils", "123-456-789 00"),
        ("mobile", "12345"),
        ("gender", "X"),
        ("level", "gold"),
        ("birth_date", "31.02.1990"),
        ("email", "not-an-email"),
        ("inn", "123"),
        ("hobby", "chess"),
    ],
)
def test_bad_person_field_is_named(idp_server, field, value):
    person = {**NEW_PERSON, "snils": "140-150-160 87", field: value}
    response = api(idp_server, "POST", "/persons", json=person)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_person_create_update_delete_and_login(idp_server, login_flow):
    snils_taken = api(idp_server, "POST", "/persons", json=NEW_PERSON)
    assert snils_taken.status_code == 409 and snils_taken.json()["field"] == "snils"
    person = {**NEW_PERSON, "snils": "100-200-300 30"}
    created = api(idp_server, "POST", "/persons", json=person)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["mobile"] == "+79991112233" and body["email"] == "ivanov@example.ru"
    assert body["birth_date"] == "1980-02-01"
    assert api(idp_server, "POST", "/persons", json=person).status_code == 409
    updated = api(idp_server, "PUT", "/persons/1000000042", json={"level": "confirmed"})
    assert updated.json()["level"] == "confirmed" and updated.json()["trusted"] is True
    bad = api(idp_server, "PUT", "/persons/1000000042", json={"gender": "?"})
    assert bad.status_code == 400 and bad.json()["field"] == "gender"
    assert api(idp_server, "GET", "/persons/1000000042").json()["gender"] == "M"
    result = login_flow(
        authorize_url(idp_server.url),
        login="8 999 111 22 33",
        password="Ivanov-2024",
        phone="+79991112233",
    )
    assert result.code
    assert api(idp_server, "DELETE", "/persons/1000000042").status_code == 200
    assert api(idp_server, "GET", "/persons/1000000042").status_code == 404


def test_unlock_through_put(idp_server, idp_app):
    from gosuslugi_sandbox.idp import limits
    from gosuslugi_sandbox.idp.runtime import db_session

    with idp_app.app_context():
        limits.block_person(1000000003, "password", 900)
        limits.block_person(1000000003, "sms", 900)
        db_session().commit()
    person = api(idp_server, "GET", "/persons/1000000003").json()
    assert person["locked"] is True and person["sms_blocked"] is True
    unlocked = api(idp_server, "PUT", "/persons/1000000003", json={"unlock": True}).json()
    assert unlocked["locked"] is False and unlocked["sms_blocked"] is False


def test_clients_keep_rfc7591_and_extra_fields(idp_server):
    client = {
        "client_id": "qa-client",
        "client_secret": "qa-secret",
        "redirect_uris": ["http://127.0.0.1:7000/cb"],
        "post_logout_redirect_uris": ["http://127.0.0.1:7000/"],
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "scope": "openid email",
        "id_token_signed_response_alg": "ES256",
        "esia_signature_mode": "none",  # cms/gost need a certificate the sandbox can verify
        "esia_check_scope": False,
    }
    created = api(idp_server, "POST", "/clients", json=client)
    assert created.status_code == 201, created.text
    assert api(idp_server, "GET", "/clients/qa-client").json() == client
    assert any(c["client_id"] == "sferum" for c in api(idp_server, "GET", "/clients").json())
    changed = {**client, "redirect_uris": ["http://127.0.0.1:7000/other"]}
    assert api(idp_server, "PUT", "/clients/qa-client", json=changed).json() == changed
    assert api(idp_server, "DELETE", "/clients/qa-client").status_code == 200
    assert api(idp_server, "GET", "/clients/qa-client").status_code == 404


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"redirect_uris": []}, "redirect_uris"),
        ({"redirect_uris": ["not a url"]}, "redirect_uris"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "token_endpoint_auth_method"),
        (
            {"client_secret": None, "token_endpoint_auth_method": "client_secret_basic"},
            "client_secret",
        ),
        ({"grant_types": ["password"]}, "grant_types"),
        ({"id_token_signed_response_alg": "HS256"}, "id_token_signed_response_alg"),
        ({"scope": "email"}, "scope"),
    ],
)
def test_bad_client_field_is_named(idp_server, patch, field):
    client = {
        "client_id": "bad",
        "client_secret": "x",
        "redirect_uris": ["http://127.0.0.1:7000/cb"],
        "scope": "openid",
        **patch,
    }
    response = api(idp_server, "POST", "/clients", json=client)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_sms_outbox_by_any_phone_spelling(idp_server, login_flow):
    login_flow(
        f"{idp_server.url}/authorize?response_type=code&client_id=sferum&scope=openid"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fgosuslugi%2Fcallback",
        consent=None,
    )
    for spelling in ("+7 965 123-45-75", "89651234575", "+7(965)1234575"):
        messages = api(idp_server, "GET", "/sms", params={"phone": spelling}).json()
        assert len(messages) == 1
        assert set(messages[0]) == {"phone", "code", "purpose", "sent_at"}
        assert messages[0]["phone"] == "+79651234575" and messages[0]["purpose"] == "login"
    assert api(idp_server, "GET", "/sms", params={"phone": "abc"}).json()["field"] == "phone"
    inbox = requests.get(f"{idp_server.url}/_control/sms/inbox", timeout=5)
    assert messages[0]["code"] in inbox.text and "text/html" in inbox.headers["Content-Type"]


def test_sms_outbox_limit_keeps_the_newest(idp_server, login_flow):
    url = (
        f"{idp_server.url}/authorize?response_type=code&client_id=sferum&scope=openid"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fgosuslugi%2Fcallback"
    )
    login_flow(url, consent=None)
    login_flow(url, consent=None)
    every = api(idp_server, "GET", "/sms", params={"phone": "89651234575"}).json()
    newest = api(idp_server, "GET", "/sms", params={"phone": "89651234575", "limit": 1}).json()
    assert len(every) == 2 and newest == every[:1]
    for bad in ("0", "201", "-1", "one"):
        answer = api(idp_server, "GET", "/sms", params={"limit": bad})
        assert answer.status_code == 400 and answer.json()["field"] == "limit"


def test_reset_goes_back_to_fixtures(idp_server):
    api(idp_server, "DELETE", "/persons/1000000001")
    api(idp_server, "POST", "/clock", json={"offset_seconds": 100})
    assert api(idp_server, "POST", "/reset", json={}).json() == {"status": "ok"}
    assert api(idp_server, "GET", "/persons/1000000001").status_code == 200
    assert api(idp_server, "GET", "/clock").json()["offset_seconds"] == 0


def test_clock_offset_moves_expiry(idp_server, login_flow):
    bad = api(idp_server, "POST", "/clock", json={"offset_seconds": "soon"})
    assert bad.status_code == 400 and bad.json()["field"] == "offset_seconds"
    code = login_flow(authorize_url(idp_server.url)).code
    token = requests.post(
        f"{idp_server.url}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=("demo-es256", "demo-es256-secret"),
        timeout=5,
    )
    assert token.status_code == 401  # demo-es256 registered client_secret_post
    code = login_flow(authorize_url(idp_server.url)).code
    api(idp_server, "POST", "/clock", json={"offset_seconds": 61})
    expired = requests.post(
        f"{idp_server.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "demo-es256",
            "client_secret": "demo-es256-secret",
        },
        timeout=5,
    )
    assert expired.json()["error"] == "invalid_grant"
    assert api(idp_server, "GET", "/clock").json()["offset_seconds"] == 61


@pytest.fixture
def make_server(idp_config):
    servers = []

    def start(**config):
        app = create_app({**idp_config, **config})
        server = LiveServer(app).start()
        servers.append((server, app))
        return server

    yield start
    for server, app in servers:
        server.stop()
        app.extensions["idp"].db.dispose()


def test_control_token_required_when_set(make_server):
    server = make_server(CONTROL_TOKEN="t0ken")
    assert api(server, "GET", "/health").status_code == 200
    assert api(server, "GET", "/persons").status_code == 401
    wrong = api(server, "GET", "/persons", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = api(server, "GET", "/persons", headers={"Authorization": "Bearer t0ken"})
    assert ok.status_code == 200


def test_control_off_answers_404_but_health(make_server):
    server = make_server(CONTROL="off")
    assert api(server, "GET", "/health").json() == {"status": "ok"}  # docs/contract.md
    for path in ("/persons", "/sms/inbox", "/report", "/faults", "/login", "/nothing"):
        assert api(server, "GET", path).status_code == 404
    assert api(server, "POST", "/reset", json={}).status_code == 404
