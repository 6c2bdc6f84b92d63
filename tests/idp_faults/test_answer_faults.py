"""token-response-override (the token answer reshaped after the real grant) and http-401 (the
resource edges refuse the access token), in both dialects."""

from __future__ import annotations

import requests

from .conftest import arm, esia_client, esia_tokens, verify

OID = 1000000001
INVALID_TOKEN = 'Bearer error="invalid_token"'


def remaining(base: str, fault: str) -> list[int]:
    listed = requests.get(f"{base}/_control/faults", timeout=5).json()["faults"]
    return [f["remaining"] for f in listed if f["fault"] == fault]


def test_token_response_override_sets_and_removes_members(idp, rp):
    params = {"set": {"token_type": "mac", "extra": [1]}, "remove": ["id_token"]}
    arm(idp.url, "token-response-override", client_id="sferum", params=params)
    faulty = rp.tokens()
    assert "id_token" not in faulty
    assert faulty["token_type"] == "mac" and faulty["extra"] == [1]
    # the grant itself was real: the access token it still carries works
    assert rp.userinfo(faulty["access_token"]).json()["sub"] == str(OID)
    honest = rp.tokens()
    assert verify(idp.url, honest["id_token"])["sub"] == str(OID)
    assert honest["token_type"].lower() == "bearer" and "extra" not in honest


def test_token_response_override_leaves_error_answers_and_other_clients_alone(idp, rp):
    arm(idp.url, "token-response-override", client_id="sferum", params={"body": [1, 2]})
    refused = rp.exchange("not-a-code")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert remaining(idp.url, "token-response-override") == [1]  # the use was given back
    assert rp.tokens() == [1, 2]
    assert remaining(idp.url, "token-response-override") == []


def test_token_response_override_in_the_esia_dialect(idp):
    client = esia_client(idp)
    arm(idp.url, "token-response-override", params={"remove": ["state", "access_token"]})
    faulty = esia_tokens(idp, client)
    assert "state" not in faulty and "access_token" not in faulty and faulty["id_token"]
    arm(idp.url, "token-response-override", params={"set": {"state": "other"}})
    assert esia_tokens(idp, client)["state"] == "other"
    assert esia_tokens(idp, client)["state"] != "other"


def test_http_401_at_userinfo(idp, rp):
    access = rp.tokens()["access_token"]
    arm(idp.url, "http-401", client_id="sferum")
    refused = rp.userinfo(access)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
    assert refused.headers["WWW-Authenticate"].startswith(INVALID_TOKEN)
    assert rp.userinfo(access).json()["sub"] == str(OID)


def test_http_401_at_the_person_rest(idp):
    access = esia_tokens(idp, esia_client(idp))["access_token"]
    url = f"{idp.url}/rs/prns/{OID}"
    headers = {"Authorization": f"Bearer {access}"}
    arm(idp.url, "http-401", client_id="esia-none", times=2)
    for _ in range(2):
        refused = requests.get(url, headers=headers, timeout=5)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith(INVALID_TOKEN)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
