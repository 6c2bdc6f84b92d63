"""Every defect of an ESIA answer is refused with a Russian page, its code, and nothing written:
the real IdP misbehaves through its fault API."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from gosuslugi_sandbox.shared.config import FIXTURES_DIR

OID = 1000000001
GOST_CERT = (FIXTURES_DIR / "esia" / "idp-gost.crt.pem").read_text()
TEST_ISSUER = "http://esia-portal1.test.gosuslugi.ru/"
TOKEN, CERT, PERSON = "/aas/oauth2/te", "/esia/certs/RS256.pem", f"/rs/prns/{OID}"


def query(url: str) -> dict[str, str]:
    """A URL's query parameters."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def crafted_callback(rp, browser, params: dict):
    """Sign in at the IdP, stop before the callback and call it with params and the attempt's
    own state instead."""
    state = rp.stop_before_callback(browser)["state"]
    return browser.open(f"{rp.url}/gosuslugi/callback?{urlencode({**params, 'state': state})}")


def expect_refusal(rp, code: str, person: str | None = None, callback: dict | None = None):
    """Start linking for Рощина; the RP must refuse with code and write nothing."""
    browser = rp.login("123456")
    if callback is None:
        page = rp.start_link(browser, person)
    else:
        page = crafted_callback(rp, browser, callback)
    assert page.require("error-code").text() == code, page.text()
    assert page.require("message").text()
    assert page.status >= 400
    user = rp.user(123456)
    assert user["verified"] is False and user["gosuslugi_oid"] is None
    assert user["middle_name"] == "Владимировна"
    assert rp.events("link") == [] and rp.events("sync") == []
    # The flow cannot be continued either: nothing was stored for step 4.
    assert browser.open(rp.url + "/gosuslugi/confirm").require("error-code").text() == "flow_lost"
    return page


def fault(name: str, **body):
    return lambda stack: stack.arm(name, **body)


def override(**params):
    return fault("claims-override", params=params)


def access(**params):
    """The access token's claims set or removed, still signed (access-token-claims-override)."""
    return fault("access-token-claims-override", params=params)


def answer(**params):
    """The token answer reshaped (token-response-override)."""
    return fault("token-response-override", params=params)


def header(token: str = "id", **params):
    """A token re-signed with its header or key changed (token-header-override): key other is
    one the IdP never published, none an empty signature, public HMAC with the RSA modulus."""
    return fault("token-header-override", params={"token": token, **params})


def document(endpoint: str, **params):
    """An answer reshaped (document-override): members set, a text, a certificate, a status."""
    return fault("document-override", endpoint=endpoint, params=params)


def sbj(**values) -> dict:
    """urn:esia:sbj as given (the IdP's other members of it left out)."""
    return {"urn:esia:sbj": values}


# fmt: off
DEFECTS = [
    ("id_other_key", header(key="other"), "id_token_signature"),
    ("id_corrupted_signature", fault("invalid-sig"), "id_token_signature"),
    ("access_other_key", header("access", key="other"), "access_token_signature"),
    ("id_alg_none", fault("idtoken-sig-none"), "id_token_alg"),
    ("id_unsigned", header(key="none"), "id_token_signature"),
    ("id_hs256", header(key="public"), "id_token_alg"),
    ("id_gost", fault("invalid-alternate-alg"), "id_token_alg"),
    ("access_alg_none", header("access", key="none", set={"alg": "none"}), "access_token_alg"),
    ("id_sbt_access", header(set={"sbt": "access"}), "id_token_type"),
    ("id_no_sbt", header(remove=["sbt"]), "id_token_type"),
    ("access_sbt_id", header("access", set={"sbt": "id"}), "access_token_type"),
    ("id_wrong_iss", fault("invalid-iss"), "id_token_iss"),
    ("id_no_iss", override(remove=["iss"]), "id_token_iss"),
    ("id_wrong_aud", fault("invalid-aud"), "id_token_aud"),
    ("id_aud_list", override(set={"aud": ["esia-cms", "other"]}), "id_token_aud"),
    ("id_expired", fault("expired-exp"), "id_token_exp"),
    ("id_iat_future", override(set={"iat": 4_000_000_000}), "id_token_iat"),
    ("id_nbf_future", override(set={"nbf": 4_000_000_000}), "id_token_iat"),
    ("id_no_exp", override(remove=["exp"]), "id_token_exp"),
    ("id_sub_string", override(set={"sub": str(OID)}), "id_token_sub"),
    ("id_sub_missing", override(remove=["sub"]), "id_token_sub"),
    ("id_sbj_oid_differs", override(set=sbj(**{"urn:esia:sbj:oid": 1000000002,
                                             "urn:esia:sbj:is_tru": True})), "esia_subject"),
    ("id_no_sbj", override(remove=["urn:esia:sbj"]), "esia_subject"),
    ("access_sbj_id_differs", access(set={"urn:esia:sbj_id": 1000000002}), "esia_subject"),
    ("access_sbj_id_string", access(set={"urn:esia:sbj_id": str(OID)}), "esia_subject"),
    ("access_other_client", access(set={"client_id": "esia-none"}), "access_token_client"),
    ("access_wrong_iss", access(set={"iss": "http://evil/"}), "access_token_iss"),
    ("access_expired", access(set={"exp": 1_000_000}), "access_token_exp"),
    ("state_not_echoed", answer(set={"state": "other"}), "esia_state"),
    ("token_500", fault("http-500", endpoint="token"), "idp_unavailable"),
    ("token_malformed_json", fault("malformed-json", endpoint="token"), "idp_garbage"),
    ("token_garbage", document("token", text="<html>oops</html>", content_type="text/html"),
     "idp_garbage"),
    ("token_not_object", answer(body=[1, 2]), "idp_garbage"),
    ("token_without_id_token", answer(remove=["id_token"]), "idp_garbage"),
    ("token_without_access_token", answer(remove=["access_token"]), "idp_garbage"),
    ("token_without_state", answer(remove=["state"]), "esia_state"),
    ("person_401", fault("http-401"), "esia_person"),
    ("person_500", fault("http-500", endpoint="person"), "idp_unavailable"),
    ("person_iso_birth_date", document("person", set={"birthDate": "1990-04-23"}), "idp_garbage"),
    ("person_bad_gender", document("person", set={"gender": "female"}), "idp_garbage"),
    ("person_trusted_not_bool", document("person", set={"trusted": "true"}), "idp_garbage"),
    ("trusted_but_no_is_tru", override(set=sbj(**{"urn:esia:sbj:oid": OID})), "esia_trusted"),
    ("cert_404", document("certificate", status=404, text="not found"), "esia_certificate"),
    ("cert_garbage", document("certificate", text="not a certificate"), "esia_certificate"),
    ("cert_gost", document("certificate", text=GOST_CERT), "esia_certificate"),
    ("cert_expired", document("certificate", certificate={"days": -2}), "esia_certificate"),
    ("cert_503", fault("http-503", endpoint="certificate"), "idp_unavailable"),
    ("callback_access_denied", fault("access-denied"), "access_denied"),
]
CALLBACKS = [
    ("callback_other_error", {"error": "invalid_request",
                              "error_description": "ESIA-007053: client_secret"}, "idp_error"),
    ("callback_unconfirmed", {"error": "access_denied_unconfirmed",
                              "error_description": "ESIA-007055: unconfirmed account"},
     "not_trusted"),
    ("callback_without_code", {}, "idp_garbage"),
]
# fmt: on


@pytest.mark.parametrize(("setup", "code"), [pytest.param(s, c, id=n) for n, s, c in DEFECTS])
def test_defect_is_refused(esia_rp, esia, setup, code):
    setup(esia)
    expect_refusal(esia_rp, code)


@pytest.mark.parametrize(("params", "code"), [pytest.param(p, c, id=n) for n, p, c in CALLBACKS])
def test_callback_error_is_refused(esia_rp, params, code):
    expect_refusal(esia_rp, code, callback=params)


def test_is_tru_but_not_trusted_is_refused(esia_rp, esia):
    """Смирнов's account is standard (not trusted); his ID token claims is_tru all the same."""
    subject = {"urn:esia:sbj:typ": "P", "urn:esia:sbj:is_tru": True,
               "urn:esia:sbj:oid": 1000000003, "urn:esia:sbj:nam": "OID.1000000003"}  # fmt: skip
    esia.arm("claims-override", params={"set": {"urn:esia:sbj": subject}})
    expect_refusal(esia_rp, "esia_trusted", person="smirnov")


def test_happy_path_requests(esia_rp, esia):
    """What the RP sends: signed /ac and /te, a fresh state for /te, the person by its oid."""
    browser = esia_rp.login("123456")
    page = esia_rp.start_link(browser)
    assert page.has("gosuslugi-link-button"), page.text()
    assert "Рощина Елизавета Вадимовна" in page.require("gosuslugi-identity-name").text()
    (ac,), (te,) = esia.tap.all("/aas/oauth2/ac"), esia.tap.all(TOKEN)
    callback = next(e.url for e in browser.history if "/gosuslugi/callback" in e.url)
    assert te["state"] != ac["state"]
    assert te["grant_type"] == "authorization_code" and te["token_type"] == "Bearer"
    assert te["code"] == query(callback)["code"]
    assert te["redirect_uri"] == ac["redirect_uri"] == esia_rp.url + "/gosuslugi/callback"
    assert te["scope"] == ac["scope"] == "openid fullname birthdate gender snils"
    assert ac["client_secret"] and te["client_secret"] and te["timestamp"]
    persons = [p for p, _ in esia.tap.requests if p.startswith("/rs/")]
    assert persons == [PERSON]
    assert esia.tap.all(PERSON)[0]["authorization"].startswith("Bearer ey")


def test_a_token_signed_by_another_key_refetches_the_certificate_once(esia_rp, esia):
    header(key="other")(esia)
    expect_refusal(esia_rp, "id_token_signature")
    assert esia.tap.count(CERT) == 2


def test_the_idp_certificate_is_parsed_once_and_kept(esia_rp):
    """Issue 8's rule: the cached certificate is parsed once, not for every token checked."""
    from gosuslugi_sandbox.relying_party.gosuslugi import esia_tokens

    esia_tokens._parsed_certificate.cache_clear()
    for _ in range(2):
        browser = esia_rp.login("123456")
        assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    info = esia_tokens._parsed_certificate.cache_info()
    assert info.misses == 1 and info.hits >= 3, info


def test_rotated_idp_key_is_picked_up(esia_rp, esia):
    """The certificate cached from the first login is stale; the second login refetches it."""
    browser = esia_rp.login("123456")
    assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    # the IdP's new key: both tokens signed with it, its certificate served
    header("both", key="other")(esia)
    document("certificate", certificate={"key": "other"})(esia)
    browser = esia_rp.login("123456")
    assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    assert esia.tap.count(CERT) == 2


def test_slow_token_endpoint_hits_the_bounded_timeout(make_esia_rp, esia):
    rp = make_esia_rp(HTTP_READ_TIMEOUT=0.3)
    esia.arm("delay", endpoint="token", params={"seconds": 1.0})
    expect_refusal(rp, "idp_timeout")


def test_another_issuer_can_be_configured(make_esia_rp, esia, monkeypatch):
    rp = make_esia_rp(ESIA_ISSUER=TEST_ISSUER)
    expect_refusal(rp, "id_token_iss")
    monkeypatch.setitem(esia.idp.app.config, "ESIA_ISSUER", TEST_ISSUER)
    browser = rp.login("123456")
    assert rp.start_link(browser).has("gosuslugi-link-button")


def test_login_via_gosuslugi_refused_on_a_defect(esia_rp, esia):
    esia.arm("invalid-aud")
    browser = esia_rp.browser()
    browser.open(esia_rp.url + "/login")
    page = esia_rp.through_idp(browser, browser.click("gosuslugi-login-button"))
    assert page.require("error-code").text() == "id_token_aud", page.text()
    assert "Не удалось войти через Госуслуги" in page.text()
    assert not page.has("header-user-name")
    assert [e for e in esia_rp.events("login") if e["detail"].get("method") == "gosuslugi"] == []


def test_token_invalid_grant(esia_rp):
    """A code the RP redeemed, pasted into a fresh attempt: the IdP answers invalid_grant."""
    browser = esia_rp.login("123456")
    first = esia_rp.stop_before_callback(browser)
    page = browser.open(f"{esia_rp.url}/gosuslugi/callback?{urlencode(first)}")
    assert page.has("gosuslugi-link-button"), page.text()
    state = esia_rp.stop_before_callback(browser)["state"]
    page = browser.open(f"{esia_rp.url}/gosuslugi/callback?code={first['code']}&state={state}")
    assert page.require("error-code").text() == "token_error", page.text()
    assert page.status >= 400 and page.require("message").text()
    assert esia_rp.user(123456)["verified"] is False and esia_rp.events("link") == []
