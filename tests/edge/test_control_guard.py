"""The control API cannot be reached by a web page (issue 13), in both apps, one guard.

Each attack is sent as a browser would send it for a hostile page: a cross-site form post, a
DNS-rebound request (foreign Host), a token in the URL. Flask's test client is enough: the
guard looks only at the request's headers.
"""

from __future__ import annotations

import re

import pytest

from gosuslugi_sandbox.shared.clock import Clock, FrozenTime

JSON = {"Content-Type": "application/json"}
NEW_USER = {"first_name": "Мария", "last_name": "Новикова", "phone": "89001234567", "password": "x"}


def change_something(client, app_name: str) -> None:
    """A change a reset would undo (so a refused reset is visible)."""
    if app_name == "idp":
        assert client.delete("/_control/persons/1000000001").status_code == 200
    else:
        assert client.post("/_control/users", json=NEW_USER).status_code == 201


def still_changed(client, app_name: str) -> bool:
    """Whether the change survived (nothing was reset)."""
    if app_name == "idp":
        return client.get("/_control/persons/1000000001").status_code == 404
    return any(u["phone"] == "+79001234567" for u in client.get("/_control/users").get_json())


CROSS_SITE_RESETS = [
    # a plain HTML form on evil.example posting to the stand
    {
        "data": "x=1",
        "headers": {
            "Origin": "http://evil.example",
            "Sec-Fetch-Site": "cross-site",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    },
    # the same from a browser that sends no Sec-Fetch-* headers
    {
        "data": "x=1",
        "headers": {
            "Origin": "http://evil.example",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    },
    # fetch(…, {mode: "no-cors", body}) sends text/plain; Origin "null" from a sandboxed frame
    {"data": "{}", "headers": {"Origin": "null", "Content-Type": "text/plain"}},
    # a page on another port of the same machine is "same-site", not "same-origin"
    {"data": "{}", "headers": {"Sec-Fetch-Site": "same-site", **JSON}},
    # JSON with a foreign Origin (what a CORS request would carry)
    {"data": "{}", "headers": {"Origin": "http://evil.example", **JSON}},
    # a form with no Origin at all (old browsers, privacy extensions): not JSON, refused
    {"data": "x=1", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
]


@pytest.mark.parametrize("attack", CROSS_SITE_RESETS)
def test_a_web_page_cannot_reset_the_stand(either_app, attack):
    make, _read_path, name = either_app
    client = make().test_client()
    change_something(client, name)
    answer = client.post("/_control/reset", **attack)
    assert answer.status_code in (403, 415)
    assert answer.get_json()["error"] in ("cross_site", "unsupported_media_type")
    assert still_changed(client, name)


def test_same_origin_json_and_tools_still_reset(either_app):
    make, _read_path, name = either_app
    client = make().test_client()
    for headers in (
        JSON,  # curl, requests, the harness
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin", **JSON},
        {"Sec-Fetch-Site": "none", **JSON},  # typed into the address bar
    ):
        change_something(client, name)
        assert client.post("/_control/reset", data="{}", headers=headers).status_code == 200
        assert not still_changed(client, name)


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example"},
        {"Host": "attacker.example:9000"},
        # the rebound page is same-origin to itself, so it may add any header: a forwarded
        # loopback Host does not make its request a loopback one
        {"Host": "attacker.example:9000", "X-Forwarded-Host": "127.0.0.1:9000"},
        {"Host": "127.0.0.1.attacker.example"},
        {"Host": "0.0.0.0:9000"},
    ],
)
def test_dns_rebinding_cannot_read_codes(plain_app, headers):
    app, read_path = plain_app
    client = app.test_client()
    answer = client.get(read_path, headers=headers)
    assert answer.status_code == 403 and answer.get_json()["error"] == "forbidden_host"
    assert "CONTROL_HOSTS" in answer.get_json()["error_description"]
    assert client.get("/_control/health", headers=headers).status_code == 200  # no data


@pytest.mark.parametrize(
    "host", ["127.0.0.1:9000", "localhost:8000", "[::1]:9000", "127.0.0.2", "stand.localhost"]
)
def test_loopback_names_are_answered(plain_app, host):
    app, read_path = plain_app
    assert app.test_client().get(read_path, headers={"Host": host}).status_code == 200


def test_own_name_and_configured_hosts_are_answered(make_idp, make_rp):
    idp = make_idp(ISSUER="https://esia.qa.example", CONTROL_HOSTS="idp-1.internal, idp-2")
    rp = make_rp(PUBLIC_URL="http://sferum.qa.example:8000", CONTROL_HOSTS=["rp-1.internal"])
    for client, path, hosts in (
        (idp.test_client(), "/_control/sms", ["esia.qa.example", "idp-1.internal:9000", "IDP-2"]),
        (rp.test_client(), "/_control/outbox", ["sferum.qa.example:8000", "rp-1.internal"]),
    ):
        for host in hosts:
            assert client.get(path, headers={"Host": host}).status_code == 200, host
        assert client.get(path, headers={"Host": "other.qa.example"}).status_code == 403


def test_token_only_in_the_authorization_header(either_app):
    make, read_path, _name = either_app
    client = make(CONTROL_TOKEN="s3cret-token").test_client()
    assert client.get(read_path).status_code == 401
    assert client.get(read_path, query_string={"token": "s3cret-token"}).status_code == 401
    answer = client.get(read_path, headers={"Authorization": "Bearer s3cret-token"})
    assert answer.status_code == 200
    assert client.get("/_control/health").status_code == 200


def test_control_off_keeps_health_in_both_apps(either_app):
    make, read_path, _name = either_app
    client = make(CONTROL="off").test_client()
    assert client.get("/_control/health").get_json() == {"status": "ok"}
    assert client.get(read_path).status_code == 404
    assert client.post("/_control/reset", json={}).status_code == 404


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_pages_take_a_login_cookie_never_a_token_in_the_url(make_idp):
    client = make_idp(CONTROL_TOKEN="s3cret-token").test_client()
    for page in ("/_control/sms/inbox?token=s3cret-token", "/_control/report?token=s3cret-token"):
        answer = client.get(page)
        assert answer.status_code == 302  # the token in the URL opens nothing
        assert "/_control/login?next=" in answer.location
        assert "s3cret" not in answer.location  # and is not carried into the next URL
    form = client.get("/_control/login?next=/_control/report")
    assert form.status_code == 200 and 'data-testid="control-login-form"' in form.text
    assert client.post("/_control/login", data={"token": "s3cret-token"}).status_code == 400
    wrong = client.post("/_control/login", data={"token": "nope", "csrf_token": _csrf(form.text)})
    assert wrong.status_code == 401 and 'data-testid="control-login-error"' in wrong.text
    cross_site = client.post(
        "/_control/login",
        data={"token": "s3cret-token", "csrf_token": _csrf(form.text)},
        headers={"Origin": "http://evil.example"},
    )
    assert cross_site.status_code == 403
    ok = client.post(
        "/_control/login",
        data={"token": "s3cret-token", "csrf_token": _csrf(form.text), "next": "/_control/report"},
    )
    assert ok.status_code == 302 and ok.location == "/_control/report"
    cookie = ok.headers["Set-Cookie"]
    assert "s3cret" not in cookie
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/_control"):
        assert attribute in cookie
    report = client.get("/_control/report")
    assert report.status_code == 200 and "token" not in report.text.lower()
    assert client.get("/_control/sms/inbox").status_code == 200
    assert client.get("/_control/sms").status_code == 401  # the API still wants the header


def test_login_goes_back_inside_the_control_pages_only(make_idp):
    client = make_idp(CONTROL_TOKEN="s3cret-token").test_client()
    form = client.get("/_control/login")
    for target in ("//evil.example/", "https://evil.example/_control/", "/_control/\\evil"):
        answer = client.post(
            "/_control/login",
            data={"token": "s3cret-token", "csrf_token": _csrf(form.text), "next": target},
        )
        assert answer.location == "/_control/sms/inbox"


@pytest.mark.parametrize("app_name", ["idp", "rp"])
def test_wrong_tokens_from_one_address_stop_the_guessing_for_a_while(make_idp, make_rp, app_name):
    frozen = FrozenTime()
    if app_name == "idp":
        app, path = make_idp(CONTROL_TOKEN="s3cret-token", CLOCK_BASE=frozen), "/_control/sms"
    else:
        app, path = make_rp(CONTROL_TOKEN="s3cret-token", CLOCK=Clock(frozen)), "/_control/outbox"
    client = app.test_client()

    def with_token(token: str, address: str = "127.0.0.1"):
        headers = {"Authorization": f"Bearer {token}"}
        return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address})

    assert [with_token(f"guess-{i}").status_code for i in range(9)] == [401] * 9
    refused = with_token("guess-9")  # the tenth wrong one blocks the address
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "600"
    assert refused.get_json()["error"] == "too_many_requests"
    # the right token too: a loop must not learn which guess was right
    assert with_token("s3cret-token").status_code == 429
    assert with_token("s3cret-token", "127.0.0.2").status_code == 200  # another address
    frozen.advance(601)
    assert with_token("s3cret-token").status_code == 200


def test_the_login_form_counts_wrong_tokens_with_the_api(make_idp):
    client = make_idp(CONTROL_TOKEN="s3cret-token").test_client()
    csrf = _csrf(client.get("/_control/login").text)
    headers = {"Authorization": "Bearer guess-0"}
    assert client.get("/_control/sms", headers=headers).status_code == 401
    for i in range(1, 9):
        wrong = client.post("/_control/login", data={"token": f"guess-{i}", "csrf_token": csrf})
        assert wrong.status_code == 401 and "Неверный токен." in wrong.text
    tenth = client.post("/_control/login", data={"token": "guess-9", "csrf_token": csrf})
    assert tenth.status_code == 429
    blocked = client.post("/_control/login", data={"token": "s3cret-token", "csrf_token": csrf})
    assert blocked.status_code == 429
    assert "Слишком много неверных попыток. Попробуйте через 10 мин." in blocked.text
    assert "Set-Cookie" not in blocked.headers
