"""The control API's guard, one for both apps: no web page can reach /_control.

A page the developer opens elsewhere must not wipe the stand, read SMS codes or take the
control token. So every control request (health excepted) must name the stand by its own host
or a loopback address (DNS rebinding), must not come from another site (Origin,
Sec-Fetch-Site), must send writes as JSON (no HTML form can), and carries the token only in
the Authorization header; the HTML pages (SMS inbox, report card) take a cookie set by a
login form instead, so the token never sits in a URL or an access log.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

from flask import current_app, redirect, request, url_for

from gosuslugi_sandbox.shared.bearer import bearer_token
from gosuslugi_sandbox.shared.config import switch
from gosuslugi_sandbox.shared.control_api import HEALTH, json_error
from gosuslugi_sandbox.shared.hosts import is_loopback
from gosuslugi_sandbox.shared.limits import Counters, Limit

COOKIE = "control_auth"
# methods that carry a body a form (or a fetch without a CORS preflight) could send; DELETE
# has no body and a cross-site DELETE always needs a preflight, which the stand never grants
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
# wrong control tokens one address may present before it is refused for a while (a shared
# stand's token must not be guessable by a loop); docs/security.md
WRONG_TOKENS = Limit(10, window_seconds=600.0, block_seconds=600.0)
RIGHT, WRONG, BLOCKED = "right", "wrong", "blocked"


def host_name(host: str | None) -> str:
    """The name or address in a Host header value, lower-case, without port or brackets."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _as_list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [str(v).strip().lower().rstrip(".") for v in value if str(v).strip()]


class ControlGuard:
    """before_request for /_control blueprints; configured from the app's config.

    settings_prefix: IDP or RP (messages name its settings); own_url_keys: config keys whose
    URLs name the stand (IdP: ISSUER; Sferum: PUBLIC_URL); pages: endpoints a browser opens
    (the login cookie is accepted there, and a browser without it goes to login_endpoint).
    """

    def __init__(
        self,
        settings_prefix: str,
        own_url_keys: Iterable[str],
        counters: Counters,
        pages: Iterable[str] = (),
        login_endpoint: str | None = None,
    ) -> None:
        self.settings_prefix = settings_prefix
        self.own_url_keys = tuple(own_url_keys)
        self.counters = counters  # the app's attempt counters: wrong tokens per address
        self.pages = frozenset(pages)
        self.login_endpoint = login_endpoint

    # ---- the checks, in the order they are made
    def __call__(self):
        """Refuse the request (a response) or let it through (None)."""
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if endpoint == HEALTH:
            return None  # liveness for `harness serve`, load balancers, docker; no data
        if not self.enabled():
            return json_error(404, "not_found", "the control API is off")
        refusal = self.refuse_foreign_host() or self.refuse_cross_site()
        if refusal is not None:
            return refusal
        if request.endpoint == self.login_endpoint:
            return None  # a form post; CSRF-protected by the app, and it checks the token
        if request.method in WRITE_METHODS and request.mimetype != "application/json":
            return json_error(
                415, "unsupported_media_type", "control API writes must be application/json"
            )
        return self.refuse_without_token()

    def enabled(self) -> bool:
        """Whether CONTROL is on."""
        return switch(current_app.config.get("CONTROL"), default=True)

    def allowed_hosts(self) -> set[str]:
        """The stand's own names (from its URLs) and CONTROL_HOSTS."""
        names = set(_as_list(current_app.config.get("CONTROL_HOSTS")))
        for key in self.own_url_keys:
            url = current_app.config.get(key)
            if url:
                names.add(host_name(urlsplit(str(url)).netloc))
        return names

    def host_allowed(self, host: str | None) -> bool:
        """Whether a Host header value names this stand."""
        name = host_name(host)
        return bool(name) and (is_loopback(name) or name in self.allowed_hosts())

    def refuse_foreign_host(self):
        """403 unless both the Host the client sent and the one a proxy forwarded are ours."""
        original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("HTTP_HOST")
        hosts = [request.host] + ([original] if original else [])
        if all(self.host_allowed(h) for h in hosts):
            return None
        return json_error(
            403,
            "forbidden_host",
            "Host is not this stand's name nor a loopback address "
            f"(add it to {self.settings_prefix}_CONTROL_HOSTS on a shared stand)",
        )

    def refuse_cross_site(self):
        """403 for a request another web site made the browser send."""
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site.lower() not in ALLOWED_FETCH_SITES:
            return json_error(403, "cross_site", f"Sec-Fetch-Site {site} is refused")
        origin = request.headers.get("Origin")
        own = f"{request.scheme}://{request.host}".lower()
        if origin is not None and origin.lower() != own:
            return json_error(403, "cross_site", "Origin is not this stand")
        return None

    def refuse_without_token(self):
        """401 without the token (Authorization header; pages: the login cookie)."""
        expected = current_app.config.get("CONTROL_TOKEN")
        if not expected:
            return None
        token = bearer_token(request.headers.get("Authorization"))
        verdict = self.judge(token) if token is not None else WRONG
        if verdict == RIGHT:
            return None
        if verdict == BLOCKED:
            minutes = self.counters.minutes_blocked(self.wrong_token_key())
            response = json_error(
                429, "too_many_requests", f"too many wrong control tokens from this address; "
                f"try again in {minutes} min"
            )  # fmt: skip
            response.headers["Retry-After"] = str(minutes * 60)
            return response
        if request.endpoint in self.pages:
            if hmac.compare_digest(request.cookies.get(COOKIE, ""), self.cookie_value()):
                return None
            if request.method == "GET" and self.login_endpoint:
                return redirect(self.login_url(self.return_path()))
        response = json_error(401, "unauthorized", "Bearer token required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="control"'
        return response

    # ---- a presented token, counted when wrong
    def wrong_token_key(self) -> str:
        """The counter of wrong tokens from this request's address."""
        return f"control-token:{request.remote_addr}"

    def judge(self, given: str) -> str:
        """RIGHT, WRONG (counted against the address) or BLOCKED.

        A blocked address is refused the right token too: otherwise a guessing loop would
        still learn which guess was right.
        """
        key = self.wrong_token_key()
        if self.token_matches(given):
            return BLOCKED if self.counters.blocked(key) else RIGHT
        if not self.counters.take(key, WRONG_TOKENS) or self.counters.fail(key, WRONG_TOKENS):
            return BLOCKED
        return WRONG

    # ---- the login cookie of the HTML pages
    def token_matches(self, given: str) -> bool:
        """Whether a presented token is CONTROL_TOKEN (constant time)."""
        expected = str(current_app.config.get("CONTROL_TOKEN") or "")
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    def cookie_value(self) -> str:
        """The cookie proving the token was typed: an HMAC of it, so the token is not in it."""
        key = str(current_app.config["SECRET_KEY"]).encode()
        token = str(current_app.config.get("CONTROL_TOKEN") or "").encode()
        return hmac.new(key, b"control-login:" + token, hashlib.sha256).hexdigest()

    def set_cookie(self, response) -> None:
        """Remember the login in this browser (HttpOnly, SameSite=Strict, /_control only)."""
        response.set_cookie(
            COOKIE,
            self.cookie_value(),
            path="/_control",
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
        )

    def login_url(self, next_path: str) -> str:
        """The login form's URL, coming back to next_path."""
        return url_for(self.login_endpoint, next=next_path)

    @staticmethod
    def return_path() -> str:
        """This request's path and query, without a `token` parameter."""
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
        return request.path + (f"?{urlencode(query)}" if query else "")

    @staticmethod
    def safe_next(value: str | None, default: str) -> str:
        """A return path inside /_control (never another site)."""
        if value and value.startswith("/_control/") and "//" not in value and "\\" not in value:
            return value
        return default
