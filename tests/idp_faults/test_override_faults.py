"""token-header-override (a token re-signed with another header or key) and document-override
(any successful answer reshaped: JSON members, body, text, a certificate, status), both
dialects, armed through the control API as a relying party's negative tests arm them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from gosuslugi_sandbox.shared.config import FIXTURES_DIR

from .conftest import arm, esia_client, esia_tokens, jwks, parts, verify
from .test_answer_faults import remaining
from .test_esia_faults import verify_rs256

OID = 1000000001
CERT = "/esia/certs/RS256.pem"
OTHER = serialization.load_pem_private_key(
    (FIXTURES_DIR / "faults" / "other-rsa.key.pem").read_bytes(), password=None
)


def signed_by_other(token: str) -> bool:
    """Whether token carries a valid RS256 signature by the IdP's unpublished `other` key."""
    head, body, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    try:
        OTHER.public_key().verify(raw, f"{head}.{body}".encode(), padding.PKCS1v15(),
                                  hashes.SHA256())  # fmt: skip
    except InvalidSignature:
        return False
    return True


def test_id_token_signed_by_the_other_key_with_a_kid_set(idp, rp):
    params = {"key": "other", "set": {"kid": "unknown-kid"}}
    arm(idp.url, "token-header-override", client_id="sferum", params=params)
    token = rp.tokens()["id_token"]
    header, claims, _signature = parts(token)
    assert header == {"alg": "RS256", "kid": "unknown-kid", "typ": "JWT"}
    assert claims["sub"] == str(OID) and signed_by_other(token)
    honest = rp.tokens()["id_token"]  # the fault was used once
    assert verify(idp.url, honest)["sub"] == str(OID) and not signed_by_other(honest)


def test_claim_faults_armed_alongside_still_show(idp, rp):
    arm(idp.url, "invalid-iss", client_id="sferum")
    arm(idp.url, "token-header-override", client_id="sferum", params={"set": {"typ": "at+jwt"}})
    token = rp.tokens()["id_token"]
    header, claims, _signature = parts(token)
    assert header["typ"] == "at+jwt" and claims["iss"].endswith("/invalid-issuer")
    assert verify(idp.url, token)["iss"] == claims["iss"]  # signed by the IdP's own key


def test_hmac_keyed_with_the_published_modulus(idp, rp):
    params = {"key": "public", "remove": ["kid"]}
    arm(idp.url, "token-header-override", client_id="sferum", params=params)
    token = rp.tokens()["id_token"]
    header, claims, signature = parts(token)
    assert header == {"alg": "HS256", "typ": "JWT"} and claims["sub"] == str(OID)
    modulus = next(k["n"] for k in jwks(idp.url)["keys"] if k["kty"] == "RSA")
    head, body, _ = token.split(".")
    expected = hmac.new(modulus.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert signature == base64.urlsafe_b64encode(expected).rstrip(b"=").decode()


def test_unsigned_keeps_the_alg_unless_set(idp, rp):
    arm(idp.url, "token-header-override", client_id="sferum", params={"key": "none"})
    header, _claims, signature = parts(rp.tokens()["id_token"])
    assert header["alg"] == "RS256" and signature == ""


def test_esia_access_token_header_and_both_tokens_by_the_other_key(idp):
    client = esia_client(idp)
    params = {"token": "access", "set": {"sbt": "id"}}
    arm(idp.url, "token-header-override", client_id="esia-none", params=params)
    body = esia_tokens(idp, client)
    header, access = verify_rs256(idp.url, body["access_token"])  # still the IdP's key
    assert header == {"ver": 1, "typ": "JWT", "sbt": "id", "alg": "RS256"}
    assert access["urn:esia:sbj_id"] == OID
    assert verify_rs256(idp.url, body["id_token"])[0]["sbt"] == "id"
    arm(idp.url, "token-header-override", params={"token": "both", "key": "other",
                                                  "remove": ["sbt"]})  # fmt: skip
    body = esia_tokens(idp, client)
    assert signed_by_other(body["access_token"]) and signed_by_other(body["id_token"])
    assert "sbt" not in parts(body["id_token"])[0]
    # the re-signed access token is the one the IdP stored: the person REST takes it
    person = requests.get(f"{idp.url}/rs/prns/{OID}", timeout=5,
                          headers={"Authorization": f"Bearer {body['access_token']}"})  # fmt: skip
    assert person.status_code == 200 and person.json()["firstName"]


def test_an_access_token_override_is_given_back_by_oidc(idp, rp):
    """OIDC access tokens are opaque: the fault waits for a token it can re-sign."""
    arm(idp.url, "token-header-override", params={"token": "access", "key": "none"})
    assert verify(idp.url, rp.tokens()["id_token"])["sub"] == str(OID)
    assert remaining(idp.url, "token-header-override") == [1]


def test_document_override_sets_members_of_userinfo_and_the_person(idp, rp):
    access = rp.tokens()["access_token"]
    params = {"set": {"birthdate": "31.02.1990"}, "remove": ["sub"]}
    arm(idp.url, "document-override", endpoint="userinfo", client_id="sferum", params=params)
    faulty = rp.userinfo(access).json()
    assert faulty["birthdate"] == "31.02.1990" and "sub" not in faulty
    assert rp.userinfo(access).json()["sub"] == str(OID)
    esia_access = esia_tokens(idp, esia_client(idp))["access_token"]
    arm(idp.url, "document-override", endpoint="person", params={"set": {"gender": "female"}})
    url, headers = f"{idp.url}/rs/prns/{OID}", {"Authorization": f"Bearer {esia_access}"}
    assert requests.get(url, headers=headers, timeout=5).json()["gender"] == "female"


def test_document_override_leaves_error_answers_alone(idp, rp):
    arm(idp.url, "document-override", endpoint="userinfo", params={"set": {"x": 1}})
    assert rp.userinfo("not-a-token").status_code == 401
    assert remaining(idp.url, "document-override") == [1]


def test_document_override_status_body_and_text(idp):
    arm(idp.url, "document-override", endpoint="discovery", params={"status": 404, "body": {}})
    discovery = requests.get(f"{idp.url}/.well-known/openid-configuration", timeout=5)
    assert discovery.status_code == 404 and discovery.json() == {}
    params = {"text": "<html>oops</html>", "content_type": "text/html; charset=utf-8"}
    arm(idp.url, "document-override", endpoint="jwks", params=params)
    page = requests.get(f"{idp.url}/jwks.json", timeout=5)
    assert page.status_code == 200 and page.text == "<html>oops</html>"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert requests.get(f"{idp.url}/jwks.json", timeout=5).json()["keys"]


def test_the_esia_certificate_endpoint(idp):
    url = idp.url + CERT
    honest = requests.get(url, timeout=5).text
    params = {"certificate": {"key": "other", "days": -2}}
    arm(idp.url, "document-override", endpoint="certificate", params=params)
    cert = x509.load_pem_x509_certificate(requests.get(url, timeout=5).content)
    assert cert.public_key().public_numbers() == OTHER.public_key().public_numbers()
    assert cert.not_valid_after_utc < datetime.now(UTC) - timedelta(days=1)  # expired
    arm(idp.url, "document-override", endpoint="certificate", params={"certificate": {}})
    cert = x509.load_pem_x509_certificate(requests.get(url, timeout=5).content)
    served = x509.load_pem_x509_certificate(honest.encode())
    assert cert.public_key() == served.public_key() and cert != served  # the IdP's key
    assert cert.not_valid_before_utc < datetime.now(UTC) < cert.not_valid_after_utc
    arm(idp.url, "document-override", endpoint="certificate",
        params={"status": 404, "text": "not found"})  # fmt: skip
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 404 and missing.text == "not found"
    arm(idp.url, "http-503", endpoint="certificate")
    assert requests.get(url, timeout=5).status_code == 503
    assert requests.get(url, timeout=5).text == honest
