"""ESIA person REST API (/rs/prns/...) and the published token-signing certificates.

The bearer check is the one userinfo uses (gosuslugi_sandbox.idp.resource_protector), for
ESIA's tokens; its refusals keep ESIA's bodies.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InvalidTokenError
from flask import Blueprint, Response, current_app, jsonify, request

from gosuslugi_sandbox.idp.esia import person as shapes
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.resource_protector import protector
from gosuslugi_sandbox.idp.responses import json_response
from gosuslugi_sandbox.idp.runtime import db_session, runtime

bp = Blueprint("esia_rest", __name__)
COLLECTIONS = ("ctts", "addrs", "docs")


def _error(status: int, error: str, description: str):
    response = jsonify({"error": error, "error_description": description})
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response, status


def _authorize(oid: int):
    """The token row and person for this request, or an error response (401/403/404)."""
    try:
        row = protector.acquire_token(dialect="esia")
    except InvalidTokenError:  # unknown, revoked or expired
        return None, None, _error(401, "invalid_token", "The access token is invalid or expired")
    except OAuth2Error:  # no Authorization header, or not a bearer one
        return None, None, _error(401, "invalid_token", "Bearer access token required")
    if row.person_oid != oid:
        return None, None, _error(403, "insufficient_scope", "The token is another person's")
    person = db_session().get(Person, oid)
    if person is None:
        return None, None, _error(404, "not_found", "No such person")
    return row, person, None


def _base_url() -> str:
    return request.url_root.rstrip("/")


@bp.get("/rs/prns/<int:oid>")
def person_root(oid: int):
    """The person; `?embed=(contacts.elements,documents.elements,addresses.elements)`."""
    row, person, failure = _authorize(oid)
    if failure:
        return failure
    scopes = set(row.scopes)
    if not shapes.can_read_root(scopes):
        return _error(403, "insufficient_scope", "The token's scopes do not cover the person")
    embed = shapes.parse_embed(request.args.get("embed"))
    body = shapes.root_with_embed(person, scopes, _base_url(), embed)
    return json_response("person", body)


def _collection_access(oid: int, name: str):
    """(person, scopes, None) when the bearer may read that collection, else (.., .., error)."""
    if name not in COLLECTIONS:
        return None, None, _error(404, "not_found", "No such collection")
    row, person, failure = _authorize(oid)
    if failure:
        return None, None, failure
    scopes = set(row.scopes)
    if not shapes.can_read_collection(name, scopes):
        denied = "The token's scopes do not cover " + name
        return None, None, _error(403, "insufficient_scope", denied)
    return person, scopes, None


@bp.get("/rs/prns/<int:oid>/<name>")
def person_collection(oid: int, name: str):
    """A collection: element URLs, or inline elements with `?embed=(elements)`."""
    person, scopes, failure = _collection_access(oid, name)
    if failure:
        return failure
    embed = "elements" in shapes.parse_embed(request.args.get("embed"))
    return jsonify(shapes.collection(name, person, scopes, _base_url(), embed))


@bp.get("/rs/prns/<int:oid>/<name>/<int:element_id>")
def person_element(oid: int, name: str, element_id: int):
    """One element of a collection on its own URL."""
    person, scopes, failure = _collection_access(oid, name)
    if failure:
        return failure
    for element in shapes.elements(name, person, scopes):
        if element["id"] == element_id:
            return jsonify(element)
    return _error(404, "not_found", "No such element")


@bp.get("/esia/certs/<alg>.pem")
def certificate(alg: str):
    """The PEM certificate of the key that signs tokens with alg (for clients pinning a key)."""
    pem = current_app.extensions["esia"].certificate(alg, runtime().keys)
    if pem is None:
        return _error(404, "not_found", "No certificate for that algorithm")
    return Response(pem, mimetype="application/x-pem-file")
