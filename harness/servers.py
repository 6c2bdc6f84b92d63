"""Start the apps: in a thread for tests, or as processes for `make run` and the runner."""

from __future__ import annotations

import functools
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from gosuslugi_sandbox.harness.local_calls import LocalCalls
from gosuslugi_sandbox.harness.transport import Transport, answer_locally

if TYPE_CHECKING:
    from gosuslugi_sandbox.shared.tls import TlsFiles


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line per request."""

    def log_request(self, *args, **kwargs) -> None:
        return None


# Ports handed out below the kernel's range for outgoing connections: a port picked now and
# listened on later (by another process, or after an app is built) cannot meanwhile become
# the local end of some connection, which the tests open by the thousand (a stand once failed
# to start with "Address already in use" that way).
_RANDOM = random.SystemRandom()  # not the `random` module: Hypothesis seeds that in tests
_LOWEST = 15000


@functools.cache  # a kernel setting: read once per process, not for every port
def _outgoing_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as handle:
            low, high = map(int, handle.read().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, outside the range the kernel
    gives outgoing connections (see above); the kernel's choice if that range leaves none."""
    low, _ = _outgoing_range()
    for _ in range(50 if low > _LOWEST + 1000 else 0):
        port = _RANDOM.randrange(_LOWEST, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_socket() -> socket.socket:
    """A socket already listening on a free port of 127.0.0.1, for a LiveServer to serve on once
    its app is built: the port is held from the start, so nothing can take it meanwhile."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class LiveServer:
    """A WSGI app served on 127.0.0.1 from a background thread (werkzeug, threaded).

    With tls (gosuslugi_sandbox.shared.tls.TlsFiles) it serves HTTPS with that certificate;
    with sock (from listening_socket) it serves there, and the socket is its to close. While
    it serves plain HTTP, the harness's own clients in this process reach the app without a
    socket (harness/local_calls.py) unless local_calls is False.
    """

    def __init__(
        self,
        app,
        port: int = 0,
        tls: TlsFiles | None = None,
        sock: socket.socket | None = None,
        local_calls: bool = True,
    ) -> None:
        self.app = app
        try:
            self._server: BaseWSGIServer = make_server(
                "127.0.0.1",
                port,
                app,
                threaded=True,
                request_handler=QuietRequestHandler,
                ssl_context=tls.server_context() if tls else None,
                fd=sock.fileno() if sock else None,
            )
        finally:
            if sock is not None:
                sock.close()  # the server serves on its own duplicate of it
        self.port = self._server.port
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._local = LocalCalls(app, self.port) if local_calls and not tls else None
        self._authority = f"127.0.0.1:{self.port}"  # what the transport looks servers up by
        # a short poll interval: shutdown() waits for the next poll (0.5 s by default)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> LiveServer:
        """Start serving and return self."""
        self._thread.start()
        if self._local:
            answer_locally(self._authority, self._local)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._local:
            answer_locally(self._authority, None)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until_up(
    url: str,
    timeout: float = 15.0,
    interval: float = 0.02,
    verify: str | None = None,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll url until it answers 200, or raise TimeoutError (verify: a CA file for HTTPS).

    The port is probed with a bare connect first: a refused connect costs microseconds, so
    the poll hardly competes with the app starting on the same cores; once something
    listens, one GET waits in its backlog until a worker answers. With `alive` (is the
    server's process still running?), an exited server fails at once.
    """
    parts = urlsplit(url)
    address = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    deadline = time.monotonic() + timeout
    http = Transport(verify=verify)
    last: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise TimeoutError(f"{url}: the server exited before it answered")
        try:
            socket.create_connection(address, timeout=1).close()
            http.timeout = max(0.1, deadline - time.monotonic())
            if http.send("GET", url).status == 200:
                return
        except OSError as exc:  # refused, or NoAnswer (a ConnectionError)
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{url} did not come up within {timeout} s ({last})")
