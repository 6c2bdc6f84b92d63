"""The RP refuses every ID-token defect (docs/oidc-negative-cases.md), each with nothing written."""

from __future__ import annotations

import time

import pytest

from tests.relying_party.fake_provider import (
    hs256_token,
    new_ec,
    new_rsa,
    public,
    unsigned_token,
)

WEEK = 7 * 24 * 3600


def refused(rp, browser, code: str) -> None:
    """Run the flow and check the refusal page and that nothing was written."""
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


def _claims(**changes):
    def apply(provider):
        provider.claims.update(changes)

    return apply


def _remove(name):
    def apply(provider):
        provider.remove.add(name)

    return apply


def _corrupt(provider):
    provider.corrupt_signature = True


def _corrupt_es256(provider):
    provider.signing_key, provider.alg = provider.ec, "ES256"
    provider.corrupt_signature = True


def _alg_none(provider):
    provider.raw_id_token = unsigned_token


def _hs256(provider):
    # The classic confusion attack: HMAC keyed with the RSA public key's modulus.
    secret = public(provider.rsa)["n"].encode()
    provider.raw_id_token = lambda claims: hs256_token(claims, secret)


def _es256_when_rs256_registered(provider):
    provider.signing_key, provider.alg = provider.ec, "ES256"


def _unknown_kid(provider):
    provider.signing_key = new_rsa()
    provider.jwks = [public(provider.rsa)]


def _userinfo_other_sub(provider):
    provider.userinfo = {"sub": "1000000002"}


def _exp_past(provider):
    provider.claims["exp"] = int(time.time()) - 120


def _iat_week_ago(provider):
    now = int(time.time())
    provider.claims.update(iat=now - WEEK, exp=now + 300)


def _iat_future(provider):
    provider.claims["iat"] = int(time.time()) + 600


def _exp_string(provider):
    provider.claims["exp"] = "tomorrow"


DEFECTS = {
    "invalid-iss": (_claims(iss="http://127.0.0.1:1/evil"), "id_token_iss"),
    "invalid-aud": (_claims(aud="another-client"), "id_token_aud"),
    "missing-aud": (_remove("aud"), "id_token_aud"),
    "invalid-secondary-aud": (_claims(aud=["sferum", "evil"], azp="sferum"), "id_token_aud"),
    "azp-other-client": (_claims(azp="another-client"), "id_token_azp"),
    "missing-sub": (_remove("sub"), "id_token_sub"),
    "empty-sub": (_claims(sub=""), "id_token_sub"),
    "missing-iat": (_remove("iat"), "id_token_iat"),
    "iat-a-week-in-the-past": (_iat_week_ago, "id_token_iat"),
    "iat-in-the-future": (_iat_future, "id_token_iat"),
    "missing-exp": (_remove("exp"), "id_token_exp"),
    "expired-exp": (_exp_past, "id_token_exp"),
    "exp-not-a-number": (_exp_string, "id_token_exp"),
    "invalid-sig-rs256": (_corrupt, "id_token_signature"),
    "idtoken-sig-none": (_alg_none, "id_token_alg"),
    "invalid-sig-hs256": (_hs256, "id_token_alg"),
    "invalid-alternate-alg": (_es256_when_rs256_registered, "id_token_alg"),
    "nonce-invalid": (_claims(nonce="someone-elses-nonce"), "id_token_nonce"),
    "missing-nonce": (_remove("nonce"), "id_token_nonce"),
    "unknown-kid-even-after-refetch": (_unknown_kid, "id_token_kid"),
    "userinfo-invalid-sub": (_userinfo_other_sub, "userinfo_sub"),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_refused(rp, provider, defect):
    setup, code = DEFECTS[defect]
    setup(provider)
    refused(rp, rp.login("123456"), code)


def test_invalid_sig_es256_is_refused_even_when_es256_is_allowed(make_rp, provider):
    rp = make_rp(ID_TOKEN_ALGS=["RS256", "ES256"])
    _corrupt_es256(provider)
    refused(rp, rp.login("123456"), "id_token_signature")


def test_es256_is_accepted_when_configured(make_rp, provider):
    rp = make_rp(ID_TOKEN_ALGS="RS256,ES256")
    _es256_when_rs256_registered(provider)
    accepted(rp, rp.login("123456"))


def test_several_audiences_need_azp(make_rp, provider):
    rp = make_rp(TRUSTED_AUDIENCES=["sferum-mobile"])
    provider.claims["aud"] = ["sferum", "sferum-mobile"]
    refused(rp, rp.login("123456"), "id_token_azp")


def test_several_trusted_audiences_with_azp_are_accepted(make_rp, provider):
    rp = make_rp(TRUSTED_AUDIENCES=["sferum-mobile"])
    provider.claims.update(aud=["sferum", "sferum-mobile"], azp="sferum")
    accepted(rp, rp.login("123456"))


def test_discovery_issuer_mismatch_refuses_the_configuration(rp, provider):
    provider.discovery_issuer = "http://127.0.0.1:1"
    browser = rp.login("123456")
    browser.open(rp.url + "/gosuslugi/link")
    page = browser.click("gosuslugi-continue")
    assert page.require("error-code").text() == "discovery_issuer"
    assert provider.authorize_requests == []


def test_configured_issuer_must_match_discovery(make_rp, provider):
    rp = make_rp(IDP_ISSUER="https://esia.gosuslugi.ru/")
    browser = rp.login("123456")
    browser.open(rp.url + "/gosuslugi/link")
    page = browser.click("gosuslugi-continue")
    assert page.require("error-code").text() == "discovery_issuer"


def test_exp_and_iat_within_the_leeway_are_accepted(rp, provider):
    now = int(time.time())
    provider.claims.update(exp=now - 30, iat=now + 30)
    accepted(rp, rp.login("123456"))


def test_kid_absent_single_key_is_accepted(rp, provider):
    provider.header = {"kid": None}
    accepted(rp, rp.login("123456"))


def test_kid_absent_several_keys_tries_each(rp, provider):
    provider.header = {"kid": None}
    provider.jwks = [public(new_rsa()), public(new_ec()), public(provider.rsa)]
    accepted(rp, rp.login("123456"))


def test_kid_absent_no_key_verifies_is_refused(rp, provider):
    provider.header = {"kid": None}
    provider.jwks = [public(new_rsa()), public(new_rsa())]
    refused(rp, rp.login("123456"), "id_token_signature")


def test_signing_key_rotation_refetches_jwks_once(rp, provider):
    browser = rp.login("123456")
    accepted(rp, browser)
    fetches = provider.jwks_fetches
    provider.signing_key = new_rsa()  # the provider rotates; its JWKS now has only the new key
    accepted(rp, browser)
    assert provider.jwks_fetches == fetches + 1
    accepted(rp, browser)  # the refetched keys are cached
    assert provider.jwks_fetches == fetches + 1


def test_the_signing_key_is_parsed_once_and_kept(rp, provider, monkeypatch):
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
