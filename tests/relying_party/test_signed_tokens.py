"""Token reading both dialects share: joserfc parses; ESIA's registry knows GOST and its headers."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jws

from gosuslugi_sandbox.relying_party.gosuslugi import signed
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.esia_tokens import GOST, REGISTRY, RS256
from gosuslugi_sandbox.shared import gost

CLAIMS = {"sub": 1000000001, "iss": "http://esia.gosuslugi.ru/"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def gost_token(key: gost.PrivateKey, **header) -> str:
    head = {"ver": 0, "typ": "JWT", "sbt": "id", "alg": GOST, **header}
    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(CLAIMS).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


def test_a_gost_token_is_read_and_verified_by_the_registered_algorithm():
    key = gost.PrivateKey.generate()
    parsed = signed.read(gost_token(key), "id_token", REGISTRY)
    assert parsed.header["sbt"] == "id" and parsed.claims == CLAIMS
    model = signed.algorithm(parsed, [GOST], REGISTRY)
    assert signed.verified_by(parsed, model, key.public_key)
    assert not signed.verified_by(parsed, model, gost.PrivateKey.generate().public_key)
    assert not signed.verified_by(parsed, model, "not a GOST key")


def test_gost_stays_out_of_joserfcs_own_registry():
    assert GOST not in jws.JWSRegistry.algorithms
    assert set(type(REGISTRY).algorithms) == {RS256, GOST}


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (None, "id_token_malformed"),
        ("a.b", "id_token_malformed"),
        ("!!.e30.", "id_token_malformed"),
        (f"{b64(b'{}')}.e30.", "id_token_alg"),
        (f"{b64(json.dumps({'alg': GOST, 'ver': 'x'}).encode())}.e30.", "id_token_malformed"),
        (f"{b64(json.dumps({'alg': GOST}).encode())}.{b64(b'[1]')}.", "id_token_malformed"),
        (f"{b64(json.dumps({'alg': GOST}).encode())}.e30.!!", "id_token_malformed"),
    ],
)
def test_what_is_not_a_jws_is_refused(token, code):
    with pytest.raises(GosuslugiError) as refused:
        signed.read(token, "id_token", REGISTRY)
    assert refused.value.code == code


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", None])
def test_an_algorithm_off_the_list_is_refused(alg):
    parsed = signed.Signed("access_token", {"alg": alg}, {}, b"", b"")
    with pytest.raises(GosuslugiError) as refused:
        signed.algorithm(parsed, [GOST], REGISTRY)
    assert refused.value.code == "access_token_alg"
