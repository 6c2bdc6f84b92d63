"""URL rules: builders shared by the apps of a process, each app with its own converters."""

from flask import Flask, url_for

from gosuslugi_sandbox.shared.routing import BuiltOnceRule, set_up_url_rules


def _app(int_maximum: int) -> Flask:
    app = Flask(__name__)
    set_up_url_rules(app, int_maximum)
    app.add_url_rule("/people/<int:pid>", "person", lambda pid: str(pid))
    app.add_url_rule("/page/<int:n>", "page", lambda n: str(n), defaults={"n": 1})
    return app


def test_two_apps_share_a_rules_builder_and_keep_their_own_limits():
    small, large = _app(10), _app(10**12)
    first, second = (a.url_map._rules_by_endpoint["person"][0] for a in (small, large))
    assert isinstance(first, BuiltOnceRule)
    assert first._build.__func__ is second._build.__func__, "compiled once"
    with small.test_request_context():
        assert url_for("person", pid=7) == "/people/7"
        assert url_for("person", pid=7, q="x") == "/people/7?q=x"
        assert url_for("page") == "/page/1"
    assert small.test_client().get("/people/11").status_code == 404
    assert large.test_client().get("/people/11").data == b"11"


def test_a_rule_with_defaults_builds_its_own():
    one, two = (a.url_map._rules_by_endpoint["page"][0] for a in (_app(10), _app(10)))
    assert one._build.__func__ is not two._build.__func__
