"""The control APIs' request bodies: every write names a valid JSON Schema, docs/control-api.md
lists each endpoint with the schema it names, and the schemas refuse what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from gosuslugi_sandbox.idp import persons
from gosuslugi_sandbox.idp.control import bodies as idp_bodies
from gosuslugi_sandbox.relying_party.control.views import bodies as rp_bodies
from tests.paths import REPO_ROOT

DOC = REPO_ROOT / "docs" / "control-api.md"
WRITES = {"POST", "PUT", "PATCH"}
FORMS = {"control_login.login"}  # the pages' token form: CSRF-protected, not a JSON body
ROW = re.compile(r"^\| ([A-Z, ]+) \| `(/_control[^`]*)` \| (?:`([^`]+)`|—)")


def documented(app_name: str) -> set[tuple[str, str, str | None]]:
    """(method, path, schema file) of each row of the app's table in docs/control-api.md."""
    section = DOC.read_text(encoding="utf-8").split(f"### {app_name}")[1].split("\n\n")[0]
    rows = set()
    for line in section.splitlines():
        if match := ROW.match(line):
            methods, path, schema = match.groups()
            rows |= {(method.strip(), path, schema) for method in methods.split(",")}
    return rows


def routed(app) -> set[tuple[str, str, str | None]]:
    """(method, path, schema file) of each /_control route the app has."""
    rows = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/_control"):
            continue
        view = app.view_functions[rule.endpoint]
        schema_file = getattr(view, "body_schema_file", None)
        path = re.sub(r"<\w+:", "<", rule.rule)  # <int:fault_id> is <fault_id> in the docs
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method in WRITES and rule.endpoint not in FORMS:
                assert schema_file is not None, f"{method} {rule.rule} takes a body: no schema"
            repo_path = Path(str(schema_file)).relative_to(REPO_ROOT) if schema_file else None
            rows.add((method, path, repo_path and repo_path.as_posix()))
    return rows


def test_every_endpoint_is_documented_with_the_schema_it_checks(make_idp, make_rp):
    assert routed(make_idp()) == documented("IdP")
    assert routed(make_rp()) == documented("RP")


@pytest.mark.parametrize("bodies", [idp_bodies, rp_bodies], ids=["idp", "rp"])
def test_each_schema_is_a_valid_2020_12_schema_the_docs_name(bodies):
    doc = DOC.read_text(encoding="utf-8")
    for name, file in bodies.files.items():
        schema = json.loads(file.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        assert f"`{Path(str(file)).relative_to(REPO_ROOT).as_posix()}`" in doc, name


def test_the_person_schema_enumerates_what_the_idp_stores():
    fields = idp_bodies.schemas["person-update"]["properties"]
    assert tuple(fields["level"]["enum"]) == persons.LEVELS
    assert set(fields) == {*persons.FIELDS, "unlock"}
    assert set(idp_bodies.schemas["person-create"]["required"]) == set(persons.REQUIRED)


PERSON = {"oid": 5, "last_name": "И", "first_name": "И", "gender": "M", "birth_date": "1980-02-01",
          "level": "standard", "password": "x"}  # fmt: skip
NEW_USER = {"first_name": "Мария", "last_name": "Новикова", "phone": "89001234567", "password": "x"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/_control/clock", '{"offset_seconds": NaN}', "body"),  # not JSON (RFC 8259)
        ("/_control/clock", '{"offset_seconds": 1e400}', "body"),  # beyond a double
        ("/_control/clock", '{"offset_seconds": 5, "at": 1}', "at"),
        ("/_control/reset", '{"persons": []}', "persons"),
        ("/_control/persons", json.dumps({**PERSON, "unlock": True}), "unlock"),
        ("/_control/persons", '{"oid": 5, "last_name": "И"}', "first_name"),
        ("/_control/persons", "[]", "body"),
        ("/_control/clients", '{"client_id": "x", "redirect_uris": "http://a/"}', "redirect_uris"),
    ],
)
def test_the_idp_names_the_field_its_schema_refuses(make_idp, path, body, field):
    client = make_idp().test_client()
    answer = client.post(path, data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    error = answer.get_json()
    assert error["error"] == "invalid_field" and error["field"] == field
    assert error["error_description"].startswith(f"{field}: ")
    assert error["error_description"].isascii()


def test_the_rp_names_the_field_its_schema_refuses(make_rp):
    client = make_rp().test_client()
    for body, field in (
        ({**NEW_USER, "nickname": "Маша"}, "nickname"),
        ({**NEW_USER, "id": 0}, "id"),
        ({**NEW_USER, "gender": "X"}, "gender"),
        ({"first_name": "Мария", "password": "x"}, "last_name"),
    ):
        answer = client.post("/_control/users", json=body)
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "invalid_request"
        assert answer.get_json()["field"] == field
    assert client.post("/_control/reset", json={"users": []}).get_json()["field"] == "users"
    empty = client.post("/_control/reset", headers={"Content-Type": "application/json"})
    assert empty.status_code == 200  # curl -X POST …/reset -H 'Content-Type: …' (README)
    # what GET answers may be sent back (readOnly fields are ignored)
    created = client.post("/_control/users", json=NEW_USER).get_json()
    again = {**created, "id": None, "phone": "89001234568", "password": "y"}
    assert client.post("/_control/users", json=again).status_code == 201
