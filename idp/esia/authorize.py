"""ESIA authorization (/aas/oauth2/ac, /aas/oauth2/v2/ac), its resume step, and logout.

ESIA's AuthorizationServer (gosuslugi_sandbox.idp.esia.server) checks the request with its
code grant; a valid one becomes an interaction of the core (login → SMS → consent) that comes
back to `esia_auth.resume`, where the grant issues the code or the refusal. Errors before the
redirect URI is trusted are an error page; after, a redirect with error, error_description
(ESIA-0070xx) and state.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request

from gosuslugi_sandbox.idp import interactions
from gosuslugi_sandbox.idp.esia.errors import EsiaError, RedirectUriNotRegistered
from gosuslugi_sandbox.idp.esia.server import EsiaRequest, Server, resumed_request
from gosuslugi_sandbox.idp.models import Client, Person
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.idp.sso import end_session

bp = Blueprint("esia_auth", __name__, template_folder="templates")

PAGE_MESSAGE = (
    "Не удалось начать вход: система, запросившая вход через Госуслуги, передала неверный запрос."
)


def _server() -> Server:
    return current_app.extensions["esia"].server


def error_page(error: EsiaError, status: int = 400):
    """The Russian error page naming the ESIA code (no redirect to an untrusted URI)."""
    return render_template("error.html", code=error.code, message=PAGE_MESSAGE), status


@bp.get("/aas/oauth2/ac", endpoint="ac")
@bp.get("/aas/oauth2/v2/ac", endpoint="ac_v2")
def authorize():
    """Validate an ESIA authorization request and send the person to the login page."""
    v2 = request.endpoint == "esia_auth.ac_v2"
    oauth_request = EsiaRequest(request, versioned=v2, token=False)
    try:
        grant = _server().get_consent_grant(oauth_request)
    except EsiaError as error:
        if error.redirect_uri is None:
            return error_page(error, error.status_code)
        return _server().handle_error_response(oauth_request, error)
    inter = interactions.create(
        "esia",
        client_id=grant.request.client.client_id,
        scopes=grant.request.scope.split(),
        params={
            "redirect_uri": grant.redirect_uri,
            "state": oauth_request.payload.state,
            "confirmed_only": "1" if oauth_request.confirmed_only else "",
        },
    )
    sso = interactions.current_sso_session()
    if sso is not None:
        interactions.login_from_session(inter, sso)
    interactions.commit()
    return redirect(interactions.next_url(inter), code=302)


@bp.get("/aas/oauth2/ac/resume", endpoint="resume")
def resume():
    """Back from login/SMS/consent: the grant issues the code, or redirects with the refusal."""
    inter = interactions.load(request.args.get("interaction"), protocol="esia")
    step = interactions.step_left(inter)
    if step is not None:
        return redirect(step, code=302)
    person = db_session().get(Person, inter.person_oid)
    oauth_request = resumed_request(request.url, inter)
    interactions.finish(inter)
    grant = _server().get_consent_grant(oauth_request, end_user=person)
    response = _server().create_authorization_response(
        oauth_request, grant_user=person, grant=grant
    )
    interactions.commit()
    return response


@bp.get("/idp/ext/Logout", endpoint="logout")
def logout():
    """End the IdP session; redirect only to a URL registered for the client."""
    client_id = (request.args.get("client_id") or "").strip()
    target = request.args.get("redirect_url") or ""
    client = db_session().get(Client, client_id) if client_id else None
    if target:
        allowed = client is not None and (
            target in client.post_logout_redirect_uris or target in client.redirect_uris
        )
        if not allowed:
            return error_page(RedirectUriNotRegistered("redirect_url"))
    end_session()
    db_session().commit()
    if target:
        return redirect(target, code=302)
    return render_template("esia_logged_out.html")
