"""The RP's control API: health, users, reset, outbox, events, and its protection."""

from __future__ import annotations

import requests


def test_health_users_and_reset(rp):
    assert rp.control("GET", "/health").json() == {"status": "ok"}
    users = rp.control("GET", "/users").json()
    assert [u["id"] for u in users] == [123456, 123457, 123458, 123459, 123460, 123461, 123462]
    assert all("password" not in u and "password_hash" not in u for u in users)
    created = rp.control(
        "POST",
        "/users",
        json={
            "last_name": "Новикова",
            "first_name": "Мария",
            "phone": "8 900 123-45-67",
            "password": "Novikova-1",
            "role": "teacher",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["phone"] == "+79001234567" and body["verified"] is False
    assert rp.control("GET", f"/users/{body['id']}").json()["last_name"] == "Новикова"
    browser = rp.browser()
    browser.open(rp.url + "/login")
    browser.submit(form="login-form", fields={"login-input": "+79001234567"})
    page = browser.submit(form="password-form", fields={"password-input": "Novikova-1"})
    assert page.require("header-user-name").text() == "Мария Новикова"
    dup = rp.control("POST", "/users", json={**body, "password": "x" * 8, "id": None})
    assert dup.status_code == 409
    bad = rp.control("POST", "/users", json={"first_name": "Без телефона"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    assert rp.control("POST", "/users", data="nope").status_code == 415
    as_json = {"Content-Type": "application/json"}
    assert rp.control("POST", "/users", data="nope", headers=as_json).status_code == 400
    assert rp.control("GET", "/users/1").status_code == 404
    assert rp.control("POST", "/reset", json={}).json() == {"status": "ok"}
    assert len(rp.control("GET", "/users").json()) == 7
    assert rp.events() == []


def test_events_filter(rp):
    rp.login("123456")
    rp.login("123457")
    assert [e["user_id"] for e in rp.events("login")] == [123456, 123457]
    only = rp.control("GET", "/events", params={"user_id": 123457}).json()
    assert [e["kind"] for e in only] == ["login"]


def test_control_token(make_rp):
    rp = make_rp(CONTROL_TOKEN="s3cret")
    assert rp.control("GET", "/users").status_code == 401
    wrong = rp.control("GET", "/users", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = rp.control("GET", "/users", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert rp.control("GET", "/health").status_code == 200


def test_control_off(make_rp):
    rp = make_rp(CONTROL="off")
    for path in ("/users", "/outbox", "/events"):
        assert rp.control("GET", path).status_code == 404
    assert rp.control("POST", "/reset", json={}).status_code == 404
    assert requests.get(rp.url + "/_control/health", timeout=5).status_code == 200
