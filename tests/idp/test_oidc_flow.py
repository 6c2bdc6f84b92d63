"""A standard OIDC client (Authlib's OAuth2Session) logs in as Рощина: code flow with PKCE."""

from __future__ import annotations

import hashlib
import secrets

import requests
from authlib.common.encoding import urlsafe_b64encode
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import CALLBACK, SCOPE


def verify_id_token(base: str, id_token: str) -> tuple[dict, dict]:
    """Verify the signature against the JWKS fetched over HTTP; return (header, claims)."""
    jwks = requests.get(f"{base}/jwks.json", timeout=5).json()
    assert all("kid" in k for k in jwks["keys"])
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256", "ES256"])
    return dict(token.header), dict(token.claims)


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return urlsafe_b64encode(digest[:16]).decode()


def public_client(scope: str = SCOPE) -> OAuth2Session:
    return OAuth2Session(
        client_id="demo-public",
        token_endpoint_auth_method="none",
        code_challenge_method="S256",
        scope=scope,
        redirect_uri=CALLBACK,
    )


def test_discovery_lists_existing_endpoints(idp_server):
    doc = requests.get(f"{idp_server.url}/.well-known/openid-configuration", timeout=5).json()
    assert doc["issuer"] == idp_server.url
    assert "openid" in doc["scopes_supported"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        doc["token_endpoint_auth_methods_supported"]
    )
    for name in ("jwks_uri", "userinfo_endpoint", "end_session_endpoint"):
        assert requests.get(doc[name], timeout=5).status_code != 404, name


def test_standard_client_logs_in_as_roshchina(idp_server, login_flow, frozen):
    base = idp_server.url
    client = public_client()
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, state = client.create_authorization_url(
        f"{base}/authorize", code_verifier=verifier, nonce=nonce
    )
    result = login_flow(url)
    assert result.params["state"] == state
    token = client.fetch_token(
        f"{base}/token", authorization_response=result.callback, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer"
    header, claims = verify_id_token(base, token["id_token"])
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == base
    assert claims["aud"] == "demo-public"
    assert claims["sub"] == "1000000001"
    assert claims["nonce"] == nonce
    assert claims["amr"] == ["pwd", "sms"]
    assert claims["acr"] == "confirmed"
    assert claims["trusted"] is True
    assert claims["auth_time"] == int(frozen.value)
    assert claims["iat"] == int(frozen.value)
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["at_hash"] == at_hash(token["access_token"])
    assert claims["family_name"] == "Рощина"
    assert claims["given_name"] == "Елизавета"
    assert claims["middle_name"] == "Вадимовна"
    assert claims["birthdate"] == "1990-04-23"
    assert claims["gender"] == "female"
    assert claims["snils"] == "112-233-445 95"
    assert claims["email"] == "roshchina@example.ru"
    assert claims["phone_number"] == "+79651234575"

    # userinfo by GET (header) and by POST
    info = client.get(f"{base}/userinfo").json()
    assert info["sub"] == claims["sub"] and info["family_name"] == "Рощина"
    posted = requests.post(
        f"{base}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    ).json()
    assert posted == info


def test_scope_limits_claims(idp_server, login_flow):
    client = public_client(scope="openid fullname")
    verifier = secrets.token_urlsafe(48)
    url, _ = client.create_authorization_url(f"{idp_server.url}/authorize", code_verifier=verifier)
    result = login_flow(url)
    token = client.fetch_token(
        f"{idp_server.url}/token", authorization_response=result.callback, code_verifier=verifier
    )
    _, claims = verify_id_token(idp_server.url, token["id_token"])
    assert claims["family_name"] == "Рощина"
    assert "nonce" not in claims
    for absent in ("birthdate", "gender", "snils", "email", "phone_number"):
        assert absent not in claims


def confidential_tokens(idp_server, login_flow, client_id, secret, method, scope=SCOPE):
    client = OAuth2Session(
        client_id=client_id,
        client_secret=secret,
        token_endpoint_auth_method=method,
        scope=scope,
        redirect_uri=CALLBACK,
    )
    url, _ = client.create_authorization_url(f"{idp_server.url}/authorize")
    result = login_flow(url)
    token = client.fetch_token(f"{idp_server.url}/token", authorization_response=result.callback)
    return client, token


def test_es256_client_with_client_secret_post(idp_server, login_flow):
    _, token = confidential_tokens(
        idp_server, login_flow, "demo-es256", "demo-es256-secret", "client_secret_post"
    )
    header, claims = verify_id_token(idp_server.url, token["id_token"])
    assert header["alg"] == "ES256"
    assert claims["aud"] == "demo-es256"


def test_client_secret_basic_and_wrong_secret(idp_server, login_flow):
    client = OAuth2Session(
        client_id="demo-es256",
        client_secret="wrong",
        token_endpoint_auth_method="client_secret_post",
        scope="openid",
        redirect_uri=CALLBACK,
    )
    url, _ = client.create_authorization_url(f"{idp_server.url}/authorize")
    result = login_flow(url)
    response = requests.post(
        f"{idp_server.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": CALLBACK,
            "client_id": "demo-es256",
            "client_secret": "wrong",
        },
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_rotates_and_returns_id_token(idp_server, login_flow):
    client, token = confidential_tokens(
        idp_server, login_flow, "demo-es256", "demo-es256-secret", "client_secret_post"
    )
    _, first = verify_id_token(idp_server.url, token["id_token"])
    refreshed = client.refresh_token(f"{idp_server.url}/token", token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    _, again = verify_id_token(idp_server.url, refreshed["id_token"])
    assert (again["sub"], again["iss"], again["auth_time"]) == (
        first["sub"],
        first["iss"],
        first["auth_time"],
    )
    # the old pair is revoked by the rotation
    old = requests.get(
        f"{idp_server.url}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    )
    assert old.status_code == 401
    reuse = requests.post(
        f"{idp_server.url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": "demo-es256",
            "client_secret": "demo-es256-secret",
        },
        timeout=5,
    )
    assert reuse.json()["error"] == "invalid_grant"


def test_refresh_is_bound_to_its_client(idp_server, login_flow):
    _, token = confidential_tokens(
        idp_server, login_flow, "demo-es256", "demo-es256-secret", "client_secret_post"
    )
    response = requests.post(
        f"{idp_server.url}/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=("sferum", "sferum-secret"),
        timeout=5,
    )
    assert response.json()["error"] == "invalid_grant"


def test_revocation(idp_server, login_flow):
    _, token = confidential_tokens(
        idp_server, login_flow, "demo-es256", "demo-es256-secret", "client_secret_post"
    )
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(f"{idp_server.url}/userinfo", headers=bearer, timeout=5).ok
    revoked = requests.post(
        f"{idp_server.url}/revoke",
        data={
            "token": token["access_token"],
            "client_id": "demo-es256",
            "client_secret": "demo-es256-secret",
        },
        timeout=5,
    )
    assert revoked.status_code == 200
    after = requests.get(f"{idp_server.url}/userinfo", headers=bearer, timeout=5)
    assert after.status_code == 401
    assert after.json()["error"] == "invalid_token"


def test_access_token_expires(idp_server, login_flow, frozen):
    _, token = confidential_tokens(
        idp_server, login_flow, "demo-es256", "demo-es256-secret", "client_secret_post"
    )
    frozen.advance(3601)
    response = requests.get(
        f"{idp_server.url}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    )
    assert response.status_code == 401
