"""A LiveServer's app answering this process's harness requests without a socket.

The harness's transport hands a request for a plain-HTTP LiveServer of its own process (the
stands of `run`, of the pytest plugin and of the tests) straight to the server's WSGI app, with
the environ werkzeug's test client builds — what Flask's `test_client()` does — as from
127.0.0.1. Over a socket, werkzeug's development server and the urllib client cost about a
millisecond of CPU per request beside the app's own work; the apps are served by gunicorn
outside the tests anyway, so that server's HTTP parsing is nothing a stand is tested for. What
stays on the wire: HTTPS stands (they are there to be reached over TLS), every other client
(the fake Sferum's back channel to the IdP, Chromium, `requests` in tests) and servers started
with `local_calls=False`. A fault that drops the connection still drops it: the app gets a
connection to shut down, and the caller gets no answer.
"""

from __future__ import annotations

import http.client
import io
import logging
import socket
import urllib.request
import urllib.response

from werkzeug.exceptions import InternalServerError
from werkzeug.test import EnvironBuilder, run_wsgi_app

log = logging.getLogger(__name__)


class _Connection(socket.socket):
    """What the app sees as its client's connection; shutting it down drops the exchange."""

    dropped = False

    def shutdown(self, how: int) -> None:
        self.dropped = True


class LocalCalls:
    """Answers urllib requests for http://127.0.0.1:<port> by calling the app in this thread."""

    def __init__(self, app, port: int) -> None:
        self.app = app
        self.base_url = f"http://127.0.0.1:{port}"

    def __call__(self, request: urllib.request.Request) -> urllib.response.addinfourl:
        path, _, query = request.selector.partition("?")
        builder = EnvironBuilder(
            path=path,
            query_string=query,
            base_url=self.base_url,
            method=request.get_method(),
            headers=request.header_items(),
            data=request.data,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        connection = _Connection()
        environ.update(
            {
                "REMOTE_ADDR": "127.0.0.1",
                "werkzeug.socket": connection,
                "wsgi.multithread": True,
            }
        )
        try:
            body, status, headers = self._answer(environ)
        finally:
            connection.close()
        if connection.dropped:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        message = http.client.HTTPMessage()
        for name, value in headers.to_wsgi_list():
            message[name] = value  # a repeated header (Set-Cookie) is kept, each line
        return urllib.response.addinfourl(
            io.BytesIO(body), message, request.full_url, int(status.split(" ", 1)[0])
        )

    def _answer(self, environ: dict):
        """The app's answer; an exception it lets out is a 500, as the server would send."""
        try:  # buffered: the whole body read and the app's iterable closed
            chunks, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            return b"".join(chunks), status, headers
        except Exception:
            log.exception("Error on request %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
            chunks, status, headers = run_wsgi_app(InternalServerError(), environ, buffered=True)
            return b"".join(chunks), status, headers
