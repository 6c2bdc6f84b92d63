"""HTTP for the harness's own clients (the HTTP browser, the control-API client, the start-up
check): one exchange at a time through the standard library, cookies kept, no redirect
followed.

urllib.request with `http.cookiejar` (the cookie rules requests uses too): requests spent
about 1 ms of client CPU per request on this machine, three times as much, and the tests
and scenarios make tens of thousands of requests on the cores the apps answer on
(docs/performance.md, "The test suite"). As browsers do, loopback is never proxied; other
hosts go through the environment's proxies. HTTPS trusts the CA file given, else
REQUESTS_CA_BUNDLE (the pytest plugin points it at its test CA), else the system's CAs. A
plain-HTTP LiveServer of this very process answers without a socket (harness/local_calls.py).
"""

from __future__ import annotations

import functools
import http.client
import json as jsonlib
import os
import ssl
import urllib.request
from collections.abc import Callable
from email.message import Message
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlencode, urlsplit

from gosuslugi_sandbox.shared.hosts import is_loopback_url


class NoAnswer(ConnectionError):
    """The host could not be reached, or broke off the exchange."""


class Answer:
    """One HTTP answer: the URL asked, status, headers (any case), body."""

    def __init__(self, url: str, status: int, headers: Message, body: bytes) -> None:
        self.url, self.status, self.headers, self.body = url, status, headers, body

    @property
    def text(self) -> str:
        """The body decoded with the charset the answer names (UTF-8 if none)."""
        return self.body.decode(self.headers.get_content_charset() or "utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return jsonlib.loads(self.body)


class _EveryAnswer(urllib.request.HTTPErrorProcessor):
    """Hands every status back, 3xx and errors included, as a browser's network layer does
    (the caller decides which redirects to follow)."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class _Local(urllib.request.BaseHandler):
    """Hands a request for an app this process serves to it directly (harness/local_calls.py)."""

    handler_order = 100  # asked before the HTTP handler, which would open a socket

    def http_open(self, request):
        answer = _LOCAL.get(request.host)
        return answer(request) if answer else None  # None: the next handler opens a socket


# LiveServers of this process that answer locally, by host:port (harness/servers.py)
_LOCAL: dict[str, Callable[[urllib.request.Request], Any]] = {}


def answer_locally(authority: str, answer: Callable[[urllib.request.Request], Any] | None) -> None:
    """From now on requests for http://<authority> are answer(request) (None: the socket again)."""
    if answer is None:
        _LOCAL.pop(authority, None)
    else:
        _LOCAL[authority] = answer


@functools.lru_cache(maxsize=8)
def _tls_context(cafile: str | None) -> ssl.SSLContext:
    """Made once per CA file: reading the system's CA store costs milliseconds."""
    return ssl.create_default_context(cafile=cafile)


class Transport:
    """A cookie jar and the openers that send through it (direct for loopback)."""

    def __init__(self, timeout: float = 10.0, verify: str | None = None) -> None:
        self.cookies = CookieJar()
        self.timeout = timeout
        self.headers: dict[str, str] = {"Accept": "*/*"}  # sent with every request
        cafile = verify or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self._tls = _tls_context(cafile or None)
        self._openers: dict[bool, urllib.request.OpenerDirector] = {}

    def _opener(self, proxied: bool) -> urllib.request.OpenerDirector:
        """Made on first use, with only the handlers HTTP(S) needs (build_opener adds a
        dozen, FTP and files included; a control client is made per call)."""
        opener = self._openers.get(proxied)
        if opener is None:
            opener = self._openers[proxied] = urllib.request.OpenerDirector()
            handlers = [
                urllib.request.HTTPHandler(),
                urllib.request.HTTPSHandler(context=self._tls),
                urllib.request.HTTPCookieProcessor(self.cookies),
                _EveryAnswer(),
            ]
            if proxied:  # the environment's proxies, read now
                handlers.append(urllib.request.ProxyHandler())
            else:  # loopback: perhaps a server of this very process
                handlers.append(_Local())
            for handler in handlers:
                opener.add_handler(handler)
        return opener

    def send(
        self,
        method: str,
        url: str,
        params: dict | list | None = None,
        data: dict | list | None = None,
        json: Any = None,
        headers: dict | None = None,
    ) -> Answer:
        """One request: query params, a form body (data) or a JSON body; no redirect followed."""
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(params, doseq=True)
        sent = {**self.headers, **(headers or {})}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        elif data is not None:
            body = urlencode(data, doseq=True).encode()  # urllib labels it as a form
        asked = urllib.request.Request(url, data=body, headers=sent, method=method)
        opener = self._opener(proxied=not is_loopback_url(url))
        try:
            with opener.open(asked, timeout=self.timeout) as raw:
                return Answer(url, raw.status, raw.headers, raw.read())
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            raise NoAnswer(f"{method} {url}: no answer ({exc})") from exc
