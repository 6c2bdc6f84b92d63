"""No input gives a 500: every route of both apps, fed by Hypothesis (bounded, derandomized).

Each example is one request to a route drawn from the app's own URL map, with path values,
query parameters, a form or a JSON body and an Authorization header drawn from plausible
values (so the request gets past the first check) and from any text at all (NUL, quotes,
backslashes, Cyrillic). CSRF is off in these apps so forms reach the views behind it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosuslugi_sandbox.idp import create_app as create_idp
from gosuslugi_sandbox.relying_party import create_app as create_rp

SFERUM_CALLBACK = "http://127.0.0.1:8000/gosuslugi/callback"
PLAUSIBLE = [
    "code", "sferum", "demo-public", "esia-cms", "openid", "openid fullname snils", SFERUM_CALLBACK,
    "S256", "plain", "authorization_code", "refresh_token", "none", "login", "consent", "allow",
    "deny", "logout", "online", "offline", "1000000001", "123456", "+79651234575",
    "+7 911 111-11-11", "Roshchina-2024", "Roshchina-Sferum1", "json", "junit", "html", "0", "-1",
    "1e308", "99999999999999999999", "", "Я", "\x00", 'a"b', "a\\b", "%00",
    "2024.01.01 00:00:00 +0000",
]  # fmt: skip
PARAMS = [
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age",
    "code_challenge", "code_challenge_method", "grant_type", "code", "code_verifier",
    "refresh_token", "client_secret", "token", "token_type_hint", "id_token_hint",
    "post_logout_redirect_uri", "interaction", "login", "password", "decision", "phone",
    "address", "limit", "format", "kind", "user_id", "timestamp", "access_type", "next",
    "login-input", "password-input", "code-input", "email", "offset_seconds", "fault", "times",
]  # fmt: skip
MAX_EXAMPLES = 250
HEADER_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")


class Inputs:
    """Strategies for values, parameter sets and JSON bodies; `live` adds the app's own ids."""

    def __init__(self, live: list[str]) -> None:
        self.value = st.one_of(st.sampled_from(PLAUSIBLE + live), st.text(max_size=40))
        names = st.one_of(st.sampled_from(PARAMS), st.text(max_size=8))
        self.params = st.dictionaries(names, self.value, max_size=6)
        self.json = st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | self.value,
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(PARAMS), inner)
            ),
            max_leaves=10,
        )


def routes(app) -> list[tuple[str, str]]:
    """(rule, method) for every route of the app."""
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def fill(rule: str, draw, inputs: Inputs) -> str:
    """The rule with each <converter:name> replaced by a drawn, URL-quoted value."""

    def one(match: re.Match) -> str:
        if match.group(1) == "int:":
            number = draw(st.one_of(st.integers(0, 10**6), st.integers(0, 10**30)))
            return str(number)
        return quote(draw(inputs.value) or "x", safe="")

    return re.sub(r"<(\w+:)?\w+>", one, rule)


@st.composite
def requests_for(draw, app, inputs: Inputs):
    """One request: method, path, query, body and headers."""
    rule, method = draw(st.sampled_from(routes(app)))
    kwargs: dict = {"query_string": urlencode(draw(inputs.params))}
    headers = {}
    if draw(st.booleans()):
        scheme = draw(st.sampled_from(["Bearer ", "Basic ", "basic", ""]))
        headers["Authorization"] = scheme + draw(st.text(HEADER_CHARS, max_size=24))
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if draw(st.booleans()):
            kwargs["json"] = draw(inputs.json)
        else:
            kwargs["data"] = draw(inputs.params)
    return method, fill(rule, draw, inputs), kwargs, headers


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    app = create_idp(
        {
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("fuzz-idp")),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SECRET_KEY": "fuzz",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    start = client.get(
        "/authorize?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": "sferum",
                "scope": "openid",
                "redirect_uri": SFERUM_CALLBACK,
            }
        )
    )
    live_interaction = start.location.rsplit("=", 1)[-1]
    yield app, client, Inputs([live_interaction])
    app.extensions["idp"].db.dispose()


@pytest.fixture(scope="module")
def rp(tmp_path_factory):
    app = create_rp(
        {
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("fuzz-rp")),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SECRET_KEY": "fuzz",
            "WTF_CSRF_ENABLED": False,
            "IDP_URL": "http://127.0.0.1:9",  # nothing listens: an IdP outage, answered 502
        }
    )
    client = app.test_client()
    client.post("/login", data={"login": "+7 911 111-11-11"})
    client.post("/login/password", data={"password": "Roshchina-Sferum1"})
    yield app, client, Inputs([])
    app.extensions["database"].dispose()


FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same examples every run: never flaky
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def send(client, request) -> int:
    """Send the request; its status (an error body's description must be ASCII)."""
    method, path, kwargs, headers = request
    response = client.open(path, method=method, headers=headers, **kwargs)
    status = response.status_code
    body = response.get_json(silent=True) if response.is_json else None
    response.close()
    if isinstance(body, dict) and "error_description" in body:
        assert str(body["error_description"]).isascii(), (request, body)
    return status


@FUZZ
@given(data=st.data())
def test_no_input_gives_the_idp_a_500(idp, data):
    app, client, inputs = idp
    request = data.draw(requests_for(app, inputs))
    assert send(client, request) < 500, request


@FUZZ
@given(data=st.data())
def test_no_input_gives_sferum_a_500(rp, data):
    app, client, inputs = rp
    request = data.draw(requests_for(app, inputs))
    # 502 is the page for "the IdP is unreachable", which it is here on purpose
    assert send(client, request) in set(range(100, 500)) | {502}, request


# a NUL is refused before any view (tests/edge/test_text_limits.py)
@pytest.mark.parametrize("response_type", ["%D0%AF", "a%22b", "a%5Cb", "token", ""])
def test_unsupported_response_types_get_an_ascii_oauth_error(idp, response_type):
    _app, client, _inputs = idp
    query = "client_id=sferum&scope=openid&state=st&redirect_uri=" + quote(SFERUM_CALLBACK, "")
    answer = client.get(f"/authorize?{query}&response_type={response_type}")
    assert answer.status_code == 302
    location = answer.location
    assert location.startswith(SFERUM_CALLBACK + "?")
    expected = "invalid_request" if not response_type else "unsupported_response_type"
    assert f"error={expected}" in location and "state=st" in location
    assert location.isascii()
    unknown_client = client.get(f"/authorize?client_id=nobody&response_type={response_type}")
    assert unknown_client.status_code == 400  # no redirect to an unverified URI: a page


@pytest.mark.parametrize(
    ("method", "path", "authorization"),
    [
        ("POST", "/revoke", "Basic "),  # Authlib: "not enough values to unpack"
        ("POST", "/token", "Bearer"),
        ("POST", "/token", "Basic //8="),  # base64 of bytes that are not UTF-8
        ("POST", "/aas/oauth2/te", "Basic \xec{\xcbI"),  # werkzeug: non-ASCII base64
        ("GET", "/userinfo", "Basic \xe9"),
        ("GET", "/_control/sms", "Bearer "),
    ],
)
def test_a_malformed_authorization_header_is_a_400(idp, method, path, authorization):
    _app, client, _inputs = idp
    answer = client.open(path, method=method, headers={"Authorization": authorization})
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "invalid_request",
        "error_description": "Malformed Authorization header",
    }
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_ids_beyond_64_bits_are_not_found(idp, rp):
    huge = "99999999999999999999"
    idp_client, rp_client = idp[1], rp[1]
    assert idp_client.get(f"/_control/persons/{huge}").status_code == 404
    assert idp_client.get(f"/rs/prns/{huge}").status_code == 404
    assert rp_client.get(f"/profile/{huge}").status_code == 404
    assert rp_client.get(f"/_control/users/{huge}").status_code == 404
    person = {
        "oid": int(huge),
        "last_name": "Иванов",
        "first_name": "Иван",
        "gender": "M",
        "birth_date": "1980-02-01",
        "password": "Ivanov-2024",
        "level": "standard",
    }
    created = idp_client.post("/_control/persons", json=person)
    assert created.status_code == 400 and created.get_json()["field"] == "oid"
    clock = idp_client.post("/_control/clock", json={"offset_seconds": 1e300})
    assert clock.status_code == 400 and clock.get_json()["field"] == "offset_seconds"
