"""Talking to the IdP over HTTP: bounded timeouts, the token request through Authlib's client,
discovery (issuer checked) and JWKS, cached."""

from __future__ import annotations

import functools
import logging

from gosuslugi_sandbox.relying_party.config import settings
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.models import CacheEntry
from gosuslugi_sandbox.relying_party.web import db, now
from gosuslugi_sandbox.shared.sql import upsert

log = logging.getLogger(__name__)

REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def timeouts() -> tuple[float, float]:
    """(connect, read) timeouts for every call to the IdP."""
    return settings().http_connect_timeout, settings().http_read_timeout


def tls_verify() -> str | bool:
    """What requests checks the IdP's certificate against: RP_CA_BUNDLE, else the default
    (which honours REQUESTS_CA_BUNDLE)."""
    return settings().ca_bundle or True


def translate_http_error(exc: Exception, what: str) -> GosuslugiError:
    """Map a requests failure to a refusal code."""
    import requests  # on first use, as in fetch below

    if isinstance(exc, requests.Timeout):
        return GosuslugiError("idp_timeout", f"{what}: {exc}")
    if isinstance(exc, requests.ConnectionError):
        return GosuslugiError("idp_unavailable", f"{what}: {exc}")
    return GosuslugiError("idp_garbage", f"{what}: {exc}")


def fetch(url: str, what: str, headers: dict | None = None, refusal: str = "idp_garbage"):
    """GET url from the IdP: a 200 response, or GosuslugiError (5xx: idp_unavailable, other
    statuses: refusal)."""
    import requests  # on first use: ~30 ms of imports kept out of the app's start

    from gosuslugi_sandbox.shared import loopback  # imports requests: on first use too

    try:
        # loopback.get: a proxy in the environment never stands before a local IdP
        response = loopback.get(
            url, headers=headers, timeout=timeouts(), allow_redirects=False, verify=tls_verify()
        )
    except requests.RequestException as exc:
        raise translate_http_error(exc, what) from exc
    if response.status_code >= 500:
        raise GosuslugiError("idp_unavailable", f"{what}: HTTP {response.status_code}")
    if response.status_code != 200:
        raise GosuslugiError(refusal, f"{what}: HTTP {response.status_code}")
    return response


def get_json(
    url: str, what: str, headers: dict | None = None, refusal: str = "idp_garbage"
) -> dict:
    """GET a JSON object from the IdP, or raise GosuslugiError."""
    response = fetch(url, what, headers, refusal)
    try:
        body = response.json()
    except ValueError as exc:
        raise GosuslugiError("idp_garbage", f"{what}: not JSON") from exc
    if not isinstance(body, dict):
        raise GosuslugiError("idp_garbage", f"{what}: not a JSON object")
    return body


def oauth_session(**options):
    """Authlib's OAuth 2 client session for one token request (options: OAuth2Session's)."""
    session = _oauth2_session_class()(**options)
    session.register_compliance_hook("access_token_response", _refuse_failed_answers)
    return session


@functools.cache
def _oauth2_session_class() -> type:
    # imported on first use: requests + Authlib's client are ~45 ms of the app's start
    from authlib.integrations.requests_client import OAuth2Session

    # it imports requests: on first use, as Authlib's client above
    from gosuslugi_sandbox.shared.loopback import DirectToLoopback

    class DirectOAuth2Session(DirectToLoopback, OAuth2Session):
        """Authlib's session; a proxy never stands before a local IdP (shared/loopback.py)."""

    return DirectOAuth2Session


def _refuse_failed_answers(response):
    if response.status_code >= 500:
        raise GosuslugiError("idp_unavailable", f"token: HTTP {response.status_code}")
    if response.status_code != 200:
        try:
            body = response.json()
        except ValueError:
            body = None  # Authlib refuses it as not JSON
        if isinstance(body, dict) and "error" not in body:
            raise GosuslugiError("token_error", f"token: HTTP {response.status_code}")
    return response


def fetch_token(session, url: str, **params) -> dict:
    """POST the token request (params go into its body); the answer, or GosuslugiError."""
    import requests  # on first use, as in fetch()
    from authlib.common.errors import AuthlibBaseError

    try:
        with session:
            token = session.fetch_token(
                url,
                timeout=timeouts(),
                allow_redirects=False,
                verify=tls_verify(),  # per request: REQUESTS_CA_BUNDLE beats Session
                **params,
            )
    except requests.RequestException as exc:
        raise translate_http_error(exc, "token") from exc
    except AuthlibBaseError as exc:
        description = str(getattr(exc, "description", "") or "")[:200]
        raise GosuslugiError("token_error", f"token: {exc.error!r} {description}") from exc
    except ValueError as exc:  # not a JSON object
        raise GosuslugiError("idp_garbage", "token: not a JSON object") from exc
    return dict(token)


def cached(name: str, fetch, force: bool = False) -> dict:
    """A document shared by every worker through the database, refetched after the TTL."""
    ttl = settings().idp_cache_seconds
    entry = db().get(CacheEntry, name)
    if entry is not None and not force and entry.fetched_at + ttl > now():
        return entry.body
    body = fetch()
    # an upsert: twenty requests filling an empty cache at once all succeed, one row remains
    upsert(db(), CacheEntry.__table__, {"name": name, "body": body, "fetched_at": now()}, ["name"])
    db().commit()
    return body


def discovery() -> dict:
    """The IdP's discovery document, its issuer equal to the configured one."""
    cfg = settings()
    url = cfg.idp_url.rstrip("/") + "/.well-known/openid-configuration"

    def fetch() -> dict:
        doc = get_json(url, "discovery")
        if doc.get("issuer") != cfg.idp_issuer:
            raise GosuslugiError(
                "discovery_issuer", f"issuer {doc.get('issuer')!r} != {cfg.idp_issuer!r}"
            )
        for key in REQUIRED_ENDPOINTS:
            if not isinstance(doc.get(key), str) or not doc[key].startswith("http"):
                raise GosuslugiError("idp_garbage", f"discovery: no {key}")
        return doc

    doc = cached("discovery:" + url, fetch)
    # A cached document is re-checked too: the configured issuer may have changed.
    if doc.get("issuer") != cfg.idp_issuer:
        raise GosuslugiError("discovery_issuer", "cached issuer differs")
    return doc


def jwks(force: bool = False) -> list[dict]:
    """The IdP's public keys (refetched when force)."""
    uri = discovery()["jwks_uri"]

    def fetch() -> dict:
        body = get_json(uri, "jwks")
        keys = body.get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
            raise GosuslugiError("idp_garbage", "jwks: no keys array")
        return body

    return cached("jwks:" + uri, fetch, force=force)["keys"]
