"""Gosuslugi over OpenID Connect: code flow with PKCE S256, state and nonce kept in the database."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi import client
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import store_attempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.idtoken import check_claims, verify_signature
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.web import now
from gosuslugi_sandbox.shared.formats import FormatError, parse_date

if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session

log = logging.getLogger(__name__)

GENDERS = {"male": "M", "female": "F", "M": "M", "F": "F"}


class OidcProtocol(GosuslugiTrip):
    """The trip over OpenID Connect."""

    name = "oidc"

    def _session(self) -> OAuth2Session:
        # imported on first use: requests + Authlib's client are ~45 ms of the app's start
        from authlib.integrations.requests_client import OAuth2Session

        cfg = settings()
        session = OAuth2Session(
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            scope=cfg.scope,
            redirect_uri=self.redirect_uri(),
            code_challenge_method="S256",
        )
        session.register_compliance_hook("access_token_response", _refuse_server_errors)
        return session

    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh state, nonce and PKCE verifier; return the authorization URL."""
        doc = client.discovery()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        store_attempt(state, purpose, user_id, nonce=nonce, code_verifier=verifier)
        with self._session() as session:
            url, _ = session.create_authorization_url(
                doc["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return url, state

    def identity(self, attempt, code: str) -> dict:
        """Exchange the code with PKCE, validate the ID token, then userinfo."""
        doc = client.discovery()
        token = self._exchange(doc, code, attempt.code_verifier)
        claims = self._validate_id_token(doc, token.get("id_token"), attempt.nonce)
        if doc.get("userinfo_endpoint"):
            claims = {**claims, **self._userinfo(doc, token, claims["sub"])}
        return identity_of(claims)

    def _exchange(self, doc: dict, code: str, verifier: str) -> dict:
        import requests
        from authlib.common.errors import AuthlibBaseError

        try:
            with self._session() as session:
                token = session.fetch_token(
                    doc["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                    redirect_uri=self.redirect_uri(),
                    timeout=client.timeouts(),
                    allow_redirects=False,
                    verify=client.tls_verify(),  # per request: REQUESTS_CA_BUNDLE beats Session
                )
        except requests.RequestException as exc:
            raise client.translate_http_error(exc, "token") from exc
        except AuthlibBaseError as exc:
            raise GosuslugiError("token_error", f"token: {exc.error}") from exc
        except ValueError as exc:  # not JSON
            raise GosuslugiError("idp_garbage", "token: not JSON") from exc
        if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
            raise GosuslugiError("idp_garbage", "token response without id_token")
        return token

    def _validate_id_token(self, doc: dict, id_token: str, nonce: str) -> dict:
        cfg = settings()
        claims = verify_signature(
            id_token, list(cfg.id_token_algs), lambda force: client.jwks(force)
        )
        check_claims(
            claims,
            issuer=doc["issuer"],
            client_id=cfg.client_id,
            nonce=nonce,
            now=now(),
            leeway=cfg.clock_leeway,
            max_age=cfg.id_token_max_age,
            trusted_audiences=cfg.trusted_audiences,
        )
        return claims

    def _userinfo(self, doc: dict, token: dict, sub: str) -> dict:
        access_token = token.get("access_token")
        if not isinstance(access_token, str):
            raise GosuslugiError("idp_garbage", "token response without access_token")
        info = client.get_json(
            doc["userinfo_endpoint"], "userinfo", {"Authorization": f"Bearer {access_token}"}
        )
        if info.get("sub") != sub:
            raise GosuslugiError("userinfo_sub", "userinfo sub differs from the ID token's")
        return info


def _refuse_server_errors(response):
    if response.status_code >= 500:
        raise GosuslugiError("idp_unavailable", f"token: HTTP {response.status_code}")
    return response


def identity_of(claims: dict) -> dict:
    """The identity dict the views use, from verified claims."""

    def text(name: str) -> str:
        value = claims.get(name)
        return value.strip() if isinstance(value, str) else ""

    birth = text("birthdate")
    if birth:
        try:
            birth = parse_date(birth).isoformat()
        except FormatError as exc:
            raise GosuslugiError("idp_garbage", "birthdate unreadable") from exc
    return {
        "oid": str(claims["sub"]),
        "last_name": text("family_name"),
        "first_name": text("given_name"),
        "middle_name": text("middle_name"),
        "gender": GENDERS.get(text("gender"), ""),
        "birth_date": birth,
        "snils": text("snils"),
        "trusted": claims.get("trusted") is True,
    }
