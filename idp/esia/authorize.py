"""ESIA authorization (/aas/oauth2/ac, /aas/oauth2/v2/ac), its resume step, and logout.

A valid request becomes an interaction of the core (login → SMS → consent) that comes back
to `esia_auth.resume`, which issues the code. Errors before the redirect URI is trusted are an
error page; after, a redirect with error, error_description (ESIA-0070xx) and state.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request

from gosuslugi_sandbox.idp import interactions
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.esia import checks
from gosuslugi_sandbox.idp.esia.clients import client_settings
from gosuslugi_sandbox.idp.esia.errors import (
    AccessDenied,
    CertificateMismatch,
    EsiaError,
    MissingParameter,
    RedirectUriNotRegistered,
    UnconfirmedAccount,
    UnsupportedResponseType,
)
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, random_token
from gosuslugi_sandbox.idp.sso import end_session

bp = Blueprint("esia_auth", __name__, template_folder="templates")

PAGE_MESSAGE = (
    "Не удалось начать вход: система, запросившая вход через Госуслуги, передала неверный запрос."
)


def error_page(error: EsiaError, status: int = 400):
    """The Russian error page naming the ESIA code (no redirect to an untrusted URI)."""
    return render_template("error.html", code=error.code, message=PAGE_MESSAGE), status


def redirect_with(redirect_uri: str, params: dict[str, str | None]):
    """Redirect to the client's (registered) URI with params added to its query."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    sep = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{sep}{query}", code=302)


def error_redirect(redirect_uri: str, error: EsiaError, state: str | None):
    """The callback with error, error_description and state."""
    return redirect_with(
        redirect_uri,
        {"error": error.error, "error_description": error.description, "state": state},
    )


def _client_or_page(client_id: str) -> Client:
    if not client_id:
        raise MissingParameter("client_id")
    client = db_session().get(Client, client_id)
    if client is None:
        raise CertificateMismatch("unknown client_id")
    return client


@bp.get("/aas/oauth2/ac", endpoint="ac")
@bp.get("/aas/oauth2/v2/ac", endpoint="ac_v2")
def authorize():
    """Validate an ESIA authorization request and send the person to the login page."""
    args = request.args
    v2 = request.endpoint == "esia_auth.ac_v2"
    try:
        client = _client_or_page((args.get("client_id") or "").strip())
        esia = client_settings(client)
        redirect_uri = args.get("redirect_uri") or ""
        if not redirect_uri:
            raise MissingParameter("redirect_uri")
        if not client.check_redirect_uri(redirect_uri):
            raise RedirectUriNotRegistered()
    except EsiaError as exc:
        return error_page(exc, exc.status_code)
    state = args.get("state")
    try:
        checks.require(args, "scope", "response_type", "state", "timestamp")
        if args["response_type"] != "code":
            raise UnsupportedResponseType()
        checks.check_state(esia, state)
        timestamp = checks.check_timestamp(esia, args["timestamp"])
        scopes = checks.parse_scopes(esia, args["scope"])
        confirmed_only = checks.wants_confirmed_only(esia, args.get("person_filter"))
        scope, cid, org = args["scope"], client.client_id, args.get("scope_org") or ""
        legacy = scope + timestamp + cid + state
        current = cid + scope + org + timestamp + state + redirect_uri
        order = [current, legacy] if v2 else [legacy, current]
        checks.verify_secret(esia, args, order, versioned=v2)
    except EsiaError as exc:
        return error_redirect(redirect_uri, exc, state)
    inter = interactions.create(
        "esia",
        client_id=client.client_id,
        scopes=scopes,
        params={
            "redirect_uri": redirect_uri,
            "state": state,
            "confirmed_only": "1" if confirmed_only else "",
        },
    )
    sso = interactions.current_sso_session()
    if sso is not None:
        interactions.login_from_session(inter, sso)
    interactions.commit()
    return redirect(interactions.next_url(inter), code=302)


@bp.get("/aas/oauth2/ac/resume", endpoint="resume")
def resume():
    """Back from login/SMS/consent: issue the code, or redirect with the refusal."""
    inter = interactions.load(request.args.get("interaction"), protocol="esia")
    params = inter.params or {}
    redirect_uri, state = params["redirect_uri"], params.get("state")
    if not inter.logged_in:
        return redirect(interactions.next_url(inter), code=302)
    person = db_session().get(Person, inter.person_oid)
    error: EsiaError | None = None
    if inter.consent == "deny":
        error = AccessDenied()
    elif person is None:
        error = AccessDenied("the account no longer exists")
    elif params.get("confirmed_only") and not person.trusted:
        error = UnconfirmedAccount()
    interactions.finish(inter)
    if error is not None:
        interactions.commit()
        return error_redirect(redirect_uri, error, state)
    code = random_token(32)
    moment = now()
    db_session().add(
        AuthorizationCode(
            code_hash=digest(code),
            protocol="esia",
            client_id=inter.client_id,
            person_oid=person.oid,
            redirect_uri=redirect_uri,
            scope=" ".join(inter.scopes),
            state=state,
            auth_time=int(inter.auth_time or moment),
            acr=person.level,
            amr=list(inter.amr or []),
            session_id=inter.session_id,
            extra={"sid": str(uuid.uuid4())},  # urn:esia:sid, shared by the tokens
            created_at=moment,
            expires_at=moment + settings().esia_code_ttl,
        )
    )
    interactions.commit()
    return redirect_with(redirect_uri, {"code": code, "state": state})


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
