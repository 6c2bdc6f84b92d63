"""Gosuslugi over OpenID Connect: code flow with PKCE S256, state and nonce kept in the database."""

from __future__ import annotations

import logging
import secrets

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi import client
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity, PersonFields, map_identity
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.web import now

log = logging.getLogger(__name__)

# The standard claims, and Gosuslugi's own `snils`; an unknown gender is left empty.
CLAIMS = PersonFields(
    "claims",
    {"last_name": "family_name", "first_name": "given_name", "birth_date": "birthdate"},
    genders={"male": "M", "female": "F", "M": "M", "F": "F"},
    unknown_gender_refused=False,
)


class OidcProtocol(GosuslugiTrip):
    """The trip over OpenID Connect."""

    name = "oidc"

    def _session(self):
        cfg = settings()
        return client.oauth_session(
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            scope=cfg.scope,
            redirect_uri=self.redirect_uri(),
            code_challenge_method="S256",
        )

    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh state, nonce and PKCE verifier; return the authorization URL."""
        doc = client.discovery()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        LinkAttempt.start(purpose, user_id, state, nonce=nonce, code_verifier=verifier)
        with self._session() as session:
            url, _ = session.create_authorization_url(
                doc["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return url, state

    def exchange(self, attempt: LinkAttempt, code: str) -> dict:
        """The code and the PKCE verifier for tokens; an id_token must come back."""
        token = client.fetch_token(
            self._session(),
            client.discovery()["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=attempt.row.code_verifier,
            redirect_uri=self.redirect_uri(),
        )
        if not isinstance(token.get("id_token"), str):
            raise GosuslugiError("idp_garbage", "token response without id_token")
        return token

    def verify(self, attempt: LinkAttempt, token: dict) -> dict:
        """The ID token's signature and claims; its claims."""
        # on first use: joserfc underneath (~40 ms) is needed by a login, not by every start
        from gosuslugi_sandbox.relying_party.gosuslugi.idtoken import check_claims, verify_signature
        from gosuslugi_sandbox.relying_party.gosuslugi.signed import TimeRules

        cfg, doc = settings(), client.discovery()
        claims = verify_signature(
            token["id_token"], list(cfg.id_token_algs), lambda force: client.jwks(force)
        )
        check_claims(
            claims,
            issuer=doc["issuer"],
            client_id=cfg.client_id,
            nonce=attempt.row.nonce,
            rules=TimeRules.from_settings(cfg, now()),
            trusted_audiences=cfg.trusted_audiences,
        )
        return claims

    def identity(self, token: dict, verified: dict) -> Identity:
        """The ID token's claims and, when the IdP has it, userinfo's."""
        claims, doc = verified, client.discovery()
        if doc.get("userinfo_endpoint"):
            claims = {**claims, **self._userinfo(doc, token, claims["sub"])}
        return map_identity(str(claims["sub"]), claims, CLAIMS, claims.get("trusted") is True)

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
