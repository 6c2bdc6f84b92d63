"""Authlib's AuthorizationServer on our tables: code grant (+OpenID, +PKCE), refresh, revoke."""

from __future__ import annotations

import functools
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfoEndpoint
from flask import Flask, g
from sqlalchemy import bindparam, exists, select

from gosuslugi_sandbox.idp.config import Settings, settings
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person, Token
from gosuslugi_sandbox.idp.oidc.claims import user_claims
from gosuslugi_sandbox.idp.oidc.id_token import id_token_for_grant, issuer
from gosuslugi_sandbox.idp.resource_protector import protector
from gosuslugi_sandbox.idp.responses import json_response
from gosuslugi_sandbox.idp.runtime import db_session, digest, now
from gosuslugi_sandbox.idp.storage.consume import find_any_token, redeem_code, redeem_refresh_token
from gosuslugi_sandbox.shared.sql import dialect_name, upsert_insert

CLIENT_AUTH = ["client_secret_basic", "client_secret_post", "none"]
# whether a code of the client already carries the nonce (a replay), as an SQL column
NONCE_USED = exists().where(
    AuthorizationCode.client_id == bindparam("b_client"),
    AuthorizationCode.nonce == bindparam("b_nonce"),
)


def remember_nonce(client_id: str, nonce: str, used: bool) -> None:
    """Keep an answer to the nonce question read with another statement for the request."""
    g.setdefault("nonce_seen", {})[(client_id, nonce)] = bool(used)


class Server(AuthorizationServer):
    """Flask AuthorizationServer whose JSON answers pass through gosuslugi_sandbox.idp.responses."""

    def create_oauth2_request(self, request):
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def handle_response(self, status_code, payload, headers):
        if isinstance(payload, dict):
            return json_response(g.get("oidc_edge", "oauth"), payload, status_code, headers)
        return super().handle_response(status_code, payload, headers)


class S256Only(CodeChallenge):
    """PKCE: only S256; mandatory for public clients, verified whenever sent."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's class attribute
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256 (plain is refused)")
        if grant.request.client.is_public and not data.get("code_challenge"):
            raise InvalidRequestError("PKCE code_challenge (S256) is required for public clients")
        return super().validate_code_challenge(grant, redirect_uri)


class OpenIDCodeExt(OpenIDCode):
    """OpenID Connect for the code grant; the ID token itself is built in
    gosuslugi_sandbox.idp.oidc.id_token."""

    def exists_nonce(self, nonce: str, request) -> bool:
        # On resume with consent given the code's INSERT decides (save_authorization_code):
        # a read here could not stop two resumes at once. Elsewhere (/authorize, where it
        # came with the client: gosuslugi_sandbox.idp.oidc.preloads, or a denied consent)
        # it is asked of the database once per request: Authlib validates twice on resume.
        inter = g.get("interaction")
        if inter is not None and inter.consent == "allow":
            return False
        key = (request.payload.client_id, nonce)
        seen = g.setdefault("nonce_seen", {})
        if key not in seen:
            params = {"b_client": key[0], "b_nonce": nonce}
            seen[key] = bool(db_session().scalar(select(NONCE_USED), params))
        return seen[key]

    def generate_user_info(self, user: Person, scope: str) -> dict[str, Any]:
        return user_claims(user, scope.split())

    def encode_id_token(self, token: dict, request) -> str:
        return id_token_for_grant(token, request.client, request.user, request.authorization_code)


@functools.cache
def _save_code(dialect: str):
    """INSERT … ON CONFLICT (client_id, nonce) DO NOTHING RETURNING id, built once."""
    table = AuthorizationCode.__table__
    columns = [c.key for c in table.columns if c.key != "id"]
    statement = upsert_insert(dialect, table).values({c: bindparam(c) for c in columns})
    return statement.on_conflict_do_nothing(index_elements=["client_id", "nonce"]).returning(
        table.c.id
    )


class CodeGrant(grants.AuthorizationCodeGrant):
    """Authorization code grant: 60 s codes stored as digests, single use, reuse revokes."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH

    def save_authorization_code(self, code: str, request) -> None:
        # The unique (client_id, nonce) index decides a replayed nonce: of N resumes carrying
        # one nonce at once, one INSERT stores its code and the others store nothing.
        data = request.payload.data
        inter = g.get("interaction")
        row = {
            "code_hash": digest(code),
            "protocol": "oidc",
            "client_id": request.client.client_id,
            "person_oid": request.user.oid,
            "redirect_uri": data.get("redirect_uri") or "",
            "response_type": data.get("response_type") or "code",
            "scope": request.scope or "",
            "nonce": data.get("nonce"),
            "state": data.get("state"),
            "auth_time": int(inter.auth_time if inter else now()),
            "acr": request.user.level,
            "amr": list(inter.amr if inter else []),
            "code_challenge": data.get("code_challenge"),
            "code_challenge_method": data.get("code_challenge_method"),
            "session_id": inter.session_id if inter else None,
            "extra": {},
            "created_at": now(),
            "expires_at": now() + settings().code_ttl,
            "used_at": None,
        }
        session = db_session()
        if session.execute(_save_code(dialect_name(session)), row).first() is None:
            # Authlib's words for a used nonce, redirected to the client as its check does
            raise InvalidRequestError("Replay attack", redirect_uri=self.redirect_uri)

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        # Redeemed here, in one conditional UPDATE: of N requests with one code exactly one
        # gets the row (gosuslugi_sandbox.idp.storage.consume); a refused request rolls the
        # redemption back.
        return redeem_code(db_session(), code, client.client_id, "oidc", now())

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing left to do: the code was marked used when it was redeemed."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Person | None:
        return db_session().get(Person, authorization_code.person_oid)


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh tokens rotate: each use issues a new pair and revokes the old one."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        # Rotation decided by the database: one winner per refresh token
        # (gosuslugi_sandbox.idp.storage.consume).
        client_id = self.request.client.client_id
        return redeem_refresh_token(db_session(), refresh_token, client_id, "oidc", now())

    def authenticate_user(self, refresh_token: Token) -> Person | None:
        return db_session().get(Person, refresh_token.person_oid)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """Nothing left to do: redeeming the refresh token revoked the old pair."""


def add_refresh_id_token(grant, response) -> None:
    """OIDC Core §12.2: a refresh with scope openid returns a fresh ID token."""
    _status, token, _headers = response
    if "openid" in str(token.get("scope", "")).split():
        token["id_token"] = id_token_for_grant(
            token, grant.request.client, grant.request.user, grant.request.refresh_token
        )


def refresh_id_token_extension(grant) -> None:
    """Grant extension that adds the ID token to refresh responses."""
    grant.register_hook("after_create_token_response", add_refresh_id_token)


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking either token revokes the pair."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return find_any_token(db_session(), token_string)

    def revoke_token(self, token: Token, request) -> None:
        token.revoke()


class UserInfo(UserInfoEndpoint):
    """GET/POST userinfo: claims by the token's scope."""

    def generate_user_info(self, user: Person, scope: str) -> dict[str, Any]:
        return user_claims(user, scope.split())

    def get_issuer(self) -> str:
        return issuer()


def save_token(token: dict, request) -> None:
    """Store a new token pair as digests, carrying the login facts along refreshes."""
    origin = request.authorization_code or request.refresh_token
    db_session().add(
        Token(
            protocol="oidc",
            client_id=request.client.client_id,
            person_oid=request.user.oid if request.user else None,
            token_type=token.get("token_type", "Bearer"),
            access_token_hash=digest(token["access_token"]),
            refresh_token_hash=digest(token["refresh_token"])
            if token.get("refresh_token")
            else None,
            scope=token.get("scope", ""),
            issued_at=now(),
            expires_in=int(token.get("expires_in", 3600)),
            code_hash=getattr(origin, "code_hash", None),
            auth_time=getattr(origin, "auth_time", None),
            acr=getattr(origin, "acr", None),
            amr=list(getattr(origin, "amr", None) or []),
        )
    )


def query_client(client_id: str) -> Client | None:
    """A registered client or None."""
    return db_session().get(Client, client_id) if client_id else None


def create_server(app: Flask) -> Server:
    """Build the AuthorizationServer for the app."""
    ttl = Settings.from_config(app.config).access_token_ttl
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": ttl, "refresh_token": ttl}
    )
    server = Server(app, query_client=query_client, save_token=save_token)
    server.register_grant(CodeGrant, [OpenIDCodeExt(require_nonce=False), S256Only(required=True)])
    server.register_grant(RefreshGrant, [refresh_id_token_extension])
    server.register_endpoint(Revocation)
    server.register_endpoint(UserInfo(resource_protector=protector))
    return server
