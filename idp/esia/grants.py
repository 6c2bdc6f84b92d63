"""ESIA's grants: one authorization code grant for both of its endpoints, and refresh.

The code grant checks an authorization request in ESIA's order (client and redirect URI, whose
refusals are a page; then the rest, whose refusals go to the redirect URI), issues the code when
the interaction comes back (or its refusal), and redeems it at the token endpoint, once
(gosuslugi_sandbox.idp.storage.consume). Every refusal is an ESIA error (`ESIA-0070xx`,
gosuslugi_sandbox.idp.esia.errors) with `state`.
"""

from __future__ import annotations

import uuid

from authlib.oauth2.rfc6749 import grants

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.esia import checks, client_auth, token_generator
from gosuslugi_sandbox.idp.esia.clients import EsiaClient
from gosuslugi_sandbox.idp.esia.errors import (
    AccessDenied,
    CertificateMismatch,
    EsiaError,
    InvalidGrant,
    MissingParameter,
    RedirectUriNotRegistered,
    UnauthorizedClient,
    UnconfirmedAccount,
    UnsupportedResponseType,
    callback_uri,
)
from gosuslugi_sandbox.idp.models import AuthorizationCode, Person, Token
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, random_token
from gosuslugi_sandbox.idp.storage.consume import redeem_code, redeem_refresh_token


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
        checks.refuse_repeated(form)
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
    """ESIA's authorization code: asked for at /ac and /v2/ac, issued when the interaction
    comes back (gosuslugi_sandbox.idp.esia.authorize), redeemed at /te and /v3/te."""

    REQUIRED = ("state", "timestamp", "code", "redirect_uri")

    @classmethod
    def check_authorization_endpoint(cls, request) -> bool:
        """Every authorization request: a response_type other than code is refused by the
        grant, in ESIA's order (ESIA-007012 after the required parameters)."""
        return True

    @staticmethod
    def validate_no_multiple_request_parameter(request) -> None:
        """Repeated parameters are ESIA's own refusal (ESIA-007003), made in ESIA's order."""

    def validate_authorization_request(self) -> str:
        """The redirect URI, once ESIA's checks pass; a request resumed from its interaction
        was checked when the interaction began."""
        if self.request.interaction is not None:
            return self.request.payload.redirect_uri
        esia, redirect_uri = self._client_and_redirect_uri()
        try:
            self._check_request(esia)
        except EsiaError as error:
            error.redirect_uri = redirect_uri  # trusted now: the refusal goes to the client
            raise
        return redirect_uri

    def _client_and_redirect_uri(self) -> tuple[EsiaClient, str]:
        """The client known and usable (ESIA-007014, -007002, -007005), the redirect URI sent
        and registered (007014, 007023): refused before there is anywhere to redirect."""
        params = self.request.payload.data
        checks.refuse_repeated(params, "client_id", "redirect_uri")  # which one to trust?
        client_id = (params.get("client_id") or "").strip()
        if not client_id:
            raise MissingParameter("client_id")
        esia = self.server.query_client(client_id)
        if esia is None:
            raise CertificateMismatch("unknown client_id")
        redirect_uri = params.get("redirect_uri") or ""
        if not redirect_uri:
            raise MissingParameter("redirect_uri")
        if not esia.client.check_redirect_uri(redirect_uri):
            raise RedirectUriNotRegistered()
        return esia, redirect_uri

    def _check_request(self, esia: EsiaClient) -> None:
        """None sent twice (ESIA-007003), the parameters sent (007014), response_type=code
        (007012), state (007003), timestamp (007015), scopes (007006), person_filter (007003),
        then the signature and certificate hash as the client authenticates
        (gosuslugi_sandbox.idp.esia.client_auth)."""
        request, params = self.request, self.request.payload.data
        checks.refuse_repeated(params)
        checks.require(params, "scope", "response_type", "state", "timestamp")
        if params["response_type"] != "code":
            raise UnsupportedResponseType()
        checks.check_state(esia, params["state"])
        checks.check_timestamp(esia, params["timestamp"])
        request.scope = " ".join(checks.parse_scopes(esia, params["scope"]))
        request.confirmed_only = checks.wants_confirmed_only(esia, params.get("person_filter"))
        request.client = self.server.authenticate_client(
            request, self.TOKEN_ENDPOINT_AUTH_METHODS, endpoint="authorization"
        )

    def create_authorization_response(self, redirect_uri: str, grant_user: Person | None):
        """The code with state for the person who logged in (None: the account is gone), or
        the refusal: consent denied (ESIA-007004), the account gone (007004), an unconfirmed
        account when person_filter asked for confirmed ones (007055)."""
        request = self.request
        if request.interaction.consent == "deny":
            raise AccessDenied(redirect_uri=redirect_uri)
        if grant_user is None:
            raise AccessDenied("the account no longer exists", redirect_uri=redirect_uri)
        if request.confirmed_only and not grant_user.trusted:
            raise UnconfirmedAccount(redirect_uri=redirect_uri)
        request.user = grant_user
        code = self.generate_authorization_code()
        self.save_authorization_code(code, request)
        params = [("code", code), ("state", request.payload.state)]
        return 302, "", [("Location", callback_uri(redirect_uri, params))]

    def generate_authorization_code(self) -> str:
        return random_token(32)

    def save_authorization_code(self, code: str, request) -> AuthorizationCode:
        """The code's row: the login's facts, ESIA's session id (`urn:esia:sid`, shared by the
        tokens) in `extra`, valid for `esia_code_ttl`."""
        inter, moment = request.interaction, now()
        row = AuthorizationCode(
            code_hash=digest(code),
            protocol="esia",
            client_id=inter.client_id,
            person_oid=request.user.oid,
            redirect_uri=request.payload.redirect_uri,
            scope=" ".join(inter.scopes),
            state=request.payload.state,
            auth_time=int(inter.auth_time or moment),
            acr=request.user.level,
            amr=list(inter.amr or []),
            session_id=inter.session_id,
            extra={"sid": str(uuid.uuid4())},
            created_at=moment,
            expires_at=moment + settings().esia_code_ttl,
        )
        db_session().add(row)
        return row

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
