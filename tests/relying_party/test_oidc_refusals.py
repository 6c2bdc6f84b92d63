"""The OIDC RP refuses every ID-token defect (docs/oidc-negative-cases.md) and every broken IdP
answer, each with nothing written: the real IdP misbehaves through its fault API."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from gosuslugi_sandbox.harness.servers import free_port

HTML_PAGE = {"text": "<html>oops</html>", "content_type": "text/html; charset=utf-8"}


def refused(rp, browser, code: str) -> None:
    """Run the flow (signed in at the IdP) and check the refusal page and that nothing was
    written."""
    page = rp.start_link(browser)
    assert page.status >= 400, page.text()
    assert page.require("error-code").text() == code, page.text()
    assert page.require("message").text()
    user = rp.user(123456)
    assert user["verified"] is False
    assert user["middle_name"] == "Владимировна"
    assert rp.events("link") == [] and rp.events("sync") == []


def accepted(rp, browser) -> None:
    """Run the flow and check it reached the "Связать" step."""
    page = rp.start_link(browser)
    assert page.has("gosuslugi-link-button"), page.text()


def override(**params):
    """The claims-override fault with these params."""
    return {"fault": "claims-override", "params": params}


# defect → (faults armed, refusal code); claims-override makes the shapes no named fault makes
DEFECTS = {
    "invalid-iss": (["invalid-iss"], "id_token_iss"),
    "invalid-aud": (["invalid-aud"], "id_token_aud"),
    "missing-aud": (["missing-aud"], "id_token_aud"),
    "invalid-secondary-aud": (["invalid-secondary-aud"], "id_token_aud"),
    "azp-other-client": ([override(set={"azp": "another-client"})], "id_token_azp"),
    "missing-sub": (["missing-sub"], "id_token_sub"),
    "empty-sub": ([override(set={"sub": ""})], "id_token_sub"),
    "missing-iat": (["missing-iat"], "id_token_iat"),
    "iat-a-week-in-the-past": (["iat-week-in-past"], "id_token_iat"),
    "iat-in-the-future": ([lambda: override(set={"iat": int(time.time()) + 600})], "id_token_iat"),
    "missing-exp": ([override(remove=["exp"])], "id_token_exp"),
    "expired-exp": (["expired-exp"], "id_token_exp"),
    "exp-not-a-number": ([override(set={"exp": "tomorrow"})], "id_token_exp"),
    "invalid-sig-rs256": (["invalid-sig"], "id_token_signature"),
    "idtoken-sig-none": (["idtoken-sig-none"], "id_token_alg"),
    "invalid-alternate-alg": (["invalid-alternate-alg"], "id_token_alg"),
    "nonce-invalid": (["nonce-invalid"], "id_token_nonce"),
    "missing-nonce": ([override(remove=["nonce"])], "id_token_nonce"),
    "userinfo-invalid-sub": (["userinfo-invalid-sub"], "userinfo_sub"),
}


def arm_all(oidc, faults) -> None:
    """Arm each fault (a name, a body with params, or a function making the body when armed)
    for the RP's client."""
    for fault in faults:
        fault = fault() if callable(fault) else fault
        body = {"fault": fault} if isinstance(fault, str) else dict(fault)
        oidc.arm(body.pop("fault"), **body)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_refused(rp, oidc, defect):
    faults, code = DEFECTS[defect]
    arm_all(oidc, faults)
    refused(rp, rp.login("123456"), code)


def test_hs256_keyed_with_the_public_key_is_refused(rp, oidc):
    """The classic confusion attack: HMAC keyed with the RSA public key's modulus."""
    oidc.arm("token-header-override", params={"key": "public", "remove": ["kid"]})
    refused(rp, rp.login("123456"), "id_token_alg")


def test_unknown_kid_even_after_a_refetch_is_refused(rp, oidc):
    oidc.arm("token-header-override", params={"key": "other", "set": {"kid": "unknown-kid"}})
    refused(rp, rp.login("123456"), "id_token_kid")
    assert oidc.tap.count("/jwks.json") == 2  # fetched, then refetched once for the kid


def test_invalid_sig_es256_is_refused_even_when_es256_is_allowed(make_rp, oidc):
    rp = make_rp(ID_TOKEN_ALGS=["RS256", "ES256"])
    arm_all(oidc, ["invalid-alternate-alg", "invalid-sig"])
    refused(rp, rp.login("123456"), "id_token_signature")


def test_es256_is_accepted_when_configured(make_rp, oidc):
    rp = make_rp(ID_TOKEN_ALGS="RS256,ES256")
    arm_all(oidc, ["invalid-alternate-alg"])
    accepted(rp, rp.login("123456"))


def test_several_audiences_need_azp(make_rp, oidc):
    rp = make_rp(TRUSTED_AUDIENCES=["sferum-mobile"])
    arm_all(oidc, [override(set={"aud": ["sferum", "sferum-mobile"]}, remove=["azp"])])
    refused(rp, rp.login("123456"), "id_token_azp")


def test_several_trusted_audiences_with_azp_are_accepted(make_rp, oidc):
    rp = make_rp(TRUSTED_AUDIENCES=["sferum-mobile"])
    arm_all(oidc, [override(set={"aud": ["sferum", "sferum-mobile"], "azp": "sferum"})])
    accepted(rp, rp.login("123456"))


def test_discovery_issuer_mismatch_refuses_the_configuration(rp, oidc):
    oidc.arm("discovery-issuer-mismatch")
    page = rp.continue_link()
    assert page.require("error-code").text() == "discovery_issuer"
    assert oidc.tap.count("/authorize") == 0


def test_configured_issuer_must_match_discovery(make_rp):
    rp = make_rp(IDP_ISSUER="https://esia.gosuslugi.ru/")
    page = rp.continue_link()
    assert page.require("error-code").text() == "discovery_issuer"


def test_exp_and_iat_within_the_leeway_are_accepted(rp, oidc):
    now = int(time.time())
    arm_all(oidc, [override(set={"exp": now - 30, "iat": now + 30})])
    accepted(rp, rp.login("123456"))


def test_kid_absent_single_key_is_accepted(rp, oidc):
    arm_all(oidc, ["kid-absent-single-jwks"])
    accepted(rp, rp.login("123456"))


def test_kid_absent_several_keys_tries_each(rp, oidc):
    arm_all(oidc, ["kid-absent-multiple-jwks"])
    accepted(rp, rp.login("123456"))


def test_kid_absent_no_key_verifies_is_refused(rp, oidc):
    arm_all(oidc, ["kid-absent-multiple-jwks", "invalid-sig"])
    refused(rp, rp.login("123456"), "id_token_signature")


def test_signing_key_rotation_refetches_jwks_once(rp, oidc):
    browser = rp.login("123456")
    accepted(rp, browser)
    fetches = oidc.tap.count("/jwks.json")
    oidc.arm("signing-key-rotation")  # after the next ID token the IdP signs with a new key
    accepted(rp, browser)
    assert oidc.tap.count("/jwks.json") == fetches
    accepted(rp, browser)  # an unknown kid: the JWKS is fetched once more
    assert oidc.tap.count("/jwks.json") == fetches + 1
    accepted(rp, browser)  # the refetched keys are cached
    assert oidc.tap.count("/jwks.json") == fetches + 1


def test_the_signing_key_is_parsed_once_and_kept(rp, monkeypatch):
    """Issue 8's rule: the JWK from the cached JWKS is imported once, not on every login."""
    from gosuslugi_sandbox.relying_party.gosuslugi import idtoken

    imported = []
    real_import = idtoken.import_key
    monkeypatch.setattr(
        idtoken, "import_key", lambda data: imported.append(data) or real_import(data)
    )
    idtoken._imported_key.cache_clear()
    accepted(rp, rp.login("123456"))
    accepted(rp, rp.login("123456"))
    assert len(imported) == 1, imported


def test_consent_refused(rp, oidc):
    oidc.arm("access-denied")
    refused(rp, rp.login("123456"), "access_denied")


def test_other_authorization_error(rp, oidc):
    """A callback carrying another error than access_denied (the attempt's own state)."""
    browser = rp.login("123456")
    state = rp.stop_before_callback(browser)["state"]
    page = browser.open(f"{rp.url}/gosuslugi/callback?error=server_error&state={state}")
    assert page.require("error-code").text() == "idp_error", page.text()
    assert rp.user(123456)["verified"] is False and rp.events("link") == []


def test_token_endpoint_500(rp, oidc):
    oidc.arm("http-500", endpoint="token")
    refused(rp, rp.login("123456"), "idp_unavailable")


@pytest.mark.parametrize(
    "shape",
    ["malformed-json", "html", "not-an-object", "without-id-token"],
)
def test_token_endpoint_garbage(rp, oidc, shape):
    answers = {"not-an-object": {"body": [1, 2]}, "without-id-token": {"remove": ["id_token"]}}
    if shape == "malformed-json":
        oidc.arm("malformed-json", endpoint="token")
    elif shape in answers:
        oidc.arm("token-response-override", params=answers[shape])
    else:  # 200 with an HTML page
        oidc.arm("document-override", endpoint="token", params=HTML_PAGE)
    refused(rp, rp.login("123456"), "idp_garbage")


def test_token_invalid_grant(rp, oidc):
    """A code from a finished trip, pasted into a fresh attempt: the IdP answers invalid_grant."""
    browser = rp.login("123456")
    first = rp.stop_before_callback(browser)
    page = browser.open(f"{rp.url}/gosuslugi/callback?{urlencode(first)}")  # the RP redeems it
    assert page.has("gosuslugi-link-button"), page.text()
    state = rp.stop_before_callback(browser)["state"]
    page = browser.open(f"{rp.url}/gosuslugi/callback?code={first['code']}&state={state}")
    assert page.require("error-code").text() == "token_error", page.text()
    assert rp.user(123456)["verified"] is False


def test_slow_token_endpoint_hits_the_bounded_timeout(make_rp, oidc):
    rp = make_rp(HTTP_READ_TIMEOUT=0.3)
    oidc.arm("delay", endpoint="token", params={"seconds": 1.5})
    refused(rp, rp.login("123456"), "idp_timeout")


def test_jwks_down(rp, oidc):
    oidc.arm("http-503", endpoint="jwks")
    refused(rp, rp.login("123456"), "idp_unavailable")


@pytest.mark.parametrize("fault", ["malformed-json", "http-401"])
def test_userinfo_garbage(rp, oidc, fault):
    """A truncated userinfo answer, or userinfo refusing the fresh access token (401)."""
    oidc.arm(fault, **({"endpoint": "userinfo"} if fault == "malformed-json" else {}))
    refused(rp, rp.login("123456"), "idp_garbage")


def test_unreadable_birthdate(rp, oidc):
    params = {"set": {"birthdate": "31.02.1990"}}
    oidc.arm("document-override", endpoint="userinfo", params=params)
    refused(rp, rp.login("123456"), "idp_garbage")


@pytest.mark.parametrize("shape", ["malformed-json", "http-500", "404"])
def test_discovery_broken(rp, oidc, shape):
    if shape == "404":
        oidc.arm("document-override", endpoint="discovery", params={"status": 404, "body": {}})
    else:
        oidc.arm(shape, endpoint="discovery")
    page = rp.continue_link()
    assert page.status == 502
    assert page.require("error-code").text() in ("idp_garbage", "idp_unavailable")
    assert rp.user(123456)["verified"] is False


def test_idp_down(make_rp):
    rp = make_rp(IDP_URL=f"http://127.0.0.1:{free_port()}")
    page = rp.continue_link()
    assert page.require("error-code").text() == "idp_unavailable"
    assert "недоступны" in page.require("message").text()
    anonymous = rp.browser()
    anonymous.open(rp.url + "/login")
    page = anonymous.click("gosuslugi-login-button")
    assert page.require("error-code").text() == "idp_unavailable"


def test_expired_attempt(make_rp):
    rp = make_rp(FLOW_TTL_SECONDS=-1)
    refused(rp, rp.login("123456"), "state_expired")
