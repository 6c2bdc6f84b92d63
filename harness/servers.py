"""Start the apps: in a thread for tests, or as processes for `make run` and the runner."""

from __future__ import annotations

import socket
import threading
import time

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line per request."""

    def log_request(self, *args, **kwargs) -> None:
        return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A WSGI app served on 127.0.0.1 from a background thread (werkzeug, threaded)."""

    def __init__(self, app, port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=QuietRequestHandler
        )
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # a short poll interval: shutdown() waits for the next poll (0.5 s by default)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> LiveServer:
        """Start serving and return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until_up(url: str, timeout: float = 15.0, interval: float = 0.02) -> None:
    """Poll url until it answers 200, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException as exc:
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{url} did not come up within {timeout} s ({last})")
