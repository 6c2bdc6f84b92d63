"""The OIDC endpoints; browser steps are delegated to gosuslugi_sandbox.idp.interactions and the
login pages."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidRequestError, UnsupportedResponseTypeError
from authlib.oidc.core.errors import ConsentRequiredError
from flask import g, redirect, request, url_for

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.errors import PageError
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.oidc import bp
from gosuslugi_sandbox.idp.oidc.claims import CLAIMS_SUPPORTED, SCOPES_SUPPORTED
from gosuslugi_sandbox.idp.oidc.id_token import issuer
from gosuslugi_sandbox.idp.oidc.server import CLIENT_AUTH, query_client
from gosuslugi_sandbox.idp.responses import json_response
from gosuslugi_sandbox.idp.resumed_request import ResumedRequest
from gosuslugi_sandbox.idp.runtime import db_session, now, runtime
from gosuslugi_sandbox.shared.sql import as_int

PAGE_MESSAGES = {
    "invalid_client": "Система, запросившая вход, не зарегистрирована (неизвестный client_id).",
    "invalid_request": "Некорректный запрос на вход: адрес возврата (redirect_uri) не "
    "зарегистрирован или параметры запроса неверны.",
    "unsupported_response_type": "Этот тип ответа не поддерживается.",
}


def _server():
    return runtime().extra["oauth_server"]


def _error(error: OAuth2Error):
    """Redirect the error to the client when its redirect URI is known, else show a page."""
    if error.redirect_uri:
        db_session().commit()
        return _server().handle_error_response(None, error)
    message = PAGE_MESSAGES.get(error.error, "Некорректный запрос на вход.")
    raise PageError(message, error.error, 400)


def _response_type_error() -> OAuth2Error | None:
    """The error for a response_type other than "code", built here, not by Authlib.

    Authlib passes the raw response_type as the error's description, and refuses (ValueError,
    a 500) one with a quote, a backslash, a control or a non-ASCII character; it also drops
    `state`. Redirected to the client only when its redirect URI checks out (RFC 6749 4.1.2.1).
    """
    response_type = request.args.get("response_type")
    if response_type == "code":
        return None
    client = query_client(request.args.get("client_id", ""))
    redirect_uri = None
    if client is not None:
        asked = request.args.get("redirect_uri")
        redirect_uri = asked if asked and client.check_redirect_uri(asked) else None
        if not asked:
            redirect_uri = client.get_default_redirect_uri()
    where = {"state": request.args.get("state"), "redirect_uri": redirect_uri}
    if not response_type:
        return InvalidRequestError("response_type is required", **where)
    return UnsupportedResponseTypeError(
        response_type, description="only response_type=code is supported", **where
    )


def _max_age(raw: str | None) -> int | None:
    return as_int(raw, minimum=0) if raw else None


@bp.route("/authorize")
def authorize():
    """Validate the request, then hand the browser to the login pages via an Interaction."""
    prompts = set(request.args.get("prompt", "").split())
    sso_row = ix.current_sso_session()
    person = None
    if (
        sso_row
        and "login" not in prompts
        and ix.is_fresh(sso_row, _max_age(request.args.get("max_age")))
    ):
        person = db_session().get(Person, sso_row.person_oid)
    try:
        unsupported = _response_type_error()
        if unsupported is not None:
            raise unsupported
        grant = _server().get_consent_grant(end_user=person)
        scopes = (grant.request.scope or "").split()
        client_id = grant.request.client.client_id
        if "none" in prompts and not ix.previously_consented(person.oid, client_id, scopes):
            raise ConsentRequiredError(
                redirect_uri=grant.redirect_uri, state=request.args.get("state")
            )
    except OAuth2Error as error:
        return _error(error)
    inter = ix.create("oidc", client_id=client_id, scopes=scopes, params=request.args.to_dict())
    if person is not None:
        ix.login_from_session(inter, sso_row)
        if "none" in prompts:
            ix.record_consent(inter, True)
    ix.commit()
    return redirect(ix.next_url(inter))


@bp.route("/authorize/resume")
def resume():
    """Back from the login pages: issue the code (or access_denied) to the client."""
    inter = ix.load(request.args.get("interaction"), protocol="oidc")
    step = ix.step_left(inter)
    if step is not None:
        return redirect(step)
    g.interaction = inter
    person = db_session().get(Person, inter.person_oid)
    oauth_request = ResumedRequest(url_for("oidc.authorize", _external=True), inter)
    ix.finish(inter)
    try:
        grant = _server().get_consent_grant(request=oauth_request, end_user=person)
    except OAuth2Error as error:
        return _error(error)
    grant_user = person if inter.consent == "allow" else None
    response = _server().create_authorization_response(
        request=oauth_request, grant_user=grant_user, grant=grant
    )
    ix.commit()
    return response


@bp.route("/token", methods=["POST"])
def token():
    """Code and refresh token exchange."""
    g.oidc_edge = "token"
    response = _server().create_token_response()
    if response.status_code == 200:
        db_session().commit()
    else:
        db_session().rollback()
    return response


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    """Claims of the access token's person, by its scope."""
    g.oidc_edge = "userinfo"
    return _server().create_endpoint_response("userinfo")


@bp.route("/revoke", methods=["POST"])
def revoke():
    """RFC 7009 revocation."""
    g.oidc_edge = "revocation"
    response = _server().create_endpoint_response("revocation")
    if response.status_code == 200:
        db_session().commit()
    return response


@bp.route("/jwks.json")
def jwks():
    """The public signing keys (each with a kid): the current ones and those retired less than
    IDP_KEY_ROTATION_GRACE seconds ago."""
    return json_response("jwks", runtime().keyring.jwks(now(), settings().key_rotation_grace))


@bp.route("/.well-known/openid-configuration")
def discovery():
    """OpenID Provider metadata."""

    def url(endpoint: str) -> str:
        return url_for(endpoint, _external=True)

    doc = {
        "issuer": issuer(),
        "authorization_endpoint": url("oidc.authorize"),
        "token_endpoint": url("oidc.token"),
        "userinfo_endpoint": url("oidc.userinfo"),
        "jwks_uri": url("oidc.jwks"),
        "revocation_endpoint": url("oidc.revoke"),
        "end_session_endpoint": url("oidc.logout"),
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "acr_values_supported": ["simplified", "standard", "confirmed"],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "ui_locales_supported": ["ru"],
    }
    return json_response("discovery", doc)
