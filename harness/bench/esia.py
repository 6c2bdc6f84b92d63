"""The GOST login `make bench` times: ESIA as real relying parties speak it since 2020.

/aas/oauth2/v2/ac with a raw GOST R 34.10-2012/256 client_secret and client_certificate_hash,
password, SMS code, consent, /aas/oauth2/v3/te (a second GOST verification at the IdP), both
GOST3410_2012_256 tokens verified with the published certificate, the person read over REST.
The IdP pays two GOST verifications and two GOST signatures per login.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlparse

from gosuslugi_sandbox.harness.bench.flows import BENCH_REDIRECT, CSRF
from gosuslugi_sandbox.harness.bench.http_client import Browser
from gosuslugi_sandbox.shared import gost_x509
from gosuslugi_sandbox.shared.config import FIXTURES_DIR

CLIENT_ID = "bench-esia-gost"
SCOPE = "openid fullname birthdate gender snils"
CERT = FIXTURES_DIR / "esia" / "gost-client.crt.pem"
KEY = FIXTURES_DIR / "esia" / "gost-client.key.pem"  # TEST-ONLY key


def register_esia_gost_client(idp_url: str) -> None:
    """Register the benchmark's GOST client (the fixture certificate, GOST tokens)."""
    with Browser() as browser:
        browser.post(
            f"{idp_url}/_control/clients",
            json={
                "client_id": CLIENT_ID,
                "redirect_uris": [BENCH_REDIRECT],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "scope": SCOPE,
                "esia_signature_mode": "gost",
                "esia_certificate": CERT.read_text(),
                "esia_token_alg": "GOST3410_2012_256",
            },
        ).raise_for_status()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _part(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class EsiaGostFlow:
    """One ESIA client signing with GOST, doing full interactive logins."""

    def __init__(self, idp_url: str, person: dict) -> None:
        self.idp_url, self.person = idp_url, person
        self.key = gost_x509.load_private_key(KEY.read_bytes())
        self.cert_hash = gost_x509.load_certificate(CERT.read_bytes()).hash
        self.control = Browser()
        pem = self.control.get(f"{idp_url}/esia/certs/GOST3410_2012_256.pem").raise_for_status()
        self.idp_key = gost_x509.load_certificate(pem.text.encode()).public_key
        self.sms_url = f"{idp_url}/_control/sms?" + urlencode(
            {"phone": person["mobile"], "limit": 1}
        )

    def _signed(self, state: str, code: str = "") -> dict:
        ts = datetime.now(UTC).strftime("%Y.%m.%d %H:%M:%S +0000")
        text = CLIENT_ID + SCOPE + ts + state + BENCH_REDIRECT + code
        return {
            "client_id": CLIENT_ID,
            "client_secret": _b64(self.key.sign(text.encode())),
            "client_certificate_hash": self.cert_hash,
            "redirect_uri": BENCH_REDIRECT,
            "scope": SCOPE,
            "state": state,
            "timestamp": ts,
        }

    def _verified(self, token: str) -> dict:
        head, body, sig = token.split(".")
        assert self.idp_key.verify(f"{head}.{body}".encode(), _part(sig)), "bad GOST token"
        return json.loads(_part(body))

    def run(self) -> int:
        """One complete login in a fresh browser; returns the number of HTTP requests made."""
        browser, back = Browser(), self.control
        before = back.requests
        state = str(uuid.uuid4())
        query = urlencode({**self._signed(state), "response_type": "code"})
        login_url = browser.get(f"{self.idp_url}/aas/oauth2/v2/ac?{query}").location
        assert "/login" in login_url, login_url
        page = browser.get(login_url)
        fields = {"login": self.person["mobile"], "password": self.person["password"]}
        sms_url = browser.post(
            login_url, {"csrf_token": CSRF.search(page.text).group(1), **fields}
        ).location
        page = browser.get(sms_url)
        code = back.get(self.sms_url).json()[0]["code"]
        consent_url = browser.post(
            sms_url, {"csrf_token": CSRF.search(page.text).group(1), "code": code}
        ).location
        page = browser.get(consent_url)
        location = browser.post(
            consent_url, {"csrf_token": CSRF.search(page.text).group(1), "decision": "allow"}
        ).location
        while not location.startswith(BENCH_REDIRECT):
            location = browser.get(location).location
        params = parse_qs(urlparse(location).query)
        assert params["state"] == [state], "state not echoed"
        token_state = str(uuid.uuid4())
        auth_code = params["code"][0]
        form = {**self._signed(token_state, auth_code), "code": auth_code,
                "grant_type": "authorization_code", "token_type": "Bearer"}  # fmt: skip
        body = back.post(f"{self.idp_url}/aas/oauth2/v3/te", data=form).raise_for_status().json()
        assert body["state"] == token_state
        access = self._verified(body["access_token"])
        self._verified(body["id_token"])
        oid = access["urn:esia:sbj_id"]
        person = back.get(
            f"{self.idp_url}/rs/prns/{oid}",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        ).raise_for_status()
        assert person.json()["snils"], "person without SNILS"
        browser.close()
        return browser.requests + back.requests - before

    def close(self) -> None:
        """Close the kept-alive control and back-channel connections."""
        self.control.close()
