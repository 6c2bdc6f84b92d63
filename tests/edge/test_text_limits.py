"""Text PostgreSQL refuses where SQLite takes it, refused by both apps with a clear 400 on both
databases: a NUL character anywhere in a request (it used to end as a 500 wherever the value was
looked up), and a value longer than its column (a 500 at the INSERT)."""

from __future__ import annotations

import base64

import pytest

from gosuslugi_sandbox.idp import create_app as create_idp
from gosuslugi_sandbox.relying_party import create_app as create_rp
from tests.conftest import DATABASES, new_database_url

FAST_HASH = "pbkdf2:sha256:1000"
BASIC_NUL = "Basic " + base64.b64encode(b"sferum%00:secret").decode()
IDP_REQUESTS = [
    ("GET", "/authorize?response_type=code&client_id=sfe%00rum&scope=openid", {}),
    ("GET", "/login?interaction=abc%00def", {}),
    ("GET", "/aas/oauth2/v2/ac?client_id=esia%00cms&redirect_uri=x", {}),
    ("POST", "/token", {"data": {"grant_type": "authorization_code", "client_id": "a\x00b"}}),
    ("POST", "/token", {"data": {"grant_type": "refresh_token"}, "headers": {
        "Authorization": BASIC_NUL}}),
    ("POST", "/aas/oauth2/v3/te", {"data": {"client_id": "esia-cms\x00", "grant_type": "x"}}),
    ("POST", "/_control/persons", {"json": {"oid": 1, "last_name": "A\x00"}}),
    ("GET", "/_control/persons/1000000001", {"cookie": "a\x00b"}),
]  # fmt: skip
RP_REQUESTS = [
    ("POST", "/login", {"data": {"login": "+7 911 111-11-11\x00"}}),
    ("GET", "/gosuslugi/callback?code=x&state=a%00b", {}),
    ("POST", "/_control/users", {"json": {"first_name": "\x00"}}),
]


@pytest.fixture(params=DATABASES)
def apps(request, tmp_path, keys_dir):
    """The IdP and the fake Sferum, each on a fresh database of the kind."""
    idp = create_idp({"INSTANCE_PATH": str(tmp_path / "idp"), "PASSWORD_HASH_METHOD": FAST_HASH,
                      "DATABASE_URL": new_database_url(request, request.param, tmp_path, "idp"),
                      "WTF_CSRF_ENABLED": False, "KEYS_DIR": str(keys_dir)})  # fmt: skip
    rp = create_rp({"INSTANCE_PATH": str(tmp_path / "rp"), "PASSWORD_HASH_METHOD": FAST_HASH,
                    "DATABASE_URL": new_database_url(request, request.param, tmp_path, "rp"),
                    "WTF_CSRF_ENABLED": False, "IDP_URL": "http://127.0.0.1:9"})  # fmt: skip
    yield {"idp": idp, "rp": rp}
    idp.extensions["idp"].db.dispose()
    rp.extensions["database"].dispose()


def test_a_nul_anywhere_is_refused_before_any_lookup(apps):
    for name, cases in (("idp", IDP_REQUESTS), ("rp", RP_REQUESTS)):
        for method, url, kwargs in cases:
            client, options = apps[name].test_client(), dict(kwargs)  # its own cookie jar
            if "cookie" in options:
                client.set_cookie("gosuslugi_browser", options.pop("cookie"))
            answer = client.open(url, method=method, **options)
            assert answer.status_code == 400, (name, method, url, answer.status_code)
            assert answer.get_json() == {
                "error": "invalid_request",
                "error_description": "NUL character in the request",
            }, (name, url)


def test_the_same_requests_without_the_nul_are_answered_by_the_apps(apps):
    """The refusal is the NUL's: the requests themselves reach the views."""
    client = apps["idp"].test_client()
    answer = client.get("/login?interaction=abcdef")
    assert answer.status_code == 400 and "interaction_not_found" in answer.text
    form = client.post("/token", data={"grant_type": "authorization_code", "client_id": "ab"})
    assert form.get_json()["error"] == "invalid_client"
    person = client.post("/_control/persons", json={"oid": 1, "last_name": "A"})
    assert person.status_code == 400 and "NUL" not in person.get_json()["error_description"]
    page = apps["rp"].test_client().post("/login", data={"login": "+7 911 111-11-11"})
    assert page.status_code in (200, 302)


def test_a_value_longer_than_its_column_names_the_field(apps):
    person = {"oid": 1000000777, "last_name": "Я" * 101, "first_name": "А", "gender": "F",
              "birth_date": "1990-01-01", "password": "x", "level": "confirmed"}  # fmt: skip
    client = apps["idp"].test_client()
    answer = client.post("/_control/persons", json=person)
    assert answer.status_code == 400, answer.text
    assert "last_name: must be at most 100 characters" in answer.get_json()["error_description"]
    email = {**person, "last_name": "Я" * 100, "email": "a" * 200 + "@example.ru"}
    answer = client.post("/_control/persons", json=email)
    assert answer.status_code == 400 and "email" in answer.get_json()["error_description"]
    assert (
        client.post("/_control/persons", json={**person, "last_name": "Я" * 100}).status_code == 201
    )
    user = {"first_name": "Я" * 101, "last_name": "Б", "phone": "89001234567", "password": "x"}
    answer = apps["rp"].test_client().post("/_control/users", json=user)
    assert answer.status_code == 400, answer.text
    assert "first_name must be at most 100 characters" in answer.get_json()["error_description"]
