"""ESIA's Authlib AuthorizationServer over the shared code and token tables.

Authlib's grant flow with ESIA's parts: the client's signature as its client-authentication
method (gosuslugi_sandbox.idp.esia.client_auth), ESIA's request checks in ESIA's order, codes
and refresh tokens redeemed once (gosuslugi_sandbox.idp.storage.consume), ESIA's token shapes
(gosuslugi_sandbox.idp.esia.token_generator), `state` echoed, and every refusal an ESIA error
(`ESIA-0070xx`, gosuslugi_sandbox.idp.esia.errors) with `state`.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import UnsupportedGrantTypeError
from flask import Flask, g

from gosuslugi_sandbox.idp.esia import checks, client_auth, token_generator
from gosuslugi_sandbox.idp.esia.clients import EsiaClient, client_settings
from gosuslugi_sandbox.idp.esia.errors import (
    CertificateMismatch,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person, Token
from gosuslugi_sandbox.idp.responses import json_response
from gosuslugi_sandbox.idp.runtime import db_session, now
from gosuslugi_sandbox.idp.storage.consume import redeem_code, redeem_refresh_token


class FormPayload(FlaskOAuth2Payload):
    """The form only: ESIA reads its token request from the body, never the query string."""

    @property
    def data(self):
        return self._request.form


class EsiaRequest(FlaskOAuth2Request):
    """A token request; `versioned` at /v3/te, whose signed strings differ."""

    def __init__(self, request, versioned: bool) -> None:
        super().__init__(request)
        self.payload = FormPayload(request)
        self.versioned = versioned


class Server(AuthorizationServer):
    """The token endpoint's server; its JSON answers (no-store) go through `json_response`."""

    def query_client(self, client_id: str) -> EsiaClient | None:
        """The ESIA view of a registered client (built once per request), or None."""
        known = g.setdefault("esia_clients", {})
        if client_id not in known:
            client = db_session().get(Client, client_id) if client_id else None
            known[client_id] = client_settings(client) if client is not None else None  # or 007005
        return known[client_id]

    def save_token(self, token: dict, request) -> None:
        token_generator.save_token(token, request)

    def create_oauth2_request(self, request) -> OAuth2Request:
        return request  # the view builds an EsiaRequest

    def get_token_grant(self, request):
        """ESIA's first checks in its order: client_id and grant_type sent (ESIA-007014), the
        client known (007002) and usable (007005), the grant type supported (007009)."""
        form = request.form
        checks.require(form, "client_id", "grant_type")
        if self.query_client(form["client_id"].strip()) is None:
            raise CertificateMismatch("unknown client_id")
        try:
            return super().get_token_grant(request)
        except UnsupportedGrantTypeError as exc:
            raise UnsupportedGrantType(form["grant_type"]) from exc

    def create_token_response(self, request=None):
        """Authlib's token flow, with the grant lookup's refusals answered too."""
        request = self.create_oauth2_request(request)
        try:
            grant = self.get_token_grant(request)
            grant.validate_token_request()
            return self.handle_response(*grant.create_token_response())
        except OAuth2Error as error:
            return self.handle_error_response(request, error)

    def handle_error_response(self, request, error: OAuth2Error):
        error.state = request.form.get("state")
        return super().handle_error_response(request, error)

    def handle_response(self, status_code, payload, headers):
        return json_response("token", payload, status_code, headers)


class EsiaGrant:
    """What both ESIA grants add to Authlib's: checks before the signature, tokens, state."""

    TOKEN_ENDPOINT_AUTH_METHODS = client_auth.METHODS
    REQUIRED: tuple[str, ...] = ()  # the form fields of the grant, besides client_id

    def validate_token_request(self) -> None:
        """The grant registered for the client (ESIA-007005), the fields sent (007014), state
        and timestamp (007003, 007015); then Authlib's: signature, redemption."""
        form = self.request.form
        esia = self.server.query_client(form["client_id"].strip())
        if not esia.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClient(self.GRANT_TYPE)
        checks.require(form, *self.REQUIRED)
        checks.check_state(esia, form["state"])
        checks.check_timestamp(esia, form["timestamp"])
        super().validate_token_request()

    def generate_token(self, user=None, scope=None, grant_type=None, expires_in=None,
                       include_refresh_token=True) -> dict:  # fmt: skip
        """ESIA's token set for the login the code or refresh token came from (its scope)."""
        origin = self.request.authorization_code or self.request.refresh_token
        return token_generator.generate_token(self.request.client, user, origin)

    def create_token_response(self):
        status, body, headers = super().create_token_response()
        body["state"] = self.request.form["state"]
        return status, body, headers

    def _person(self, oid: int) -> Person:
        person = db_session().get(Person, oid)
        if person is None:
            raise InvalidGrant("the account no longer exists")
        return person


class CodeGrant(EsiaGrant, grants.AuthorizationCodeGrant):
    """ESIA's authorization code grant (the codes are issued by idp/esia/authorize.py)."""

    REQUIRED = ("state", "timestamp", "code", "redirect_uri")

    def query_authorization_code(self, code: str, client: EsiaClient) -> AuthorizationCode:
        # One winner across workers (gosuslugi_sandbox.idp.storage.consume); a refusal after
        # this point rolls the redemption back.
        row = redeem_code(db_session(), code, client.client_id, "esia", now())
        if row is None or row.redirect_uri != self.request.form["redirect_uri"]:
            raise InvalidGrant("code")
        return row

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing left to do: the code was marked used when it was redeemed."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Person:
        return self._person(authorization_code.person_oid)


class RefreshGrant(EsiaGrant, grants.RefreshTokenGrant):
    """ESIA's refresh: rotation, the old pair revoked when the refresh token is redeemed."""

    REQUIRED = ("state", "timestamp", "refresh_token")
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token:
        client_id = self.request.client.client_id
        row = redeem_refresh_token(db_session(), refresh_token, client_id, "esia", now())
        if row is None:
            raise InvalidGrant("refresh_token")
        return row

    def _validate_token_scope(self, token: Token) -> None:
        """Nothing to check: ESIA's `scope` here is part of the signed string only."""

    def authenticate_user(self, refresh_token: Token) -> Person:
        return self._person(refresh_token.person_oid)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """Nothing left to do: redeeming the refresh token revoked the old pair."""


def create_server(app: Flask) -> Server:
    """Build the ESIA AuthorizationServer for the app."""
    server = Server(app)
    client_auth.register(server)
    server.register_grant(CodeGrant)
    server.register_grant(RefreshGrant)
    return server
