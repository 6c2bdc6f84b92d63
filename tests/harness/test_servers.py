"""Ports for the apps: held from the moment they are chosen, or chosen where no outgoing
connection can take them before they are listened on."""

from __future__ import annotations

import socket

from flask import Flask

from gosuslugi_sandbox.harness.servers import (
    LiveServer,
    _outgoing_range,
    free_port,
    listening_socket,
)
from gosuslugi_sandbox.harness.transport import Transport


def test_a_free_port_is_below_the_outgoing_range_and_bindable():
    low, _ = _outgoing_range()
    ports = {free_port() for _ in range(20)}
    assert all(port < low for port in ports), ports
    assert len(ports) > 1, "picked at random, not one port for everyone"
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_held_port_cannot_be_taken_and_the_server_serves_on_it():
    app = Flask("probe")
    app.add_url_rule("/", view_func=lambda: "served")
    sock = listening_socket()
    port = sock.getsockname()[1]
    with socket.socket() as other:
        try:
            other.bind(("127.0.0.1", port))
            taken = True
        except OSError:
            taken = False
    assert not taken, "a held port is not free for anyone else"
    with LiveServer(app, sock=sock) as server:
        assert server.port == port and sock.fileno() == -1, "the server closes the one given"
        assert Transport().send("GET", f"{server.url}/").text == "served"
