"""Faults of the authorization response (the redirect back to the client's callback)."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response

from gosuslugi_sandbox.idp.faults.edge import ESIA, Edge
from gosuslugi_sandbox.idp.faults.registry import OIDC

# error_description of access-denied per dialect; a dialect registers its own wording
DENIED_DESCRIPTIONS = {OIDC: "The resource owner denied the request"}


def register_access_denied(dialect: str, description: str) -> None:
    """The `error_description` the dialect answers access_denied with."""
    DENIED_DESCRIPTIONS[dialect] = description


def callback_params(response: Response) -> dict[str, str] | None:
    """The query of a redirect to the client's callback (code or error), else None."""
    location = response.headers.get("Location")
    if response.status_code not in (302, 303) or not location:
        return None
    params = dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))
    if "interaction" in params or not ({"code", "error"} & set(params)):
        return None  # a step of the login pages, not the answer to the client
    return params


def _replace_query(response: Response, params: dict[str, str]) -> None:
    parts = urlsplit(response.headers["Location"])
    response.headers["Location"] = urlunsplit(parts._replace(query=urlencode(params)))


def alter_redirect(edge: Edge, response: Response) -> None:
    """access-denied and state-mismatch, applied to the callback redirect."""
    params = callback_params(response)
    if params is None:
        return
    state = params.get("state")
    if "code" in params and edge.use("access-denied"):
        description = DENIED_DESCRIPTIONS.get(edge.dialect, DENIED_DESCRIPTIONS[OIDC])
        params = {"error": "access_denied", "error_description": description}
        if state is not None:
            params["state"] = state
    if edge.use("state-mismatch"):
        # ESIA clients expect a UUID: give them a well-formed, but different, one
        other = str(uuid.uuid4()) if edge.dialect == ESIA else secrets.token_urlsafe(24)
        params["state"] = other
    _replace_query(response, params)
