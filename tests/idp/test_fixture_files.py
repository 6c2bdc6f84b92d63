"""PERSONS_FILES / CLIENTS_FILES: a team's own fixture files extend or replace the shipped ones."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.idp.fixtures import read_fixtures
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import FixtureError

PERSON = """\
  - oid: {oid}
    last_name: {last_name}
    first_name: Анна
    middle_name: Петровна
    gender: F
    birth_date: 1991-02-03
    snils: {snils}
    mobile: {mobile}
    password: Team-2024
    level: confirmed
"""
SFERUM = {"SFERUM_URL": "http://127.0.0.1:8000"}  # the shipped clients.yaml needs it


def person(oid, last_name, snils="111-222-333 72", mobile="+7 900 555-44-33"):
    return PERSON.format(oid=oid, last_name=last_name, snils=snils, mobile=mobile)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_default_is_the_shipped_files():
    persons, clients = read_fixtures(SFERUM)
    assert persons[0]["oid"] == 1000000001
    assert "sferum" in {c["client_id"] for c in clients}


def test_a_later_file_adds_persons_and_replaces_one_with_the_same_oid(tmp_path):
    replacing = person(1000000002, "Заменённая", "111-222-334 73", "+7 900 555-44-34")
    team = write(
        tmp_path / "persons.yaml", "persons:\n" + person(1000000900, "Командная") + replacing
    )
    files = [str(FIXTURES_DIR / "persons.yaml"), team]
    persons, _ = read_fixtures({**SFERUM, "PERSONS_FILES": files})
    by_oid = {p["oid"]: p for p in persons}
    assert by_oid[1000000900]["last_name"] == "Командная"
    assert by_oid[1000000002]["last_name"] == "Заменённая"
    assert by_oid[1000000001]["last_name"] == "Рощина"
    assert [p["oid"] for p in persons][:2] == [1000000001, 1000000002]  # replaced in its place


def test_a_single_file_replaces_the_shipped_persons(tmp_path):
    team = write(tmp_path / "p.yaml", "persons:\n" + person(1000000900, "К"))
    persons, clients = read_fixtures({**SFERUM, "PERSONS_FILES": team})  # one file: a string
    assert [p["oid"] for p in persons] == [1000000900]
    assert "sferum" in {c["client_id"] for c in clients}  # the clients are still the shipped ones


def test_the_same_oid_twice_in_one_file_is_an_error_naming_file_and_entry(tmp_path):
    team = write(tmp_path / "p.yaml", "persons:\n" + person(1000000900, "К") * 2)
    with pytest.raises(
        FixtureError, match=r"p\.yaml: persons entry 1: oid 1000000900 appears twice"
    ):
        read_fixtures({"PERSONS_FILES": [team]})


def test_two_persons_with_one_mobile_are_refused_before_anything_is_stored(tmp_path):
    team = write(tmp_path / "p.yaml", "persons:\n" + person(1000000900, "К")
                 + person(1000000901, "Л", snils="111-222-334 73"))  # fmt: skip
    with pytest.raises(FixtureError, match=r"mobile: already used by person 1000000900"):
        read_fixtures({"PERSONS_FILES": [team]})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("persons: {}\n", "expected a mapping with a `persons:` list"),
        ("- 1\n", "expected a mapping with a `persons:` list"),
        ("persons:\n  - oid: x\n", r"persons entry 0: "),
    ],
)
def test_a_malformed_team_file_names_itself(tmp_path, text, message):
    team = write(tmp_path / "bad.yaml", text)
    with pytest.raises(FixtureError, match=r"bad\.yaml.*" + message):
        read_fixtures({"PERSONS_FILES": [team]})


def test_a_team_client_certificate_is_read_beside_its_clients_file(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "team.crt.pem").write_bytes(
        (FIXTURES_DIR / "esia" / "gost-client.crt.pem").read_bytes()
    )
    team = write(
        tmp_path / "clients.yaml",
        "clients:\n  - client_id: team-esia\n    redirect_uris: [http://127.0.0.1:7100/cb]\n"
        "    token_endpoint_auth_method: none\n    esia_signature_mode: gost\n"
        "    esia_certificate_file: keys/team.crt.pem\n"
        "  - client_id: team-shipped-cert\n    redirect_uris: [http://127.0.0.1:7100/cb]\n"
        "    token_endpoint_auth_method: none\n    esia_signature_mode: gost\n"
        "    esia_certificate_file: esia/gost-client.crt.pem\n",
    )
    _, clients = read_fixtures({"CLIENTS_FILES": [team]})
    meta = {c["client_id"]: c["metadata"] for c in clients}
    assert meta["team-esia"]["esia_certificate_file"] == str(tmp_path / "keys" / "team.crt.pem")
    # not beside the team's file: left relative, read from the shipped fixtures
    assert meta["team-shipped-cert"]["esia_certificate_file"] == "esia/gost-client.crt.pem"
