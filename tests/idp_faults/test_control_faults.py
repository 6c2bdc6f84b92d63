"""/_control/faults: validation (400 with the valid names), listing, clearing, reset, guard."""

from __future__ import annotations

import pytest
import requests

from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app

from .conftest import arm, report


def post(base: str, body) -> requests.Response:
    return requests.post(f"{base}/_control/faults", json=body, timeout=5)


BAD = [
    ({"fault": "no-such-fault"}, "unknown fault"),
    ({}, "fault: is required"),
    ({"fault": "invalid-iss", "times": 0}, "times"),
    ({"fault": "invalid-iss", "times": "2"}, "times"),
    ({"fault": "invalid-iss", "times": 1001}, "times"),
    ({"fault": "invalid-iss", "client_id": "nobody"}, "client_id"),
    ({"fault": "invalid-iss", "endpoint": "token"}, "takes no endpoint"),
    ({"fault": "invalid-iss", "params": {"x": 1}}, "takes no params"),
    ({"fault": "invalid-iss", "colour": "red"}, "colour: unknown field"),
    ({"fault": "discovery-issuer-mismatch", "client_id": "sferum"}, "omit client_id"),
    ({"fault": "http-500"}, "needs endpoint"),
    ({"fault": "http-500", "endpoint": "logout"}, "needs endpoint"),
    ({"fault": "drop", "endpoint": "jwks", "client_id": "sferum"}, "omit client_id"),
    ({"fault": "delay", "endpoint": "token"}, "seconds"),
    ({"fault": "delay", "endpoint": "token", "seconds": 0}, "seconds must be"),
    ({"fault": "delay", "endpoint": "token", "params": {"seconds": 6}}, "IDP_FAULT_MAX_DELAY"),
    ({"fault": "delay", "endpoint": "token", "seconds": True}, "seconds"),
    ({"fault": "claims-override"}, "needs params"),
    ({"fault": "claims-override", "params": {"set": []}}, "object of claim names"),
    ({"fault": "claims-override", "params": {"remove": "sub"}}, "list of claim names"),
    ({"fault": "claims-override", "params": {"set": {"x": "y" * 9000}}}, "under 8192 bytes"),
    ({"fault": "token-response-override"}, "needs params"),
    ({"fault": "token-response-override", "params": {"set": 1}}, "object of member names"),
    ({"fault": "token-response-override", "params": {"body": 1, "set": {}}}, "body alone"),
    ({"fault": "access-token-claims-override", "params": {"remove": 1}}, "list of claim names"),
    ({"fault": "access-token-claims-override", "params": {"body": 1}}, "needs params"),
    ({"fault": "token-header-override"}, "params: is required"),
    ({"fault": "token-header-override", "params": {}}, "params"),
    ({"fault": "token-header-override", "params": {"key": "mine"}}, "must be one of idp"),
    ({"fault": "token-header-override", "params": {"token": "refresh"}}, "must be one of id"),
    ({"fault": "token-header-override", "params": {"set": {"x": "y" * 9000}}}, "8192 bytes"),
    ({"fault": "document-override", "params": {"text": "x"}}, "needs endpoint"),
    (
        {"fault": "document-override", "endpoint": "jwks", "params": {"text": "\ud800"}},
        "valid Unicode",
    ),
    ({"fault": "claims-override", "params": {"set": {"\ud800": 1}}}, "valid Unicode"),
    ({"fault": "document-override", "endpoint": "token"}, "params: is required"),
    (
        {"fault": "document-override", "endpoint": "token", "params": {"body": 1, "text": "x"}},
        "params",
    ),
    ({"fault": "document-override", "endpoint": "token", "params": {"status": 199}}, "at least"),
    ({"fault": "document-override", "endpoint": "token", "params": {"status": 600}}, "at most"),
    (
        {
            "fault": "document-override",
            "endpoint": "token",
            "params": {"text": "x", "content_type": "text/html\r\nX: y"},
        },
        "must match",
    ),
    (
        {
            "fault": "document-override",
            "endpoint": "certificate",
            "client_id": "sferum",
            "params": {"certificate": {}},
        },
        "omit client_id",
    ),
    (
        {
            "fault": "document-override",
            "endpoint": "certificate",
            "params": {"certificate": {"key": "idp", "days": 5000}},
        },
        "at most",
    ),
    ({"fault": "http-401", "endpoint": "userinfo"}, "takes no endpoint"),
    ({"fault": "http-401", "params": {"x": 1}}, "takes no params"),
    ({"fault": "sms-blocked"}, "needs params"),
    ({"fault": "sms-blocked", "params": {"oid": "x"}}, "needs params"),
    ({"fault": "account-locked", "params": {"oid": 1, "seconds": -1}}, "seconds must be"),
    ({"fault": "account-locked", "params": {"oid": 1, "why": 1}}, "oid and seconds only"),
    ({"fault": "sms-blocked", "params": {"oid": 1}, "times": 2}, "takes no client_id or times"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_requests_get_400_with_the_valid_names(idp, body, message):
    response = post(idp.url, body)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid_fault"
    assert message in data["error_description"]
    assert data["error_description"].isascii()
    assert "invalid-iss" in data["valid_faults"] and "drop" in data["valid_faults"]
    assert len(data["valid_faults"]) == 35
    assert data["endpoints"] == [
        "authorize", "token", "userinfo", "jwks", "person", "discovery", "certificate",
    ]  # fmt: skip
    assert requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"] == []


def test_not_json_is_refused(idp):
    response = requests.post(f"{idp.url}/_control/faults", data="fault=drop", timeout=5)
    assert response.status_code == 415  # a form could send that: writes are JSON only
    response = requests.post(
        f"{idp.url}/_control/faults",
        data="fault=drop",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400 and "JSON object" in response.json()["error_description"]


def test_list_delete_one_and_all(idp, rp):
    first = arm(idp.url, "invalid-iss", client_id="sferum", times=2)
    second = arm(idp.url, "delay", endpoint="token", params={"seconds": 0.01})
    assert first["remaining"] == 2 and second["params"] == {"seconds": 0.01}
    listed = requests.get(f"{idp.url}/_control/faults", timeout=5).json()
    assert [f["id"] for f in listed["faults"]] == [first["id"], second["id"]]
    assert {a["fault"] for a in listed["available"]} >= {"invalid-iss", "drop", "access-denied"}
    rp.tokens()
    remaining = {
        f["fault"]: f["remaining"]
        for f in requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"]
    }
    assert remaining == {"invalid-iss": 1}  # the delay was used up too
    gone = requests.delete(f"{idp.url}/_control/faults/{first['id']}", timeout=5)
    assert gone.status_code == 200
    assert requests.delete(f"{idp.url}/_control/faults/{first['id']}", timeout=5).status_code == 404
    arm(idp.url, "drop", endpoint="jwks", times=5)
    cleared = requests.delete(f"{idp.url}/_control/faults", timeout=5).json()
    assert cleared == {"status": "cleared", "removed": 1}
    assert requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"] == []


def test_reset_clears_faults_and_recordings(idp, rp):
    arm(idp.url, "missing-sub", times=3)
    rp.tokens()
    assert report(idp.url, "sferum")["state-present"] == "pass"
    requests.post(f"{idp.url}/_control/reset", json={}, timeout=10)
    assert requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"] == []
    assert report(idp.url, "sferum")["state-present"] == "not_observed"
    assert requests.get(f"{idp.url}/_control/report?format=json", timeout=5).json() == {
        "clients": []
    }


def test_control_token_guards_faults_and_report(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t", "CONTROL_TOKEN": "qa-token",
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )  # fmt: skip
    auth = {"Authorization": "Bearer qa-token"}
    with LiveServer(app) as server:
        base = server.url
        assert post(base, {"fault": "drop", "endpoint": "jwks"}).status_code == 401
        assert requests.get(f"{base}/_control/faults", timeout=5).status_code == 401
        report_page = requests.get(f"{base}/_control/report", allow_redirects=False, timeout=5)
        assert report_page.status_code == 302  # to the token form
        armed = requests.post(
            f"{base}/_control/faults", json={"fault": "invalid-iss"}, headers=auth, timeout=5
        )
        assert armed.status_code == 201
        page = requests.get(f"{base}/_control/report", headers=auth, timeout=5)
        assert page.status_code == 200 and "report-title" in page.text
        client = f"{base}/_control/clients/sferum/report"
        assert requests.get(client, params={"token": "qa-token"}, timeout=5).status_code == 401
        assert requests.get(client, headers=auth, timeout=5).status_code == 200
    app.extensions["idp"].db.dispose()
