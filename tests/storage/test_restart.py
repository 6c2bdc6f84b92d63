"""A stand started again with other settings: fixture registrations follow, QA's data stays."""

from __future__ import annotations

from gosuslugi_sandbox.idp import create_app

QA_CLIENT = {
    "client_id": "qa-portal",
    "client_secret": "qa-secret",
    "redirect_uris": ["http://127.0.0.1:7000/cb"],
    "scope": "openid fullname",
}


def _start(database_url: str, instance, sferum_url: str):
    config = {"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
              "SFERUM_URL": sferum_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # fmt: skip
    return create_app(config)


def _stop(app) -> None:
    app.extensions["idp"].db.dispose()


def test_a_new_rp_port_updates_the_sferum_client_and_keeps_qas_data(database_url, tmp_path):
    first = _start(database_url, tmp_path / "one", "http://127.0.0.1:8000")
    with first.test_client() as client:
        assert client.post("/_control/clients", json=QA_CLIENT).status_code == 201
        person = {"oid": 1000000077, "last_name": "Тестова", "first_name": "Анна",
                  "gender": "F", "birth_date": "1990-01-01", "password": "Testova-2024",
                  "level": "confirmed", "mobile": "+7 999 000-00-77"}  # fmt: skip
        assert client.post("/_control/persons", json=person).status_code == 201
    _stop(first)

    again = _start(database_url, tmp_path / "two", "http://127.0.0.1:8100")  # RP_PORT=8100
    with again.test_client() as client:
        sferum = client.get("/_control/clients/sferum").get_json()
        assert sferum["redirect_uris"], sferum
        assert all(uri.startswith("http://127.0.0.1:8100/") for uri in sferum["redirect_uris"])
        assert client.get("/_control/clients/qa-portal").status_code == 200
        assert client.get("/_control/persons/1000000077").status_code == 200
    _stop(again)
