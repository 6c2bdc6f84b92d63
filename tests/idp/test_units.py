"""Unit tests: login normalisation and lookup, SNILS checksum, phone masking, validation, keys."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.idp import clients, persons
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.shared import keys
from gosuslugi_sandbox.shared.formats import (
    login_candidates,
    mask_phone,
    normalize_snils,
    snils_checksum,
)


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("+7 965 123-45-75", "phone", "+79651234575"),
        ("89651234575", "phone", "+79651234575"),
        ("+7(965)1234575", "phone", "+79651234575"),
        (" 9651234575 ", "phone", "+79651234575"),
        ("Roshchina@Example.RU", "email", "roshchina@example.ru"),
        ("112-233-445 95", "snils", "11223344595"),
        ("11223344595", "snils", "11223344595"),
    ],
)
def test_login_candidates(typed, kind, value):
    assert any(c.kind == kind and c.value == value for c in login_candidates(typed))


def test_login_lookup_in_the_database(idp_app):
    with idp_app.app_context():
        session = idp_app.extensions["idp"].db.session
        for typed in ("+7 965 123-45-75", "89651234575", "112 233 445 95", "ROSHCHINA@example.ru"):
            assert persons.find_by_login(session, typed).oid == 1000000001
        assert persons.find_by_login(session, "volkov.igor@EXAMPLE.ru").oid == 1000000005
        assert persons.find_by_login(session, "+7 900 000-00-00") is None
        assert persons.find_by_login(session, "") is None


def test_snils_checksum():
    assert snils_checksum("112233445") == "95"
    assert normalize_snils("112-233-445 95") == "11223344595"
    with pytest.raises(ValueError):
        normalize_snils("112-233-445 96")


def test_phone_masking():
    assert mask_phone("89651234575") == "+7 965 *** *75"


def test_person_validation_names_the_field():
    with pytest.raises(persons.ValidationError) as exc:
        persons.validate({"oid": "abc"}, partial=True)
    assert exc.value.field == "oid"
    with pytest.raises(persons.ValidationError) as exc:
        persons.validate({"oid": 1})
    assert exc.value.field == "last_name"


def test_client_validation_keeps_extras_and_defaults():
    clean = clients.validate(
        {"client_id": "x", "redirect_uris": ["http://a.test/cb"], "esia_mode": "gost"}
    )
    assert clean["metadata"]["token_endpoint_auth_method"] == "none"
    assert clean["metadata"]["esia_mode"] == "gost"
    client = clients.build(clean)
    assert client.is_public and client.check_redirect_uri("http://a.test/cb")
    assert not client.check_redirect_uri("http://a.test/cb/")


def test_person_trusted_only_when_confirmed():
    assert Person(level="confirmed").trusted
    assert not Person(level="standard").trusted


def test_existing_key_file_is_not_regenerated(tmp_path, monkeypatch):
    keys.load_or_create_pem(tmp_path / "rsa.pem", "RSA")

    def fail(kind):
        raise AssertionError("generated a key although the file exists")

    monkeypatch.setattr(keys, "generate_pem", fail)
    assert keys.load_or_create_pem(tmp_path / "rsa.pem", "RSA").startswith(b"-----BEGIN")
