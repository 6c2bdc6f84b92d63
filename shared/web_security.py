"""What both apps do for every request: security headers, Secure cookies over HTTPS, and no
crash on a malformed Authorization header, a NUL character or an out-of-range id in a URL.

A WSGI middleware rather than after_request: Flask writes its session cookie after the
after_request functions have run, and static files and error pages must be covered too.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from urllib.parse import unquote, unquote_plus

from flask import Flask
from werkzeug.http import parse_cookie

# No page of the stand may be framed (clickjacking of «Войти», «Предоставить», «Связать»);
# the old header for old browsers, the CSP directive for the rest.
FRAME_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
)
# same-origin: a page's URL (interaction ids, codes) never goes to another site, while the
# app's own forms keep their Referer (Flask-WTF checks it on HTTPS form posts)
OTHER_HEADERS = (
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
)


def _with_security_headers(headers: list[tuple[str, str]], https: bool) -> list[tuple[str, str]]:
    names = {name.lower(): i for i, (name, _value) in enumerate(headers)}
    out = list(headers)
    for name, value in FRAME_HEADERS + OTHER_HEADERS:
        at = names.get(name.lower())
        if at is None:
            out.append((name, value))
        elif name == "Content-Security-Policy" and "frame-ancestors" not in out[at][1]:
            out[at] = (name, f"{out[at][1].rstrip('; ')}; {value}")
    if https:
        out = [
            (name, f"{value}; Secure") if name.lower() == "set-cookie" and not _secure(value)
            else (name, value)
            for name, value in out
        ]  # fmt: skip
    return out


def _secure(set_cookie: str) -> bool:
    return any(a.strip().lower() == "secure" for a in set_cookie.split(";")[1:])


def malformed_authorization(value: str | None) -> bool:
    """Whether an Authorization header would crash a parser (werkzeug's, Authlib's).

    Both split "scheme credentials" and decode Basic credentials as ASCII base64 of UTF-8
    without catching every error; such a header is answered 400 before they see it.
    """
    if not value:
        return False
    scheme, _, credentials = value.strip().partition(" ")
    if not credentials.strip():
        return True
    if scheme.lower() != "basic":
        return False
    try:
        base64.b64decode(credentials.strip().encode("ascii"), validate=True).decode("utf-8")
    except (UnicodeError, binascii.Error):
        return True
    return False


_MALFORMED = json.dumps(
    {"error": "invalid_request", "error_description": "Malformed Authorization header"}
).encode()
_NUL_ANSWER = json.dumps(
    {"error": "invalid_request", "error_description": "NUL character in the request"}
).encode()
# bodies read here to look for NUL (larger ones are left to the app's own limits)
MAX_SCANNED_BODY = 1 << 20
SCANNED_BODIES = ("application/x-www-form-urlencoded", "application/json")


def _credentials(authorization: str) -> str:
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return authorization
    # checked by malformed_authorization first; Authlib unquotes client_id and secret (RFC 6749)
    return unquote(base64.b64decode(credentials.strip().encode("ascii")).decode("utf-8"))


def nul_in_request(environ) -> bool:
    """Whether the path, query, cookies, credentials or a form or JSON body carry a NUL.

    No real parameter holds one, and PostgreSQL refuses it in any text it is asked to compare
    (a 500 in whatever lookup the value reaches), so it is refused before any view. A body
    read here is put back for the app.
    """
    texts = [
        environ.get("PATH_INFO", ""),
        unquote_plus(environ.get("QUERY_STRING", "")),
        *(f"{name}={value}" for name, value in parse_cookie(environ).items(multi=True)),
        _credentials(environ.get("HTTP_AUTHORIZATION") or ""),
    ]
    if any("\x00" in text for text in texts):
        return True
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    length = environ.get("CONTENT_LENGTH") or ""
    if content_type not in SCANNED_BODIES or not length.isdigit():
        return False
    if int(length) > MAX_SCANNED_BODY:
        return False
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)
    if content_type == "application/json":
        return b"\x00" in body or b"\\u0000" in body
    return "\x00" in unquote_plus(body.decode("latin-1"))


class SecurityHeaders:
    """WSGI middleware adding the headers above; cookies get Secure on HTTPS requests."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        refusal = None
        if malformed_authorization(environ.get("HTTP_AUTHORIZATION")):
            refusal = _MALFORMED
        elif nul_in_request(environ):
            refusal = _NUL_ANSWER
        if refusal is not None:
            headers = [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(refusal))),
            ]
            start_response("400 Bad Request", _with_security_headers(headers, False))
            return [refusal]

        def start(status, headers, exc_info=None):
            # read at response time: a ProxyFix inside has set the forwarded scheme by then
            https = environ.get("wsgi.url_scheme") == "https"
            return start_response(status, _with_security_headers(headers, https), exc_info)

        return self.app(environ, start)


def init_app(app: Flask) -> None:
    """Install the middleware (ids in URLs are bounded by gosuslugi_sandbox.shared.routing)."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
