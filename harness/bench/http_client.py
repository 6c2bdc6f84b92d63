"""A lean HTTP/1.1 browser for the benchmark: keep-alive connections and a cookie jar.

`requests` costs about 0.8 ms of client CPU per request on this machine, as much as the IdP
spends answering some of them, and the client shares the two cores with the servers. This
client does what the flows need and no more: one persistent `http.client` connection per
host:port, cookies per host (like a browser, not per port), no redirects followed. The same
client measures the peers (harness/bench/peers.py), so the figures compare like with like.
"""

from __future__ import annotations

import base64
import http.client
import json as jsonlib
from urllib.parse import urlencode, urljoin, urlsplit


class Response:
    """Status, headers (lower-case names), body and the URL it answered."""

    __slots__ = ("body", "headers", "set_cookies", "status", "url")

    def __init__(self, url: str, raw: http.client.HTTPResponse) -> None:
        self.url = url
        self.status = raw.status
        self.headers = {name.lower(): value for name, value in raw.getheaders()}
        self.set_cookies = raw.headers.get_all("Set-Cookie") or []
        self.body = raw.read()

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        """The body parsed as JSON."""
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str:
        """The redirect target, absolute."""
        return urljoin(self.url, self.headers["location"])

    def raise_for_status(self) -> Response:
        """Raise unless the status is 2xx or 3xx."""
        if self.status >= 400:
            raise AssertionError(f"{self.status} from {self.url}: {self.text[:300]}")
        return self


class Browser:
    """A fresh browser: its own cookies and connections; counts the requests it makes."""

    def __init__(self) -> None:
        self.cookies: dict[str, dict[str, str]] = {}  # host -> name -> value
        self.connections: dict[str, http.client.HTTPConnection] = {}
        self.requests = 0

    def get(self, url: str, headers: dict | None = None) -> Response:
        """GET url (redirects are not followed)."""
        return self.request("GET", url, headers=headers)

    def post(
        self,
        url: str,
        data: dict | None = None,
        json=None,
        headers: dict | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Response:
        """POST a form (data) or a JSON body; auth is HTTP Basic."""
        headers = dict(headers or {})
        body = b""
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if auth is not None:
            pair = f"{auth[0]}:{auth[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return self.request("POST", url, body=body, headers=headers)

    def request(self, method: str, url: str, body: bytes = b"", headers=None) -> Response:
        """Send one request on the host's kept-alive connection (reconnecting once if closed)."""
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        jar = self.cookies.get(parts.hostname or "", {})
        if jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        if body or method == "POST":
            sent["Content-Length"] = str(len(body))
        self.requests += 1
        for attempt in (0, 1):
            connection = self._connection(parts.netloc)
            try:
                connection.request(method, target, body=body or None, headers=sent)
                raw = connection.getresponse()
                response = Response(url, raw)
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # the server closed an idle kept-alive connection: one fresh attempt
                connection.close()
                self.connections.pop(parts.netloc, None)
                if attempt:
                    raise
        if raw.will_close:
            connection.close()
            self.connections.pop(parts.netloc, None)
        self._store_cookies(parts.hostname or "", response.set_cookies)
        return response

    def close(self) -> None:
        """Close every connection."""
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _connection(self, netloc: str) -> http.client.HTTPConnection:
        connection = self.connections.get(netloc)
        if connection is None:
            connection = self.connections[netloc] = http.client.HTTPConnection(netloc, timeout=10)
        return connection

    def _store_cookies(self, host: str, lines: list[str]) -> None:
        for line in lines:
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            attrs = attributes.lower()
            expired = "max-age=0" in attrs.replace(" ", "") or "expires=thu, 01 jan 1970" in attrs
            jar = self.cookies.setdefault(host, {})
            if expired:
                jar.pop(name, None)
            else:
                jar[name] = value
