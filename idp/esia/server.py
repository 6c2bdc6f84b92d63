"""ESIA's Authlib AuthorizationServer over the shared code and token tables.

Authlib's authorization and token flows with ESIA's parts: the client's signature as its
client-authentication method at both endpoints (gosuslugi_sandbox.idp.esia.client_auth), ESIA's
grants with its checks in its order (gosuslugi_sandbox.idp.esia.grants), ESIA's token shapes
(gosuslugi_sandbox.idp.esia.token_generator), `state` echoed, and every refusal an ESIA error
(`ESIA-0070xx`, gosuslugi_sandbox.idp.esia.errors) with `state`: a JSON body at the token
endpoint, a redirect to the client's callback at the authorization endpoint.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import UnsupportedGrantTypeError
from flask import Flask, g, redirect
from werkzeug.datastructures import MultiDict

from gosuslugi_sandbox.idp.esia import checks, client_auth, grants, token_generator
from gosuslugi_sandbox.idp.esia.clients import EsiaClient, client_settings
from gosuslugi_sandbox.idp.esia.errors import CertificateMismatch, UnsupportedGrantType
from gosuslugi_sandbox.idp.models import Client, Interaction
from gosuslugi_sandbox.idp.responses import json_response
from gosuslugi_sandbox.idp.resumed_request import ResumedRequest
from gosuslugi_sandbox.idp.runtime import db_session


class OnePartPayload(FlaskOAuth2Payload):
    """One part of the request: ESIA reads /ac from the query string, /te from the form."""

    def __init__(self, request, data: MultiDict) -> None:
        super().__init__(request)
        self._data = data

    @property
    def data(self) -> MultiDict:
        return self._data


class EsiaRequest(FlaskOAuth2Request):
    """An authorization (query) or token (form) request; `versioned` at /v2/ac and /v3/te,
    whose signed strings differ."""

    interaction: Interaction | None = None  # set on a request resumed from its interaction

    def __init__(self, request, versioned: bool, token: bool) -> None:
        super().__init__(request)
        self.payload = OnePartPayload(request, request.form if token else request.args)
        self.versioned = versioned
        self.token = token
        self.confirmed_only = False  # person_filter asked for confirmed accounts only


def resumed_request(uri: str, inter: Interaction) -> ResumedRequest:
    """The request restored from its interaction with what the grant needs (the signed
    request's other parameters were checked when it began)."""
    params = inter.params or {}
    needed = {
        "client_id": inter.client_id,
        "redirect_uri": params["redirect_uri"],
        "state": params.get("state"),
    }
    restored = ResumedRequest(uri, inter, needed)
    restored.confirmed_only = bool(params.get("confirmed_only"))
    return restored


class Server(AuthorizationServer):
    """ESIA's server: JSON answers (no-store) through `json_response`, redirects as Flask's."""

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
        return request  # the view builds an EsiaRequest or a ResumedRequest

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
        error.state = request.payload.state
        return super().handle_error_response(request, error)

    def handle_response(self, status_code, payload, headers):
        if status_code == 302:  # the authorization response, to the client's callback
            return redirect(dict(headers)["Location"], code=302)
        return json_response("token", payload, status_code, headers)


def create_server(app: Flask) -> Server:
    """Build the ESIA AuthorizationServer for the app."""
    server = Server(app)
    client_auth.register(server)
    server.register_grant(grants.CodeGrant)
    server.register_grant(grants.RefreshGrant)
    return server
