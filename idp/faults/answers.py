"""Faults applied to a finished answer or instead of one: the token endpoint's JSON reshaped
(`token-response-override`), any successful answer reshaped (`document-override`) and a
resource refused with 401 (`http-401`)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from gosuslugi_sandbox.idp.faults.edge import Edge
from gosuslugi_sandbox.idp.faults.registry import DOCUMENT_OVERRIDE
from gosuslugi_sandbox.idp.faults.signing import certificate_pem

TOKEN_OVERRIDE = "token-response-override"
HTTP_401 = "http-401"
# RFC 6750 section 3.1: a resource server refusing an access token names the error here
INVALID_TOKEN = 'Bearer error="invalid_token", error_description="The access token is invalid"'


def unauthorized(edge: Edge) -> Response | None:
    """http-401: the resource refuses the access token, whatever it is."""
    if not edge.use(HTTP_401):
        return None
    body = {"error": "invalid_token", "error_description": "The access token is invalid"}
    response = Response(json.dumps(body), status=401, mimetype="application/json")
    response.headers["WWW-Authenticate"] = INVALID_TOKEN
    return response


def _reshaped(data: dict[str, Any], params: dict[str, Any]) -> Any:
    """The answer's new JSON value: params' body, or data with members set and removed."""
    if "body" in params:
        return params["body"]
    removed = set(params.get("remove", ()))
    return {k: v for k, v in {**data, **params.get("set", {})}.items() if k not in removed}


def alter_token_answer(edge: Edge, response: Response) -> None:
    """token-response-override: a successful token answer's JSON reshaped as armed.

    Applied after the view, so the grant itself (codes used, tokens stored) is the real one;
    an error answer or one that is not a JSON object is left alone and the use given back.
    """
    row = edge.taken.get(TOKEN_OVERRIDE)
    if row is None or response.status_code != 200 or not response.is_json:
        return
    data = response.get_json(silent=True)
    if not isinstance(data, dict):
        return
    value = _reshaped(data, row.params)
    response.set_data(json.dumps(value, ensure_ascii=False).encode())
    edge.use(TOKEN_OVERRIDE)


def override_document(edge: Edge, response: Response) -> None:
    """document-override: a successful answer's JSON members set or removed, or its body
    replaced (JSON, text, a certificate), and/or its status and content type changed.

    Applied after the view, as token-response-override; an error answer, or one that is not a
    JSON object where members are to be set, is left alone and the use given back.
    """
    row = edge.taken.get(DOCUMENT_OVERRIDE)
    if row is None or response.status_code != 200:
        return
    params = row.params
    if "set" in params or "remove" in params:
        data = response.get_json(silent=True) if response.is_json else None
        if not isinstance(data, dict):
            return
        response.set_data(json.dumps(_reshaped(data, params), ensure_ascii=False).encode())
    elif "body" in params:
        response.set_data(json.dumps(params["body"], ensure_ascii=False).encode())
        response.mimetype = "application/json"
    elif "text" in params:
        response.set_data(params["text"].encode())
    elif "certificate" in params:
        response.set_data(certificate_pem(**params["certificate"]).encode())
    if "status" in params:
        response.status_code = params["status"]
    if "content_type" in params:
        response.headers["Content-Type"] = params["content_type"]
    edge.use(DOCUMENT_OVERRIDE)
