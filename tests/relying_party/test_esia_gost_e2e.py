"""The fake Sferum's ESIA mode with a GOST key (RP_ESIA_*), end to end with the fake Gosuslugi."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from gosuslugi_sandbox.relying_party.models import CacheEntry
from gosuslugi_sandbox.relying_party.web import db
from gosuslugi_sandbox.shared import gost_x509
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from tests.relying_party.conftest import fresh
from tests.relying_party.stack import Stack, running_stack

GOST_RP = {
    "ESIA_CLIENT_ID": "esia-gost",
    "ESIA_CERT_FILE": str(FIXTURES_DIR / "esia" / "gost-client.crt.pem"),
    "ESIA_KEY_FILE": str(FIXTURES_DIR / "esia" / "gost-client.key.pem"),
    "ESIA_TOKEN_ALGS": ["GOST3410_2012_256"],
}


@pytest.fixture(scope="module")
def gost_stand(keys_dir):
    """The IdP and a GOST-signing ESIA RP, live for the module."""
    with running_stack(keys_dir, "esia", GOST_RP) as both:
        yield both


@pytest.fixture
def gost_stack(gost_stand, monkeypatch) -> Stack:
    """The GOST stand, fresh; the tests answer the IdP's pages themselves."""
    return fresh(gost_stand, monkeypatch, None)


def test_authorization_request_is_the_current_esia_shape(gost_stack):
    browser = gost_stack.rp.login("123456")
    browser.stop_at = (gost_stack.idp.url,)
    browser.open(gost_stack.rp.url + "/gosuslugi/link")
    browser.click("gosuslugi-continue")
    url = urlsplit(browser.stopped_at)
    assert url.path == "/aas/oauth2/v2/ac"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    certificate = gost_x509.load_certificate(
        (FIXTURES_DIR / "esia" / "gost-client.crt.pem").read_bytes()
    )
    assert query["client_certificate_hash"] == certificate.hash
    secret = query["client_secret"]
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    signed = (
        "esia-gost" + query["scope"] + query["timestamp"] + query["state"] + query["redirect_uri"]
    )
    assert certificate.public_key.verify(signed.encode(), raw)


def test_link_with_gost_signatures_and_gost_tokens(gost_stack):
    browser = gost_stack.rp.login("123456")
    page = gost_stack.link(browser, "roshchina")
    assert page.url.endswith("/gosuslugi/confirm"), page.text()
    with gost_stack.rp.app.app_context():
        names = list(db().scalars(select(CacheEntry.name)))
    assert names == [f"esia-cert:{gost_stack.idp.url}/esia/certs/GOST3410_2012_256.pem"]


def test_gost_tokens_for_an_rp_expecting_rs256_are_refused(gost_stack, monkeypatch):
    monkeypatch.setitem(gost_stack.rp.app.config, "ESIA_TOKEN_ALGS", ["RS256"])
    browser = gost_stack.rp.login("123456")
    page = gost_stack.link(browser, "roshchina")
    assert page.require("error-code").text() == "id_token_alg", page.text()
