"""Key rotation with two workers on SQLite and PostgreSQL: the other worker signs with the new key
without a restart; N rotations at once leave exactly one current key per type."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.idp.models import SigningKey
from gosuslugi_sandbox.shared.keys import generate_pem, import_private_key

from .conftest import CALLBACK, PARALLEL, authorize_url, in_parallel, log_in, token_request


def rotate(base: str, kty: str) -> requests.Response:
    return requests.post(f"{base}/_control/keys/rotate", json={"kty": kty}, timeout=30)


def id_token_kid(base: str, code: str) -> str:
    """The kid in the header of the ID token a code redeemed at base brings (demo-es256)."""
    answer = token_request(base, grant_type="authorization_code", code=code, redirect_uri=CALLBACK)
    assert answer.status_code == 200, answer.text
    head = answer.json()["id_token"].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]


def code(base: str, nonce: str) -> str:
    """A fresh code of demo-es256 (a nonce is used once per client)."""
    return log_in(HttpBrowser(stop_at=(CALLBACK,)), base, authorize_url(base, nonce=nonce))["code"]


def kids(base: str) -> list[str]:
    return [k["kid"] for k in requests.get(f"{base}/jwks.json", timeout=10).json()["keys"]]


@pytest.fixture
def engine(database_url, idp_workers):
    """The workers' database, for looking at the signing_keys table itself."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def current_keys(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(SigningKey.kty, SigningKey.kid).where(SigningKey.retired_at.is_(None))
        )
        result: dict[str, list[str]] = {}
        for kty, kid in rows:
            result.setdefault(kty, []).append(kid)
        return result


def test_the_other_worker_signs_with_the_new_key_without_a_restart(idp_workers, engine):
    first, second = idp_workers.urls
    old = current_keys(engine)["EC"][0]
    assert id_token_kid(second, code(first, "before")) == old
    new = rotate(first, "EC").json()["kid"]
    assert new != old
    assert id_token_kid(second, code(first, "after")) == new
    assert kids(second)[:2] == [current_keys(engine)["RSA"][0], new]
    assert old in kids(second)  # within the grace


def test_rotations_at_once_leave_one_current_key_per_type(idp_workers, engine):
    kinds = ["RSA", "EC"] * (PARALLEL // 2)
    calls = [
        lambda base=base, kty=kty: rotate(base, kty)
        for base, kty in zip(idp_workers.each(PARALLEL), kinds, strict=True)
    ]
    answers = in_parallel(calls)
    assert [a.status_code for a in answers] == [200] * PARALLEL, [a.text for a in answers]
    assert len({a.json()["kid"] for a in answers}) == PARALLEL
    now_current = current_keys(engine)
    assert {kty: len(kids) for kty, kids in now_current.items()} == {"RSA": 1, "EC": 1}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SigningKey)) == 2 + PARALLEL
    for base in idp_workers.urls:  # every worker publishes the winner first
        assert kids(base)[:2] == [now_current["RSA"][0], now_current["EC"][0]]


def test_the_database_refuses_a_second_current_key_of_one_type(engine):
    pem = generate_pem("EC")
    row = {"kid": import_private_key(pem).kid, "kty": "EC", "pem": pem.decode("ascii"),
           "created_at": 0.0, "retired_at": None}  # fmt: skip
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(SigningKey), row)
    assert len(current_keys(engine)["EC"]) == 1
