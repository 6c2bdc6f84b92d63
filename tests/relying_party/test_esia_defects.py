"""Every defect of an ESIA answer is refused with a Russian page, its code, and nothing written."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from tests.relying_party import test_esia_fake as fakes
from tests.relying_party.test_esia_fake import OID, certificate_pem, new_key

# The fake's fixtures, shared with this module.
fake_esia, make_esia_rp, esia_rp = fakes.fake_esia, fakes.make_esia_rp, fakes.esia_rp
GOST_CERT = (FIXTURES_DIR / "esia" / "idp-gost.crt.pem").read_text()
TEST_ISSUER = "http://esia-portal1.test.gosuslugi.ru/"


def expect_refusal(rp, fake, code: str):
    """Start linking for Рощина; the RP must refuse with code and write nothing."""
    browser = rp.login("123456")
    page = rp.start_link(browser)
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


def set_attr(name, value):
    return lambda fake: setattr(fake, name, value)


def patch(name, **values):
    return lambda fake: getattr(fake, name).update(values)


# fmt: off
DEFECTS = [
    ("id_other_key", lambda f: setattr(f, "id_key", new_key()), "id_token_signature"),
    ("access_other_key", lambda f: setattr(f, "access_key", new_key()), "access_token_signature"),
    ("id_alg_none", patch("id_header_patch", alg="none"), "id_token_alg"),
    ("id_unsigned", set_attr("id_key", None), "id_token_signature"),
    ("id_hs256", lambda f: (setattr(f, "id_key", f.cert_pem.encode()),
                            f.id_header_patch.update(alg="HS256")), "id_token_alg"),
    ("id_gost", patch("id_header_patch", alg="GOST3410_2012_256"), "id_token_alg"),
    ("access_alg_none", patch("access_header_patch", alg="none"), "access_token_alg"),
    ("id_sbt_access", patch("id_header_patch", sbt="access"), "id_token_type"),
    ("id_no_sbt", patch("id_header_patch", sbt=None), "id_token_type"),
    ("access_sbt_id", patch("access_header_patch", sbt="id"), "access_token_type"),
    ("id_wrong_iss", patch("id_patch", iss=TEST_ISSUER), "id_token_iss"),
    ("id_no_iss", patch("id_patch", iss=None), "id_token_iss"),
    ("id_wrong_aud", patch("id_patch", aud="other-system"), "id_token_aud"),
    ("id_aud_list", patch("id_patch", aud=["esia-cms", "other"]), "id_token_aud"),
    ("id_expired", lambda f: f.id_patch.update(exp=1_000_000), "id_token_exp"),
    ("id_iat_future", lambda f: f.id_patch.update(iat=4_000_000_000), "id_token_iat"),
    ("id_nbf_future", lambda f: f.id_patch.update(nbf=4_000_000_000), "id_token_iat"),
    ("id_no_exp", patch("id_patch", exp=None), "id_token_exp"),
    ("id_sub_string", patch("id_patch", sub=str(OID)), "id_token_sub"),
    ("id_sub_missing", patch("id_patch", sub=None), "id_token_sub"),
    ("id_sbj_oid_differs", patch("id_patch", **{"urn:esia:sbj": {"urn:esia:sbj:oid": 1000000002,
                                 "urn:esia:sbj:is_tru": True}}), "esia_subject"),
    ("id_no_sbj", patch("id_patch", **{"urn:esia:sbj": None}), "esia_subject"),
    ("access_sbj_id_differs", patch("access_patch", **{"urn:esia:sbj_id": 1000000002}),
     "esia_subject"),
    ("access_sbj_id_string", patch("access_patch", **{"urn:esia:sbj_id": str(OID)}),
     "esia_subject"),
    ("access_other_client", patch("access_patch", client_id="esia-none"), "access_token_client"),
    ("access_wrong_iss", patch("access_patch", iss="http://evil/"), "access_token_iss"),
    ("access_expired", lambda f: f.access_patch.update(exp=1_000_000), "access_token_exp"),
    ("state_not_echoed", set_attr("echo_state", False), "esia_state"),
    ("token_invalid_grant", lambda f: (setattr(f, "token_status", 400), setattr(f, "token_raw",
     '{"error":"invalid_grant","error_description":"ESIA-007011: x"}')), "token_error"),
    ("token_500", set_attr("token_status", 502), "idp_unavailable"),
    ("token_garbage", set_attr("token_raw", "<html>oops</html>"), "idp_garbage"),
    ("token_not_object", set_attr("token_raw", "[1, 2]"), "idp_garbage"),
    ("token_without_id_token", set_attr("token_drop", ("id_token",)), "idp_garbage"),
    ("token_without_access_token", set_attr("token_drop", ("access_token",)), "idp_garbage"),
    ("token_without_state", set_attr("token_drop", ("state",)), "esia_state"),
    ("person_401", set_attr("person_status", 401), "esia_person"),
    ("person_500", set_attr("person_status", 500), "idp_unavailable"),
    ("person_iso_birth_date", patch("person_patch", birthDate="1990-04-23"), "idp_garbage"),
    ("person_bad_gender", patch("person_patch", gender="female"), "idp_garbage"),
    ("person_trusted_not_bool", patch("person_patch", trusted="true"), "idp_garbage"),
    ("trusted_but_no_is_tru", patch("id_patch", **{"urn:esia:sbj": {"urn:esia:sbj:oid": OID}}),
     "esia_trusted"),
    ("is_tru_but_not_trusted", patch("person_patch", trusted=False), "esia_trusted"),
    ("cert_404", set_attr("cert_status", 404), "esia_certificate"),
    ("cert_garbage", set_attr("cert_raw", "not a certificate"), "esia_certificate"),
    ("cert_gost", set_attr("cert_raw", GOST_CERT), "esia_certificate"),
    ("cert_expired", lambda f: setattr(f, "cert_pem", certificate_pem(f.key, days=-2)),
     "esia_certificate"),
    ("cert_503", set_attr("cert_status", 503), "idp_unavailable"),
    ("callback_other_error", set_attr("callback_error", {"error": "invalid_request",
     "error_description": "ESIA-007053: client_secret"}), "idp_error"),
    ("callback_unconfirmed", set_attr("callback_error", {"error": "access_denied_unconfirmed",
     "error_description": "ESIA-007055: unconfirmed account"}), "not_trusted"),
    ("callback_access_denied", set_attr("callback_error", {"error": "access_denied",
     "error_description": "ESIA-007004: refused"}), "access_denied"),
    ("callback_without_code", set_attr("callback_error", {}), "idp_garbage"),
]
# fmt: on


@pytest.mark.parametrize(("setup", "code"), [pytest.param(s, c, id=n) for n, s, c in DEFECTS])
def test_defect_is_refused(esia_rp, fake_esia, setup, code):
    setup(fake_esia)
    expect_refusal(esia_rp, fake_esia, code)


def test_happy_path_requests(esia_rp, fake_esia):
    """What the RP sends: signed /ac and /te, a fresh state for /te, the person by its oid."""
    browser = esia_rp.login("123456")
    page = esia_rp.start_link(browser)
    assert page.has("gosuslugi-link-button"), page.text()
    assert "Рощина Елизавета Вадимовна" in page.require("gosuslugi-identity-name").text()
    ac, te = fake_esia.last("/aas/oauth2/ac"), fake_esia.last("/aas/oauth2/te")
    assert te["state"] != ac["state"]
    assert te["grant_type"] == "authorization_code" and te["token_type"] == "Bearer"
    assert te["code"] == "fake-code"
    assert te["redirect_uri"] == ac["redirect_uri"] == esia_rp.url + "/gosuslugi/callback"
    assert te["scope"] == ac["scope"] == "openid fullname birthdate gender snils"
    persons = [p for p, _ in fake_esia.requests if p.startswith("/rs/")]
    assert persons == [f"/rs/prns/{OID}"]
    assert fake_esia.last(f"/rs/prns/{OID}")["authorization"].startswith("Bearer ey")


def test_a_token_signed_by_another_key_refetches_the_certificate_once(esia_rp, fake_esia):
    fake_esia.id_key = new_key()
    expect_refusal(esia_rp, fake_esia, "id_token_signature")
    assert fake_esia.count("/esia/certs/RS256.pem") == 2


def test_the_idp_certificate_is_parsed_once_and_kept(esia_rp, fake_esia):
    """Issue 8's rule: the cached certificate is parsed once, not for every token checked."""
    from gosuslugi_sandbox.relying_party.gosuslugi import esia_tokens

    esia_tokens._parsed_certificate.cache_clear()
    for _ in range(2):
        browser = esia_rp.login("123456")
        assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    info = esia_tokens._parsed_certificate.cache_info()
    assert info.misses == 1 and info.hits >= 3, info


def test_rotated_idp_key_is_picked_up(esia_rp, fake_esia):
    """The certificate cached from the first login is stale; the second login refetches it."""
    browser = esia_rp.login("123456")
    assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    fake_esia.key = fake_esia.id_key = fake_esia.access_key = new_key()
    fake_esia.cert_pem = certificate_pem(fake_esia.key)
    browser = esia_rp.login("123456")
    assert esia_rp.start_link(browser).has("gosuslugi-link-button")
    assert fake_esia.count("/esia/certs/RS256.pem") == 2


def test_slow_token_endpoint_hits_the_bounded_timeout(make_esia_rp, fake_esia):
    rp = make_esia_rp(HTTP_READ_TIMEOUT=0.3)
    fake_esia.token_delay = 1.0
    expect_refusal(rp, fake_esia, "idp_timeout")


def test_another_issuer_can_be_configured(make_esia_rp, fake_esia):
    rp = make_esia_rp(ESIA_ISSUER=TEST_ISSUER)
    expect_refusal(rp, fake_esia, "id_token_iss")
    fake_esia.id_patch["iss"] = fake_esia.access_patch["iss"] = TEST_ISSUER
    browser = rp.login("123456")
    assert rp.start_link(browser).has("gosuslugi-link-button")


def test_login_via_gosuslugi_refused_on_a_defect(esia_rp, fake_esia):
    fake_esia.id_patch["aud"] = "other-system"
    browser = esia_rp.browser()
    browser.open(esia_rp.url + "/login")
    page = browser.click("gosuslugi-login-button")
    assert page.require("error-code").text() == "id_token_aud", page.text()
    assert "Не удалось войти через Госуслуги" in page.text()
    assert not page.has("header-user-name")
    assert [e for e in esia_rp.events("login") if e["detail"].get("method") == "gosuslugi"] == []
