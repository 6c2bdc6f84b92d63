"""Transport faults at each endpoint: 500, 503, malformed JSON, delay, drop; atomic use."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.idp import create_app
from tests.idp_esia.conftest import ROSHCHINA

from .conftest import SCOPE, SFERUM_CALLBACK, arm, esia_client, esia_tokens, jwks, parts, verify

BOGUS = {"Authorization": "Bearer not-a-token"}


def call(base: str, endpoint: str) -> requests.Response:
    """One request to an endpoint, as a client would send it (no login needed before)."""
    if endpoint == "authorize":
        params = {"response_type": "code", "client_id": "sferum", "scope": SCOPE,
                  "redirect_uri": SFERUM_CALLBACK, "state": "s" * 32}  # fmt: skip
        return requests.get(f"{base}/authorize", params=params, allow_redirects=False, timeout=10)
    if endpoint == "token":
        form = {"grant_type": "authorization_code", "code": "x", "redirect_uri": "x"}
        return requests.post(
            f"{base}/token", data=form, auth=("sferum", "sferum-secret"), timeout=10
        )
    if endpoint == "userinfo":
        return requests.get(f"{base}/userinfo", headers=BOGUS, timeout=10)
    if endpoint == "person":
        return requests.get(f"{base}/rs/prns/1000000001", headers=BOGUS, timeout=10)
    if endpoint == "jwks":
        return requests.get(f"{base}/jwks.json", timeout=10)
    return requests.get(f"{base}/.well-known/openid-configuration", timeout=10)


HONEST = {
    "authorize": 302,
    "token": 400,
    "userinfo": 401,
    "person": 401,
    "jwks": 200,
    "discovery": 200,
}
ENDPOINTS = sorted(HONEST)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("fault", ["http-500", "http-503"])
def test_http_errors(idp, endpoint, fault):
    arm(idp.url, fault, endpoint=endpoint)
    response = call(idp.url, endpoint)
    status = int(fault[-3:])
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert str(status) in response.text
    if status == 503:
        assert response.headers["Retry-After"] == "1"
    assert call(idp.url, endpoint).status_code == HONEST[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_json(idp, endpoint):
    arm(idp.url, "malformed-json", endpoint=endpoint)
    response = call(idp.url, endpoint)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()
    assert call(idp.url, endpoint).status_code == HONEST[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_drop_closes_the_connection(idp, endpoint):
    arm(idp.url, "drop", endpoint=endpoint)
    with pytest.raises(requests.ConnectionError):
        call(idp.url, endpoint)
    assert call(idp.url, endpoint).status_code == HONEST[endpoint]


def test_delay_then_the_honest_answer(idp):
    arm(idp.url, "delay", endpoint="discovery", params={"seconds": 1})
    started = time.monotonic()
    response = call(idp.url, "discovery")
    assert time.monotonic() - started >= 1.0
    assert response.status_code == 200 and response.json()["issuer"] == idp.url


def test_delay_and_an_error_on_the_same_response(idp, rp):
    arm(idp.url, "delay", endpoint="token", client_id="sferum", seconds=1)
    arm(idp.url, "http-503", endpoint="token", client_id="sferum")
    code = rp.code()
    started = time.monotonic()
    assert rp.exchange(code).status_code == 503
    assert time.monotonic() - started >= 1.0
    body = rp.exchange(code)  # the code was not used by the faulty answer
    assert body.status_code == 200 and verify(idp.url, body.json()["id_token"])


def test_transport_fault_for_one_client(idp, rp, es256_rp):
    arm(idp.url, "http-500", endpoint="token", client_id="demo-es256")
    assert rp.tokens()["access_token"]
    code = es256_rp.code()
    assert es256_rp.exchange(code).status_code == 500
    assert parts(es256_rp.exchange(code).json()["id_token"])[0]["alg"] == "ES256"


def test_esia_token_and_person_transport_faults(idp):
    client = esia_client(idp)
    arm(idp.url, "http-503", endpoint="token", client_id="esia-none")
    code = client.code_for(ROSHCHINA)
    assert client.token("authorization_code", code).status_code == 503
    assert client.token("authorization_code", code).status_code == 200
    access = esia_tokens(idp, client)["access_token"]
    arm(idp.url, "malformed-json", endpoint="person", client_id="esia-none")
    url = f"{idp.url}/rs/prns/1000000001"
    faulty = requests.get(url, headers={"Authorization": f"Bearer {access}"}, timeout=5)
    assert faulty.status_code == 200
    with pytest.raises(ValueError):
        faulty.json()
    honest = requests.get(url, headers={"Authorization": f"Bearer {access}"}, timeout=5)
    assert honest.json()["lastName"] == "Рощина"


def test_last_use_is_consumed_once_under_concurrency(idp):
    arm(idp.url, "http-503", endpoint="discovery", times=3)
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: call(idp.url, "discovery").status_code, range(24)))
    assert statuses.count(503) == 3 and statuses.count(200) == 21


def test_two_workers_on_one_database_agree(tmp_path):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "w",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    apps = [create_app(dict(config)), create_app(dict(config))]
    with LiveServer(apps[0]) as first, LiveServer(apps[1]) as second:
        arm(first.url, "http-500", endpoint="jwks", times=2)
        assert call(second.url, "jwks").status_code == 500
        assert call(first.url, "jwks").status_code == 500
        assert call(second.url, "jwks").status_code == 200
        listed = requests.get(f"{second.url}/_control/faults", timeout=5).json()["faults"]
        assert listed == []
        assert jwks(first.url) == jwks(second.url)
    for app in apps:
        app.extensions["idp"].db.dispose()
