"""Loopback requests bypass the environment's proxy (as in browsers); other hosts keep it."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from flask import Flask, redirect

from gosuslugi_sandbox.harness.control import ControlError, GosuslugiControl
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.servers import LiveServer, wait_until_up
from gosuslugi_sandbox.shared import hosts, loopback


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:9000/x", True),
        ("https://127.8.9.10/", True),
        ("http://[::1]:8000/", True),
        ("http://localhost:8000/", True),
        ("http://LOCALHOST/", True),
        ("http://sferum.localhost/", True),
        ("http://10.0.0.1/", False),
        ("http://[::2]/", False),
        ("https://esia.gosuslugi.ru/aas/oauth2/te", False),
        ("http://localhost.example.com/", False),
        ("http://[::1/", False),  # malformed: not ours to judge
        ("not a url", False),
    ],
)
def test_what_counts_as_loopback(url, expected):
    assert hosts.is_loopback_url(url) is expected


class RecordingProxy:
    """A proxy that answers every request 502 and remembers its request line."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.lines: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.lines.append(conn.makefile("rb").readline().decode().strip())
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy(monkeypatch):
    """A proxy in the environment for every scheme, and no NO_PROXY (an office machine)."""
    recorder = RecordingProxy()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, recorder.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield recorder
    recorder.sock.close()


@pytest.fixture
def server():
    app = Flask("local")
    app.add_url_rule("/", "index", lambda: "here")
    app.add_url_rule("/away", "away", lambda: redirect("/"))
    live = LiveServer(app, local_calls=False).start()  # the wire is what is tested here
    yield live
    live.stop()


def test_plain_requests_send_loopback_through_the_proxy(proxy, server):
    """What the sandbox's clients no longer do (the environment above is effective)."""
    assert requests.get(server.url + "/", timeout=5).status_code == 502
    assert proxy.lines == [f"GET {server.url}/ HTTP/1.1"]


def test_loopback_goes_direct_redirects_included(proxy, server):
    assert loopback.get(server.url + "/", timeout=5).text == "here"
    followed = loopback.get(server.url + "/away", timeout=5)
    assert followed.text == "here" and followed.history  # followed by requests itself
    localhost = server.url.replace("127.0.0.1", "localhost")
    assert loopback.get(localhost + "/", timeout=5).text == "here"
    assert proxy.lines == []


def test_other_hosts_keep_the_environments_proxy(proxy):
    assert loopback.get("http://sferum.example/", timeout=5).status_code == 502
    assert HttpBrowser().open("http://sferum.example/page").status == 502
    assert proxy.lines[0] == "GET http://sferum.example/ HTTP/1.1"
    assert proxy.lines[1].startswith("GET http://sferum.example/page HTTP/1.")


def test_the_harness_clients_and_start_check_go_direct(proxy, server):
    wait_until_up(server.url + "/", timeout=5)
    assert HttpBrowser().open(server.url + "/away").html == "here"
    with pytest.raises(ControlError, match="-> 404"):  # the server's own answer, not a 502
        GosuslugiControl(server.url).sms_code("+79651234575")
    assert proxy.lines == []
