"""The harness's HTTP transport: bodies, cookies, every status handed back, unreachable hosts,
dropped connections — the same over a socket and to a server of this process (local calls)."""

import socket
import subprocess
import sys
import threading

import pytest
from flask import Flask, jsonify, redirect, request

from gosuslugi_sandbox.harness.servers import LiveServer, free_port
from gosuslugi_sandbox.harness.transport import NoAnswer, Transport


def echo_app() -> Flask:
    """Shows what arrived; sets a cookie; redirects; answers 418; drops; crashes."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True  # an exception reaches the server

    @app.route("/echo", methods=["GET", "POST"])
    def show():
        answer = jsonify(
            args=request.args.to_dict(flat=False),
            form=request.form.to_dict(flat=False),
            json=request.get_json(silent=True),
            cookie=request.cookies.get("seen"),
            accept=request.headers.get("Accept"),
        )
        answer.set_cookie("seen", "yes")
        return answer

    @app.get("/away")
    def away():
        return redirect("/echo")

    @app.get("/teapot")
    def teapot():
        return "Я чайник", 418

    @app.get("/drop")
    def drop():
        request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # as the drop fault does
        return ""

    @app.get("/crash")
    def crash():
        raise RuntimeError("a bug in the app")

    @app.get("/thread")
    def thread():
        return str(threading.get_ident())

    return app


@pytest.fixture(scope="module", params=[False, True], ids=["socket", "local-calls"])
def echo(request):
    with LiveServer(echo_app(), local_calls=request.param) as server:
        yield server.url


def test_query_form_and_json_bodies_arrive_as_sent(echo):
    http = Transport()
    got = http.send("GET", f"{echo}/echo?x=0", params=[("a", "1"), ("a", "2")]).json()
    assert got["args"] == {"x": ["0"], "a": ["1", "2"]} and got["accept"] == "*/*"
    got = http.send("POST", f"{echo}/echo", data={"b": ["3", "4"], "c": "д е"}).json()
    assert got["form"] == {"b": ["3", "4"], "c": ["д е"]}
    assert http.send("POST", f"{echo}/echo", json={"k": [1]}).json()["json"] == {"k": [1]}


def test_cookies_are_kept_and_no_redirect_is_followed(echo):
    http = Transport()
    assert http.send("GET", f"{echo}/echo").json()["cookie"] is None
    assert http.send("GET", f"{echo}/echo").json()["cookie"] == "yes"
    moved = http.send("GET", f"{echo}/away")
    assert moved.status == 302 and moved.headers["location"].endswith("/echo")


def test_error_statuses_are_answers_and_a_closed_port_is_no_answer(echo):
    teapot = Transport().send("GET", f"{echo}/teapot")
    assert teapot.status == 418 and teapot.text == "Я чайник"
    with pytest.raises(NoAnswer, match="no answer"):
        Transport(timeout=2).send("GET", f"http://127.0.0.1:{free_port()}/")


def test_the_harness_clients_import_neither_the_apps_libraries_nor_requests():
    """A scenario run against given stands, or a downstream suite's control calls, start
    without SQLAlchemy, Flask or requests; so does any pytest run where the plugin is
    installed (it imports the apps once a test asks for a stand)."""
    probe = (
        "import sys\n"
        "import gosuslugi_sandbox.harness.control, gosuslugi_sandbox.harness.drivers.http_driver\n"
        "import gosuslugi_sandbox.harness.plugin\n"
        "print(sorted(m for m in ('sqlalchemy', 'flask', 'requests') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_dropped_connection_is_no_answer_and_a_crash_is_a_500(echo):
    with pytest.raises(NoAnswer, match="no answer"):
        Transport().send("GET", f"{echo}/drop")
    crash = Transport().send("GET", f"{echo}/crash")
    assert crash.status == 500 and "Internal Server Error" in crash.text


def test_a_server_of_this_process_answers_in_the_callers_thread_unless_told_not_to():
    app, here = echo_app(), str(threading.get_ident())
    with LiveServer(app) as local, LiveServer(app, local_calls=False) as wire:
        assert Transport().send("GET", f"{local.url}/thread").text == here  # no socket
        assert Transport().send("GET", f"{wire.url}/thread").text != here  # the server's
    with pytest.raises(NoAnswer):  # stopped: nothing answers there any more, locally or not
        Transport(timeout=2).send("GET", f"{local.url}/thread")
