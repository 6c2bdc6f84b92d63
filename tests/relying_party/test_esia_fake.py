"""A tiny, deliberately misbehaving ESIA endpoint set, and the fixtures that wire an RP to it.

/aas/oauth2/ac redirects straight back (code or error), /aas/oauth2/te answers with tokens the
test shaped (other key, other claims, no echoed state, HTTP errors), /esia/certs/RS256.pem serves
its certificate, /rs/prns/<oid> the person. It checks the RP's CMS client_secret on both calls.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from flask import Flask, Response, jsonify, redirect, request

from gosuslugi_sandbox.harness.servers import LiveServer
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from tests.relying_party.conftest import Sferum, rp_builder

ISSUER = "http://esia.gosuslugi.ru/"
CLIENT_ID = "esia-cms"
OID = 1000000001
CMS_CERT = FIXTURES_DIR / "esia" / "cms-client.crt.pem"
ROSHCHINA = {
    "stateFacts": ["EntityRoot"],
    "firstName": "Елизавета",
    "lastName": "Рощина",
    "middleName": "Вадимовна",
    "birthDate": "23.04.1990",
    "gender": "F",
    "trusted": True,
    "citizenship": "RUS",
    "snils": "112-233-445 95",
    "status": "REGISTERED",
}


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_pem(key: rsa.RSAPrivateKey, days: int = 30) -> str:
    """A self-signed certificate for key (PEM), valid from yesterday for days (or expired)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake ESIA")])
    start = datetime.now(UTC) - timedelta(days=1 if days > 0 else 10)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(datetime.now(UTC) + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def sign_jws(header: dict, claims: dict, key: rsa.RSAPrivateKey | bytes | None) -> str:
    """A compact JWS: RS256 with an RSA key, HS256 with bytes, an empty signature with None."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    if isinstance(key, bytes):
        signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    else:
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def patched(data: dict, patch: dict) -> dict:
    """data with patch applied; a value of None removes the key."""
    result = {**data, **patch}
    return {k: v for k, v in result.items() if v is not None}


def verify_cms(secret: str, message: str, certificate: x509.Certificate) -> bool:
    """Whether secret (base64url DER) is a detached CMS signature of message by certificate."""
    info = cms.ContentInfo.load(base64.urlsafe_b64decode(secret))
    signer = info["content"]["signer_infos"][0]
    attrs = signer["signed_attrs"]
    digest = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
    if digest != hashlib.sha256(message.encode()).digest():
        return False
    der = attrs.untag().dump(force=True)  # signed over as a SET OF, not [0] IMPLICIT
    certificate.public_key().verify(
        signer["signature"].native, der, padding.PKCS1v15(), hashes.SHA256()
    )
    return True


class FakeEsia:
    """What the tests tell it to be; everything the RP sent is recorded."""

    def __init__(self) -> None:
        self.url = ""
        self.key = new_key()
        self.cert_pem = certificate_pem(self.key)
        self.client_cert = x509.load_pem_x509_certificate(CMS_CERT.read_bytes())
        self.callback_error: dict | None = None
        self.id_patch: dict = {}
        self.access_patch: dict = {}
        self.id_header_patch: dict = {}
        self.access_header_patch: dict = {}
        self.id_key = self.access_key = self.key
        self.echo_state = True
        self.token_drop: tuple[str, ...] = ()
        self.token_status, self.token_raw, self.token_delay = 200, None, 0.0
        self.person_patch: dict = {}
        self.person_status = 200
        self.cert_status, self.cert_raw = 200, None
        self.requests: list[tuple[str, dict]] = []
        self.app = self._build()

    def count(self, path: str) -> int:
        """How many requests reached that path."""
        return sum(1 for p, _ in self.requests if p == path)

    def last(self, path: str) -> dict:
        """The parameters (and Authorization) of the last request to that path."""
        return [d for p, d in self.requests if p == path][-1]

    def tokens(self) -> tuple[str, str]:
        """(id_token, access_token) as the test shaped them."""
        now = int(time.time())
        id_claims = {
            "aud": CLIENT_ID, "sub": OID, "nbf": now, "exp": now + 10800, "iat": now,
            "auth_time": now, "iss": ISSUER, "amr": "PWD", "urn:esia:amd": "PWD",
            "urn:esia:sid": "sid-1",
            "urn:esia:sbj": {
                "urn:esia:sbj:typ": "P", "urn:esia:sbj:is_tru": True,
                "urn:esia:sbj:oid": OID, "urn:esia:sbj:nam": f"OID.{OID}",
            },
        }  # fmt: skip
        access_claims = {
            "nbf": now, "exp": now + 3600, "iat": now, "iss": ISSUER, "client_id": CLIENT_ID,
            "scope": f"openid fullname?oid={OID}", "urn:esia:sid": "sid-1",
            "urn:esia:sbj_id": OID,
        }  # fmt: skip
        id_header = {"ver": 0, "typ": "JWT", "sbt": "id", "alg": "RS256"}
        access_header = {"ver": 1, "typ": "JWT", "sbt": "access", "alg": "RS256"}
        id_token = sign_jws(
            patched(id_header, self.id_header_patch),
            patched(id_claims, self.id_patch),
            self.id_key,
        )
        access_token = sign_jws(
            patched(access_header, self.access_header_patch),
            patched(access_claims, self.access_patch),
            self.access_key,
        )
        return id_token, access_token

    def _check_secret(self, params) -> bool:
        message = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
        return verify_cms(params["client_secret"], message, self.client_cert)

    def _build(self) -> Flask:
        app = Flask(__name__)

        @app.get("/aas/oauth2/ac")
        def authorize():
            self.requests.append((request.path, dict(request.args)))
            assert self._check_secret(request.args)
            params = {"code": "fake-code"} if self.callback_error is None else self.callback_error
            query = urlencode({**params, "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/aas/oauth2/te")
        def token():
            self.requests.append((request.path, dict(request.form)))
            assert self._check_secret(request.form)
            time.sleep(self.token_delay)
            if self.token_raw is not None:
                return Response(self.token_raw, self.token_status, mimetype="application/json")
            id_token, access_token = self.tokens()
            body = {
                "access_token": access_token, "id_token": id_token, "token_type": "Bearer",
                "refresh_token": "r", "expires_in": 3600,
                "state": request.form["state"] if self.echo_state else "other",
            }  # fmt: skip
            for name in self.token_drop:
                body.pop(name)
            return jsonify(body), self.token_status

        @app.get("/esia/certs/RS256.pem")
        def certificate():
            self.requests.append((request.path, {}))
            body = self.cert_raw if self.cert_raw is not None else self.cert_pem
            return Response(body, self.cert_status, mimetype="application/x-pem-file")

        @app.get("/rs/prns/<int:oid>")
        def person(oid: int):
            self.requests.append(
                (request.path, {"authorization": request.headers.get("Authorization")})
            )
            return jsonify(patched(ROSHCHINA, self.person_patch)), self.person_status

        return app


@pytest.fixture
def fake_esia():
    """The fake ESIA endpoints, live."""
    fake = FakeEsia()
    server = LiveServer(fake.app).start()
    fake.url = server.url
    yield fake
    server.stop()


@pytest.fixture
def make_esia_rp(tmp_path, fake_esia):
    """Build a live RP speaking ESIA to the fake; keyword arguments go to the test config."""
    with rp_builder(tmp_path, fake_esia.url, PROTOCOL="esia") as build:
        yield build


@pytest.fixture
def esia_rp(make_esia_rp) -> Sferum:
    """A live ESIA RP with default settings."""
    return make_esia_rp()


def test_the_fake_itself_serves_a_valid_login(esia_rp, fake_esia):
    """Sanity check of the fake: unmodified, it yields Рощина's identity."""
    browser = esia_rp.login("123456")
    page = esia_rp.start_link(browser)
    assert page.has("gosuslugi-link-button"), page.text()
    assert fake_esia.count("/aas/oauth2/te") == 1
