"""The flows `make bench` times: a full IdP code flow and the link flow through both apps.

Each is what a client really does: a fresh browser (cookie jar) per flow, the password, the SMS
code read from the control API, consent, the code exchanged with PKCE, the ID token's signature
checked, userinfo read.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.harness.bench.http_client import Browser, Response
from gosuslugi_sandbox.shared.formats import snils_checksum

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BENCH_REDIRECT = "http://127.0.0.1:9/bench-callback"  # never followed


class IdpFlow:
    """One client of the IdP doing full interactive code flows."""

    def __init__(self, idp_url: str, client_id: str, secret: str, person: dict) -> None:
        self.idp_url = idp_url
        self.client_id, self.secret = client_id, secret
        self.person = person
        self.control = Browser()  # the control API and the back channel keep their connections
        meta = self.control.get(f"{idp_url}/.well-known/openid-configuration").json()
        self.meta = meta
        self.keys = KeySet.import_key_set(self.control.get(meta["jwks_uri"]).json())
        self.sms_url = f"{idp_url}/_control/sms?" + urlencode(
            {"phone": person["mobile"], "limit": 1}
        )

    def run(self) -> int:
        """One complete flow in a fresh browser; returns the number of HTTP requests made."""
        browser = Browser()
        back = self.control
        before = back.requests
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": BENCH_REDIRECT,
                "scope": "openid fullname birthdate gender snils",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }
        )
        r = browser.get(f"{self.meta['authorization_endpoint']}?{query}")
        login_url = r.location
        page = browser.get(login_url)
        r = browser.post(
            login_url,
            {
                "csrf_token": CSRF.search(page.text).group(1),
                "login": self.person["mobile"],
                "password": self.person["password"],
            },
        )
        sms_url = r.location
        page = browser.get(sms_url)
        code = back.get(self.sms_url).json()[0]["code"]
        r = browser.post(sms_url, {"csrf_token": CSRF.search(page.text).group(1), "code": code})
        consent_url = r.location
        page = browser.get(consent_url)
        r = browser.post(
            consent_url, {"csrf_token": CSRF.search(page.text).group(1), "decision": "allow"}
        )
        location = r.location
        while not location.startswith(BENCH_REDIRECT):  # the protocol's resume hop(s)
            location = browser.get(location).location
        params = parse_qs(urlparse(location).query)
        assert params["state"] == [state], "state not echoed"
        token = back.post(
            self.meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": params["code"][0],
                "redirect_uri": BENCH_REDIRECT,
                "code_verifier": verifier,
            },
            auth=(self.client_id, self.secret),
        ).json()
        claims = jwt.decode(token["id_token"], self.keys).claims
        assert claims["nonce"] == nonce and claims["aud"] in (self.client_id, [self.client_id])
        info = back.get(
            self.meta["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert info["sub"] == claims["sub"]
        browser.close()
        return browser.requests + back.requests - before

    def close(self) -> None:
        """Close the kept-alive control and back-channel connections."""
        self.control.close()


def register_bench_client(idp_url: str) -> tuple[str, str]:
    """Register the benchmark's confidential client at the IdP; return its id and secret."""
    with Browser() as browser:
        browser.post(
            f"{idp_url}/_control/clients",
            json={
                "client_id": "bench",
                "client_secret": "bench-secret",
                "redirect_uris": [BENCH_REDIRECT],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": "openid fullname birthdate gender snils",
            },
        ).raise_for_status()
    return "bench", "bench-secret"


def bench_persons(control: Browser, idp_url: str, count: int) -> list[dict]:
    """Create `count` confirmed persons with their own phones for parallel clients."""
    persons = []
    for i in range(count):
        first_nine = f"{900000001 + i:09d}"
        person = {
            "oid": 1900000001 + i,
            "last_name": "Тестов",
            "first_name": "Нагрузка",
            "middle_name": "Бенчевич",
            "gender": "M",
            "birth_date": "1990-01-01",
            "snils": first_nine + snils_checksum(first_nine),
            "mobile": f"+7900000{i:04d}",
            "password": f"Bench-{i}",
            "level": "confirmed",
        }
        control.post(f"{idp_url}/_control/persons", json=person).raise_for_status()
        persons.append(person)
    return persons


FORM = re.compile(r"<form\b[^>]*>", re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_action(html: str, testid: str, base: str) -> str:
    """The absolute action URL of the form with that data-testid."""
    for tag in FORM.findall(html):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("data-testid") == testid:
            return urljoin(base, attrs.get("action") or base)
    raise AssertionError(f"no form {testid} on {base}")


class LinkFlow:
    """The full link flow through both apps, as a lean browser, then unlink."""

    def __init__(self, idp_url: str, rp_url: str, user: dict, person: dict) -> None:
        self.idp_url, self.rp_url = idp_url, rp_url
        self.user, self.person = user, person
        self.control = Browser()
        self.sms_url = f"{idp_url}/_control/sms?" + urlencode(
            {"phone": person["mobile"], "limit": 1}
        )

    def run(self) -> int:
        """Sferum login → link (IdP login, SMS, consent) → Связать → password → unlink."""
        b = Browser()
        before = self.control.requests

        def follow(r: Response) -> Response:
            while r.status in (301, 302, 303, 307, 308):
                r = b.get(r.location)
            return r.raise_for_status()

        def get(url: str) -> Response:
            return follow(b.get(url))

        def post(page: Response, testid: str, data: dict) -> Response:
            action = form_action(page.text, testid, page.url)
            data = {"csrf_token": CSRF.search(page.text).group(1), **data}
            return follow(b.post(action, data=data))

        page = get(f"{self.rp_url}/login")
        page = post(page, "login-form", {"login": self.user["phone"]})
        page = post(page, "password-form", {"password": self.user["password"]})
        page = get(f"{self.rp_url}/gosuslugi/link")
        page = post(page, "gosuslugi-continue-form", {})
        page = post(
            page,
            "login-form",
            {"login": self.person["mobile"], "password": self.person["password"]},
        )
        code = self.control.get(self.sms_url).json()[0]["code"]
        page = post(page, "sms-form", {"code": code})
        page = post(page, "consent-form", {"decision": "allow"})
        page = post(page, "gosuslugi-link-form", {})
        page = post(page, "gosuslugi-password-form", {"password": self.user["password"]})
        assert 'data-testid="verified-mark"' in page.text, page.url
        page = get(f"{self.rp_url}/settings/security/gosuslugi/disable")
        page = post(page, "unlink-form", {})
        assert 'data-testid="verified-mark"' not in page.text, page.url
        b.close()
        return b.requests + self.control.requests - before

    def close(self) -> None:
        """Close the kept-alive control and back-channel connections."""
        self.control.close()
