"""Person REST shapes built from a Person-like object."""

from datetime import date
from types import SimpleNamespace

from gosuslugi_sandbox.idp.esia import person as rest


def make_person(level="confirmed"):
    return SimpleNamespace(
        oid=1000000001,
        last_name="Рощина",
        first_name="Елизавета",
        middle_name="Вадимовна",
        gender="F",
        birth_date=date(1990, 4, 23),
        birth_place="г. Санкт-Петербург",
        citizenship="RUS",
        snils="11223344595",
        inn="780123456724",
        mobile="+79651234575",
        email="roshchina@example.ru",
        trusted=level == "confirmed",
        documents=[
            {
                "type": "RF_PASSPORT",
                "series": "4010",
                "number": "123456",
                "issue_date": "2010-05-12",
                "issue_id": "780-012",
                "issued_by": "ТП №12",
            }
        ],
        addresses=[
            {
                "type": "PRG",
                "zip_code": "190000",
                "region": "Санкт-Петербург",
                "city": "Санкт-Петербург",
                "street": "Невский проспект",
                "house": "10",
                "flat": "15",
            }
        ],
    )


def test_root_fields_follow_scopes():
    body = rest.root(make_person(), {"openid", "fullname", "birthdate", "gender", "snils"})
    assert body["stateFacts"] == ["EntityRoot"]
    assert body["firstName"] == "Елизавета" and body["birthDate"] == "23.04.1990"
    assert body["snils"] == "112-233-445 95" and body["gender"] == "F"
    assert body["trusted"] is True and body["status"] == "REGISTERED" and body["eTag"]
    assert "inn" not in body
    assert rest.root(make_person("standard"), {"fullname"})["trusted"] is False
    assert "firstName" not in rest.root(make_person(), {"snils"})


def test_collections_plain_and_embedded():
    p = make_person()
    plain = rest.collection("ctts", p, {"mobile", "email"}, "http://x", embed=False)
    assert plain["stateFacts"] == ["hasSize"] and plain["size"] == 2
    assert plain["elements"] == [
        "http://x/rs/prns/1000000001/ctts/1",
        "http://x/rs/prns/1000000001/ctts/2",
    ]
    inline = rest.collection("ctts", p, {"mobile"}, "http://x", embed=True)
    assert inline["size"] == 1
    assert inline["elements"][0]["value"] == "+7(965)1234575"
    assert inline["elements"][0]["type"] == "MBT" and inline["elements"][0]["vrfStu"] == "VERIFIED"
    doc = rest.documents(p)[0]
    assert doc["issueDate"] == "12.05.2010" and doc["series"] == "4010" and doc["id"] == 1
    assert rest.documents(make_person("simplified"))[0]["vrfStu"] == "NOT_VERIFIED"
    addr = rest.addresses(p)[0]
    assert addr["zipCode"] == "190000" and addr["addressStr"] == "Санкт-Петербург, Невский проспект"


def test_embed_parsing_and_root_embed():
    assert rest.parse_embed("(contacts.elements,documents.elements)") == {
        "contacts.elements",
        "documents.elements",
    }
    assert rest.parse_embed("(elements)") == {"elements"}
    body = rest.root_with_embed(
        make_person(),
        {"fullname", "contacts", "id_doc"},
        "http://x",
        rest.parse_embed("(contacts.elements,documents.elements,addresses.elements)"),
    )
    assert body["contacts"]["elements"][0]["type"] == "MBT"
    assert body["documents"]["size"] == 1
    assert "addresses" not in body  # no `addresses` scope


def test_scope_gates():
    assert rest.can_read_root({"fullname"}) and not rest.can_read_root({"openid", "mobile"})
    assert rest.can_read_collection("ctts", {"email"})
    assert not rest.can_read_collection("addrs", {"fullname"})
    assert rest.can_read_collection("docs", {"id_doc"})
