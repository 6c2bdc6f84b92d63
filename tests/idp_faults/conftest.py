"""A live IdP for the fault and report-card tests, and a scripted relying party driving it.

One server per session (real werkzeug on a free port, SQLite in a tmp instance); every test
starts from `POST /_control/reset` (fixtures back, faults and recordings cleared, clock 0).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.harness.control import GosuslugiControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.harness.sign_in import sign_in
from gosuslugi_sandbox.idp import create_app
from tests.idp_esia.conftest import EsiaTestClient

RP_BASE = "http://127.0.0.1:5555"
SFERUM_CALLBACK = f"{RP_BASE}/gosuslugi/callback"
PUBLIC_CALLBACK = f"{RP_BASE}/callback"
SCOPE = "openid profile snils email mobile"
ROSHCHINA = {"oid": 1000000001, "login": "+7 965 123-45-75", "password": "Roshchina-2024"}
ROSHCHINA_PHONE = "+79651234575"


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    """The IdP served on a free port for the whole session."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("idp-faults")),
            "SECRET_KEY": "fault-tests",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SMS_RESEND_SECONDS": 0,
            "SFERUM_URL": RP_BASE,
            "FAULT_MAX_DELAY": 5,
        }
    )
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()
    app.extensions["idp"].db.dispose()


@pytest.fixture(autouse=True)
def fresh(idp):
    """Each test starts from the fixtures: no faults, no recordings, clock at real time."""
    GosuslugiControl(idp.url).reset()  # raises unless it answers 200
    yield


def arm(base: str, fault: str, **body) -> dict:
    """Arm a fault over the control API; the stored fault."""
    response = requests.post(f"{base}/_control/faults", json={"fault": fault, **body}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def b64json(part: str) -> dict:
    """Decode one base64url JSON part of a compact JWS."""
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def parts(token: str) -> tuple[dict, dict, str]:
    """(header, claims, signature part) of a compact JWS, unverified."""
    head, body, signature = token.split(".")
    return b64json(head), b64json(body), signature


def jwks(base: str) -> dict:
    """The JWKS document as served now."""
    response = requests.get(f"{base}/jwks.json", timeout=5)
    assert response.status_code == 200
    return response.json()


def verify(base: str, token: str, algorithms=("RS256", "ES256")) -> dict:
    """Verify against the served JWKS (by kid); the claims."""
    keys = KeySet.import_key_set(jwks(base))
    return dict(jwt.decode(token, keys, algorithms=list(algorithms)).claims)


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    """(verifier, challenge)."""
    verifier = secrets.token_urlsafe(48)
    if method == "plain":
        return verifier, verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Rp:
    """A scripted OIDC relying party: each step is one HTTP request it chooses to send."""

    base: str
    client_id: str = "sferum"
    secret: str | None = "sferum-secret"
    redirect_uri: str = SFERUM_CALLBACK
    auth_method: str = "basic"  # basic | post (client_secret_post)
    browser: HttpBrowser = field(default_factory=lambda: HttpBrowser(stop_at=(RP_BASE,)))
    verifier: str | None = None
    nonce: str | None = None
    state: str | None = None

    def authorize_url(self, state="fresh", nonce="fresh", pkce: str | None = "S256",
                      scope: str = SCOPE) -> str:  # fmt: skip
        """An authorization URL; "fresh" = a new random value, None = leave it out."""
        self.state = secrets.token_urlsafe(24) if state == "fresh" else state
        self.nonce = secrets.token_urlsafe(16) if nonce == "fresh" else nonce
        params = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": self.redirect_uri, "scope": scope}  # fmt: skip
        if self.state is not None:
            params["state"] = self.state
        if self.nonce is not None:
            params["nonce"] = self.nonce
        self.verifier = None
        if pkce:
            self.verifier, challenge = pkce_pair(pkce)
            params.update(code_challenge=challenge, code_challenge_method=pkce)
        return f"{self.base}/authorize?{urlencode(params)}"

    def login(self, url: str) -> dict[str, str]:
        """The browser part (password, SMS, consent); the callback's query."""
        sign_in(self.browser, self.browser.open(url), ROSHCHINA["login"], ROSHCHINA["password"],
                lambda: GosuslugiControl(self.base).sms_code(ROSHCHINA_PHONE))  # fmt: skip
        assert self.browser.stopped_at, f"no callback; at {self.browser.page.url}"
        return {k: v[0] for k, v in parse_qs(urlsplit(self.browser.stopped_at).query).items()}

    def _auth(self, form: dict) -> dict:
        if self.secret is None or self.auth_method == "post":
            form["client_id"] = self.client_id
            if self.secret is not None:
                form["client_secret"] = self.secret
            return {}
        return {"auth": (self.client_id, self.secret)}

    def exchange(self, code: str, verifier: str | None = "current") -> requests.Response:
        """POST /token with the code (and the verifier of the last authorization URL)."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        verifier = self.verifier if verifier == "current" else verifier
        if verifier:
            form["code_verifier"] = verifier
        return requests.post(f"{self.base}/token", data=form, timeout=10, **self._auth(form))

    def refresh(self, refresh_token: str) -> requests.Response:
        """POST /token with a refresh token."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return requests.post(f"{self.base}/token", data=form, timeout=10, **self._auth(form))

    def userinfo(self, access_token: str) -> requests.Response:
        """GET /userinfo with the access token."""
        headers = {"Authorization": f"Bearer {access_token}"}
        return requests.get(f"{self.base}/userinfo", headers=headers, timeout=10)

    def code(self, **url_args) -> str:
        """A full login ending in a code."""
        callback = self.login(self.authorize_url(**url_args))
        assert "code" in callback, callback
        return callback["code"]

    def tokens(self, **url_args) -> dict:
        """Login and code exchange; the token response body (200 asserted)."""
        response = self.exchange(self.code(**url_args))
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def rp(idp) -> Rp:
    """The confidential `sferum` client (client_secret_basic, RS256, refresh)."""
    return Rp(idp.url)


@pytest.fixture
def public_rp(idp) -> Rp:
    """The public `demo-public` client (PKCE required)."""
    return Rp(idp.url, client_id="demo-public", secret=None, redirect_uri=PUBLIC_CALLBACK)


@pytest.fixture
def es256_rp(idp) -> Rp:
    """The `demo-es256` client: ID tokens signed ES256, client_secret_post."""
    return Rp(idp.url, client_id="demo-es256", secret="demo-es256-secret",
              redirect_uri=PUBLIC_CALLBACK, auth_method="post")  # fmt: skip


def esia_client(idp, client_id: str = "esia-none", mode: str = "none") -> EsiaTestClient:
    """An ESIA relying party (tests/idp_esia's signer) on this server."""
    return EsiaTestClient(idp.url, client_id, mode, browser=HttpBrowser(stop_at=(RP_BASE,)))


def esia_tokens(idp, client, v3: bool = True) -> dict:
    """A full ESIA login (a new browser, so no SSO) and code exchange; the token response."""
    client.browser = HttpBrowser(stop_at=(RP_BASE,))
    response = client.token("authorization_code", client.code_for(ROSHCHINA), v3=v3)
    assert response.status_code == 200, response.text
    return response.json()


def report(base: str, client_id: str) -> dict[str, str]:
    """check id → status of a client's report card."""
    response = requests.get(f"{base}/_control/clients/{client_id}/report", timeout=10)
    assert response.status_code == 200, response.text
    return {c["id"]: c["status"] for c in response.json()["checks"]}
