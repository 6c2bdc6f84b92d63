"""The peer benchmark's pure logic: form filling, the browser walk to the code, the table."""

from gosuslugi_sandbox.harness.bench.flows import BENCH_REDIRECT
from gosuslugi_sandbox.harness.bench.peers import browse_to_code, parse_form, print_table

LOGIN = """<form autocomplete="off" action="/interaction/abc/login" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" >
  <input required type="password" name="password" placeholder="and password" >
</form><form action="/interaction/abc/abort"><input type="hidden" name="x" value="y"></form>"""


class FakeResponse:
    def __init__(self, url, status, text="", location=""):
        self.url, self.status, self.text, self.location = url, status, text, location


class FakeBrowser:
    """Answers from a script of (method, url) -> response; records what was asked."""

    def __init__(self, script):
        self.script, self.asked = script, []

    def get(self, url):
        self.asked.append(("GET", url, None))
        return self.script[("GET", url)]

    def post(self, url, data):
        self.asked.append(("POST", url, data))
        return self.script[("POST", url)]


def test_parse_form_keeps_hidden_values_and_fills_empty_fields():
    action, fields = parse_form(LOGIN, "http://p/interaction/abc", {"login": "u", "password": "p"})
    assert action == "http://p/interaction/abc/login"
    assert fields == {"prompt": "login", "login": "u", "password": "p"}


def test_parse_form_without_action_posts_to_the_page_itself():
    page = '<form method="post"><input type="text" name="sub" required /></form>'
    action, fields = parse_form(page, "http://p/authorize?a=1&amp;b=2", {"sub": "me"})
    assert action == "http://p/authorize?a=1&b=2"
    assert fields == {"sub": "me"}


def test_browse_to_code_follows_redirects_and_submits_forms_until_the_callback():
    done = f"{BENCH_REDIRECT}?code=c&state=s"
    browser = FakeBrowser(
        {
            ("GET", "http://p/auth"): FakeResponse("http://p/auth", 303, location="http://p/i"),
            ("GET", "http://p/i"): FakeResponse("http://p/i", 200, LOGIN),
            ("POST", "http://p/interaction/abc/login"): FakeResponse("", 303, location=done),
        }
    )
    assert browse_to_code(browser, "http://p/auth", {"login": "u", "password": "p"}) == done
    assert [(m, u) for m, u, _ in browser.asked] == [
        ("GET", "http://p/auth"),
        ("GET", "http://p/i"),
        ("POST", "http://p/interaction/abc/login"),
    ]
    assert browser.asked[-1][2] == {"prompt": "login", "login": "u", "password": "p"}


def test_print_table_has_a_row_per_peer(capsys):
    row = {
        "label": "some mock 1.0",
        "steps": "authorize",
        "pkce": True,
        "cold_start_ms": 400.4,
        "flow_median_ms": 7.54,
        "flow_p95_ms": 9.0,
        "requests_per_flow": 3,
        "flows_per_s": 230.0,
        "peak_rss_mb": 101.2,
    }
    print_table({"peers": {"some-mock": row}, "machine_before": {"cpus": 2, "load_average": [0.1]}})
    out = capsys.readouterr().out
    assert "| some mock 1.0 | 400 ms | 7.5 ms (p95 9.0) | 3 | 230.0 | 101.2 MB |" in out
    assert "some-mock: authorize → code; token; userinfo (PKCE S256)" in out
    assert "load average before: [0.1] on 2 CPUs" in out
