"""Each public ESIA client library's request format, signed by OpenSSL's GOST engine, end to end.

The formats are read from the libraries' sources (none of their code is used or copied here):
- ilimurzin/esia 4.x (PHP): /v2/ac and /v3/te; signs client_id+scope+scope_org+timestamp+state
  +redirect_uri (+code at v3/te; refresh without it) with `openssl_sign(..., 'md_gost12_256')`;
  base64url without padding; `date('Y.m.d H:i:s O')`; sends scope_org, client_certificate_hash.
- ofstudio/go-api-epgu (Go): the same text without scope_org; base64.URLEncoding (padded); UTC
  `+0000` timestamps; `permissions` (base64url JSON); CryptoPro output reversed = OpenSSL's.
- AISGorod.AspNetCore.Authentication.Esia (.NET): BouncyCastle ECGOST3410-2012-256 (OpenSSL's
  byte order), standard base64, `%20` in the query, local `+0300` timestamps, RS256 tokens.
- fr05t1k/esia 3.x (PHP): defaults to /v2/ac and /v3/te but signs scope+timestamp+client_id
  +state as detached CMS: `openssl smime -engine gost -sign -binary -outform DER -noattr`,
  base64url without padding, the same state at ac and te (its client is marked legacy).
- ekapusta/oauth2-esia (PHP): /aas/oauth2/ac and /te, the same CMS command, v1 text.
Every login ends with OpenSSL verifying the sandbox's GOST tokens, the person read over REST and
a refresh. A library without its own refresh refreshes as ilimurzin/esia does (said per format).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests

from gosuslugi_sandbox.idp.esia.certificates import load as load_certificate
from tests import openssl_gost as ossl

from . import esia_client as ec
from .conftest import CALLBACK, ROSHCHINA, EsiaTestClient

pytestmark = ossl.requires_engine
SCOPE = "openid fullname birthdate snils mobile"


@dataclass
class Format:
    """How one library builds and signs its requests."""

    name: str
    signer: str  # raw | cms | cryptopro (raw, bytes left as CryptoPro writes them)
    text: str  # v2 | v1
    style: str  # url | urlpad | std (tests/idp_esia/esia_client.encode)
    utc: bool = False
    v2: bool = True
    scope_org: str | None = None  # None: the parameter is not sent
    token_alg: str = "GOST3410_2012_256"
    legacy: bool = False  # esia_allow_v1_text on its client
    same_state: bool = False  # reuses the authorization state at the token endpoint
    query_quote: bool = False  # %20 instead of + (the .NET query builder)
    send_hash: bool = True  # client_certificate_hash (fr05t1k: when configured, as its README says)
    extra: dict = field(default_factory=dict)

    def timestamp(self) -> str:
        if self.utc:
            return datetime.now(UTC).strftime("%Y.%m.%d %H:%M:%S +0000")
        return ec.timestamp()


PERMISSIONS = (
    base64.urlsafe_b64encode(
        json.dumps([{"sysname": "TEST", "actions": [], "purposes": [], "scopes": []}]).encode()
    )
    .rstrip(b"=")
    .decode()
)

FORMATS = [
    Format("ilimurzin-4", "raw", "v2", "url", scope_org=""),
    Format("ilimurzin-4-scope-org", "raw", "v2", "url", scope_org="org_shortname org_fullname"),
    Format("go-api-epgu", "raw", "v2", "urlpad", utc=True, extra={"permissions": PERMISSIONS}),
    Format("aisgorod-bouncycastle", "raw", "v2", "std", token_alg="RS256", query_quote=True),
    Format("cryptopro-unreversed", "cryptopro", "v2", "url", scope_org=""),
    Format("fr05t1k-3-cms", "cms", "v1", "url", legacy=True, same_state=True),
    Format("ekapusta-cms", "cms", "v1", "url", v2=False, send_hash=False),
]


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    """A GOST key and self-signed certificate made by OpenSSL (not by our code)."""
    return ossl.genkey(tmp_path_factory.mktemp("gost-client"), "library-client")


@pytest.fixture
def client_for(idp, keypair):
    """Register a client for a format with OpenSSL's certificate; removed afterwards."""
    made = []

    def make(fmt: Format) -> str:
        client_id = f"lib-{fmt.name}"
        meta = {
            "client_id": client_id,
            "redirect_uris": [CALLBACK],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid fullname birthdate snils mobile",
            "esia_signature_mode": "cms" if fmt.signer == "cms" else "gost",
            "esia_certificate": keypair[1].read_text(),
            "esia_token_alg": fmt.token_alg,
            "esia_allow_v1_text": fmt.legacy,
        }
        created = requests.post(f"{idp.url}/_control/clients", json=meta, timeout=5)
        assert created.status_code == 201, created.text
        made.append(client_id)
        return client_id

    yield make
    for client_id in made:
        requests.delete(f"{idp.url}/_control/clients/{client_id}", timeout=5)


def sign(fmt: Format, keypair, text: str) -> str:
    """client_secret as the library makes it, by OpenSSL."""
    key, cert = keypair
    if fmt.signer == "cms":
        return ec.encode(ossl.smime_sign(key, cert, text.encode()), fmt.style)
    raw = ossl.dgst_sign(key, text.encode())
    return ec.encode(raw[::-1] if fmt.signer == "cryptopro" else raw, fmt.style)


def signed_text(fmt: Format, cid: str, ts: str, state: str, tail: str = "") -> str:
    if fmt.text == "v1":
        return SCOPE + ts + cid + state
    return cid + SCOPE + (fmt.scope_org or "") + ts + state + CALLBACK + tail


def common(fmt: Format, keypair, cid: str, state: str, tail: str = "") -> dict:
    ts = fmt.timestamp()
    params = {
        "client_id": cid,
        "client_secret": sign(fmt, keypair, signed_text(fmt, cid, ts, state, tail)),
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "state": state,
        "timestamp": ts,
    }
    if fmt.send_hash:
        params["client_certificate_hash"] = load_certificate(keypair[1].read_bytes()).hash
    if fmt.scope_org is not None:
        params["scope_org"] = fmt.scope_org
    return params


def b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def openssl_verifies(idp, token: str, tmp: Path) -> dict:
    """The sandbox's GOST token checked by OpenSSL with the published certificate."""
    cert = tmp / "esia-gost.pem"
    cert.write_bytes(requests.get(f"{idp.url}/esia/certs/GOST3410_2012_256.pem", timeout=5).content)
    head, body, sig = token.split(".")
    signature = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    assert ossl.dgst_verify(cert, f"{head}.{body}".encode(), signature, tmp), "OpenSSL refused"
    assert not ossl.dgst_verify(cert, f"{head}.{body}x".encode(), signature, tmp)
    return b64json(body)


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_library_format_logs_in_end_to_end(idp, keypair, client_for, fmt, tmp_path):
    cid = client_for(fmt)
    state = str(uuid.uuid4())
    params = {**common(fmt, keypair, cid, state), "response_type": "code",
              "access_type": "offline", **fmt.extra}  # fmt: skip
    query = urlencode(params, quote_via=quote) if fmt.query_quote else urlencode(params)
    path = "/aas/oauth2/v2/ac" if fmt.v2 else "/aas/oauth2/ac"
    browser = EsiaTestClient(idp.url, cid, "none")
    page = browser.browser.open(f"{idp.url}{path}?{query}")
    assert page.has("login-form"), browser.browser.stopped_at or page.text()
    callback = browser.login(ROSHCHINA)
    assert callback["state"] == state and "code" in callback, callback

    te = f"{idp.url}/aas/oauth2/v3/te" if fmt.v2 else f"{idp.url}/aas/oauth2/te"
    token_state = state if fmt.same_state else str(uuid.uuid4())
    form = {**common(fmt, keypair, cid, token_state, callback["code"]), "code": callback["code"],
            "grant_type": "authorization_code", "token_type": "Bearer"}  # fmt: skip
    response = requests.post(te, data=form, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == token_state
    if fmt.token_alg == "GOST3410_2012_256":
        access = openssl_verifies(idp, body["access_token"], tmp_path)
        assert openssl_verifies(idp, body["id_token"], tmp_path)["aud"] == cid
    else:
        access = b64json(body["access_token"].split(".")[1])
    assert access["client_id"] == cid and access["urn:esia:sbj_id"] == ROSHCHINA["oid"]

    person = requests.get(
        f"{idp.url}/rs/prns/{ROSHCHINA['oid']}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    )
    assert person.status_code == 200 and person.json()["lastName"] == "Рощина"

    # ilimurzin/esia and ekapusta refresh themselves; the others have no refresh of their own
    # and refresh as ilimurzin/esia does (current text without the token), in their encoding.
    refresh_state = str(uuid.uuid4())
    form = {**common(fmt, keypair, cid, refresh_state), "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"], "token_type": "Bearer"}  # fmt: skip
    refreshed = requests.post(te, data=form, timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["state"] == refresh_state
    if fmt.token_alg == "GOST3410_2012_256":
        openssl_verifies(idp, refreshed.json()["access_token"], tmp_path)
