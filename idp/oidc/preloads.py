"""The first statement of each OIDC protocol request also reads the stand state.

The fault hooks read the clock offset and whether any fault is armed before every protocol
request (gosuslugi_sandbox.idp.faults.hooks.preload); here that read rides on the statement
the endpoint would run first anyway, and the rows it loads are handed to the view.
A preload that finds no row leaves the state to a read of its own.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from flask import Flask, request
from sqlalchemy import and_, bindparam, select

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp.faults.hooks import STATE_COLUMNS
from gosuslugi_sandbox.idp.faults.hooks import preload as register
from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person
from gosuslugi_sandbox.idp.oidc.server import NONCE_USED, remember_nonce
from gosuslugi_sandbox.idp.runtime import db_session, digest, keep_for_request
from gosuslugi_sandbox.idp.storage.consume import preload_access_token
from gosuslugi_sandbox.shared.bearer import bearer_token

# built once (building and cache-keying a statement costs more than running it)
_CLIENT = select(Client, *STATE_COLUMNS).where(Client.client_id == bindparam("b_client"))
_CLIENT_AND_NONCE = select(Client, NONCE_USED, *STATE_COLUMNS).where(
    Client.client_id == bindparam("b_client")
)
# the token request's client and the person of the code it presents (no code: no person);
# reading the person is no guarantee: the code's redemption still decides
_CLIENT_AND_CODE_PERSON = (
    select(Client, Person, *STATE_COLUMNS)
    .outerjoin(
        AuthorizationCode,
        and_(
            AuthorizationCode.code_hash == bindparam("b_code_hash"),
            AuthorizationCode.client_id == Client.client_id,
            AuthorizationCode.protocol == "oidc",
        ),
    )
    .outerjoin(Person, Person.oid == AuthorizationCode.person_oid)
    .where(Client.client_id == bindparam("b_client"))
)


def _authorize() -> tuple | None:
    """The client and, when a nonce is sent, whether a code of that client already has it."""
    client_id, nonce = request.args.get("client_id"), request.args.get("nonce")
    if not client_id:
        return None
    params = {"b_client": client_id, "b_nonce": nonce}
    row = db_session().execute(_CLIENT_AND_NONCE if nonce else _CLIENT, params).first()
    if row is None:
        return None
    keep_for_request(row[0])
    if nonce:
        remember_nonce(client_id, nonce, row[1])
        return tuple(row[2:])
    return tuple(row[1:])


def _resume() -> tuple | None:
    return ix.preload(request.args.get("interaction"), STATE_COLUMNS)


def _token() -> tuple | None:
    """The client (read as Authlib's client authentication reads it) and the code's person."""
    client_id = extract_basic_authorization(request.headers)[0] or request.form.get("client_id")
    if not client_id:
        return None
    params = {"b_client": client_id, "b_code_hash": digest(request.form.get("code") or "")}
    row = db_session().execute(_CLIENT_AND_CODE_PERSON, params).first()
    if row is None:
        return None
    keep_for_request(row[0], row[1])
    return tuple(row[2:])


def _userinfo() -> tuple | None:
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        return None
    return preload_access_token(db_session(), token, "oidc", STATE_COLUMNS)


def init_app(app: Flask) -> None:
    """Register the preloads of the OIDC endpoints with the fault hooks."""
    for endpoint, loader in (
        ("oidc.authorize", _authorize),
        ("oidc.resume", _resume),
        ("oidc.token", _token),
        ("oidc.userinfo", _userinfo),
    ):
        register(app, endpoint, loader)
