"""The report card: a careful client passes every check; each sloppy habit fails its check."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.idp.report.record import entropy_bits

from .conftest import ROSHCHINA, arm, esia_client, esia_tokens, report, verify

OIDC_CHECKS = {
    "state-present", "state-entropy", "state-unique", "nonce-present", "pkce-s256", "pkce-fresh",
    "code-single-use", "code-one-token-call", "refresh-single-use", "refuses-bad-id-token",
    "jwks-refetch-after-rotation",
}  # fmt: skip
ESIA_CHECKS = {
    "state-present", "state-entropy", "state-unique", "code-single-use", "code-one-token-call",
    "refresh-single-use", "refuses-bad-id-token", "esia-signature", "esia-timestamp-skew",
    "esia-token-state-fresh",
}  # fmt: skip


def careful_login(rp, base: str) -> dict | None:
    """Log in, exchange once, verify the ID token; only then call userinfo. None if refused."""
    rp.browser = HttpBrowser(stop_at=("http://127.0.0.1:5555",))
    body = rp.tokens()
    try:
        claims = verify(base, body["id_token"])
    except Exception:
        requests.get(f"{base}/jwks.json", timeout=5)  # unknown kid? fetch JWKS once more
        try:
            claims = verify(base, body["id_token"])
        except Exception:
            return None
    if claims.get("iss") != base or claims.get("aud") != rp.client_id:
        return None
    if claims.get("nonce") != rp.nonce:
        return None
    assert rp.userinfo(body["access_token"]).status_code == 200
    return body


def test_a_careful_oidc_client_passes_every_check(idp, rp):
    first = careful_login(rp, idp.url)
    assert first is not None
    arm(idp.url, "invalid-iss", client_id="sferum")
    assert careful_login(rp, idp.url) is None  # refused: no userinfo call
    refreshed = rp.refresh(first["refresh_token"])
    assert refreshed.status_code == 200
    assert rp.refresh(refreshed.json()["refresh_token"]).status_code == 200
    arm(idp.url, "signing-key-rotation", client_id="sferum")
    assert careful_login(rp, idp.url) is not None
    assert careful_login(rp, idp.url) is not None  # new kid: verified after a JWKS fetch
    card = requests.get(f"{idp.url}/_control/clients/sferum/report", timeout=10).json()
    statuses = {c["id"]: c["status"] for c in card["checks"]}
    assert statuses == dict.fromkeys(OIDC_CHECKS, "pass"), card["checks"]
    assert card["summary"] == {"pass": 11, "fail": 0, "not_observed": 0}
    refuse = next(c for c in card["checks"] if c["id"] == "refuses-bad-id-token")
    assert "invalid-iss" in refuse["evidence"][0]["note"] and refuse["evidence"][0]["request_id"]
    assert len(card["authorizations"]) == 4
    assert all(a["code_issued"] and len(a["token_requests"]) == 1 for a in card["authorizations"])
    assert card["authorizations"][1]["faults"] == ["invalid-iss"]
    assert card["authorizations"][1]["userinfo_requests"] == []

    page = HttpBrowser().open(f"{idp.url}/_control/report")
    for check in OIDC_CHECKS:
        row = page.require(f"report-row-sferum-{check}")
        assert row.get("data-status") == "pass"
        assert "пройдено" in page.require(f"report-status-sferum-{check}").text()
    assert page.has("report-junit") and page.has("report-client-sferum")


def test_an_untouched_registered_client_is_not_observed(idp):
    statuses = report(idp.url, "demo-public")
    assert set(statuses) == OIDC_CHECKS and set(statuses.values()) == {"not_observed"}
    assert set(report(idp.url, "esia-cms")) == ESIA_CHECKS
    missing = requests.get(f"{idp.url}/_control/clients/nobody/report", timeout=5)
    assert missing.status_code == 404


def test_no_state_fails(idp, rp):
    rp.tokens(state=None)
    assert report(idp.url, "sferum")["state-present"] == "fail"


def test_weak_and_repeated_state_fail(idp, rp):
    rp.tokens(state="abc123")
    rp.browser = HttpBrowser(stop_at=("http://127.0.0.1:5555",))
    rp.tokens(state="abc123")
    statuses = report(idp.url, "sferum")
    assert statuses["state-present"] == "pass"
    assert statuses["state-entropy"] == "fail" and statuses["state-unique"] == "fail"


def test_no_nonce_fails(idp, rp):
    rp.tokens(nonce=None)
    statuses = report(idp.url, "sferum")
    assert statuses["nonce-present"] == "fail" and statuses["state-present"] == "pass"


def test_plain_pkce_is_refused_and_fails(idp, public_rp):
    callback = public_rp.login(public_rp.authorize_url(pkce="plain"))
    assert callback["error"] == "invalid_request"
    card = requests.get(f"{idp.url}/_control/clients/demo-public/report", timeout=10).json()
    pkce = next(c for c in card["checks"] if c["id"] == "pkce-s256")
    assert pkce["status"] == "fail"
    assert pkce["evidence"][0]["note"] == "plain (refused by the IdP)"


def test_no_pkce_fails(idp, rp):
    rp.tokens(pkce=None)
    assert report(idp.url, "sferum")["pkce-s256"] == "fail"


def test_reused_code_fails(idp, rp):
    code = rp.code()
    assert rp.exchange(code).status_code == 200
    assert rp.exchange(code).status_code == 400
    statuses = report(idp.url, "sferum")
    assert statuses["code-single-use"] == "fail"
    assert statuses["code-one-token-call"] == "fail"


def test_reused_refresh_token_fails(idp, rp):
    body = rp.tokens()
    assert rp.refresh(body["refresh_token"]).status_code == 200
    assert rp.refresh(body["refresh_token"]).status_code == 400
    assert report(idp.url, "sferum")["refresh-single-use"] == "fail"


def test_userinfo_after_a_bad_id_token_fails(idp, rp):
    arm(idp.url, "nonce-invalid", client_id="sferum")
    body = rp.tokens()  # a sloppy client does not check the nonce...
    assert rp.userinfo(body["access_token"]).status_code == 200  # ...and goes on
    card = requests.get(f"{idp.url}/_control/clients/sferum/report", timeout=10).json()
    check = next(c for c in card["checks"] if c["id"] == "refuses-bad-id-token")
    assert check["status"] == "fail"
    assert "userinfo called with the access token" in check["evidence"][0]["note"]


def test_no_jwks_fetch_after_rotation_fails(idp, rp):
    arm(idp.url, "signing-key-rotation")
    rp.tokens()
    rp.browser = HttpBrowser(stop_at=("http://127.0.0.1:5555",))
    rp.tokens()  # signed with the new key; this client never fetches JWKS
    assert report(idp.url, "sferum")["jwks-refetch-after-rotation"] == "fail"


def test_junit_has_one_testcase_per_check_and_failures(idp, rp):
    rp.tokens(nonce=None)
    response = requests.get(f"{idp.url}/_control/report", params={"format": "junit"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    suite = root.find("testsuite[@name='relying-party sferum']")
    cases = {c.get("name").split(":")[0]: c for c in suite.findall("testcase")}
    assert set(cases) == OIDC_CHECKS
    assert cases["nonce-present"].find("failure") is not None
    assert "no nonce" in cases["nonce-present"].find("failure").text
    assert cases["state-present"].find("failure") is None
    assert cases["refresh-single-use"].find("skipped") is not None
    assert root.get("failures") == suite.get("failures") == "1"
    one = requests.get(
        f"{idp.url}/_control/report", params={"format": "junit", "client_id": "sferum"}, timeout=10
    )
    assert len(ET.fromstring(one.content).findall("testsuite")) == 1


def test_a_careful_esia_client_passes(idp):
    client = esia_client(idp, "esia-cms", "cms")
    body = esia_tokens(idp, client, v3=False)  # the CMS test signer signs the legacy string
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(f"{idp.url}/rs/prns/1000000001", headers=headers, timeout=5).ok
    assert client.token("refresh_token", body["refresh_token"], v3=False).status_code == 200
    arm(idp.url, "invalid-sig", client_id="esia-cms")
    esia_tokens(idp, client, v3=False)  # refused: the person is not read with its access token
    statuses = report(idp.url, "esia-cms")
    assert statuses == dict.fromkeys(ESIA_CHECKS, "pass"), statuses


def test_a_sloppy_esia_client_fails_the_esia_checks(idp):
    client = esia_client(idp)  # esia-none: client_secret is not a signature
    params = client.auth_params()
    client.start(params)
    code = client.login(ROSHCHINA)["code"]
    assert client.token("authorization_code", code, state=params["state"]).status_code == 200
    old = client.auth_params(ts="2020.01.01 00:00:00 +0300")
    client.browser = HttpBrowser(stop_at=("http://127.0.0.1:5555",))
    client.start(old)
    assert client.callback()["error_description"].startswith("ESIA-007015")
    statuses = report(idp.url, "esia-none")
    assert statuses["esia-token-state-fresh"] == "fail"
    assert statuses["esia-signature"] == "fail"
    assert statuses["esia-timestamp-skew"] == "fail"


def test_entropy_estimate():
    assert entropy_bits("") == 0
    assert entropy_bits("abc123") < 40
    assert entropy_bits("a" * 64) < 10
    assert entropy_bits("0123456789abcdef" * 2) == 128  # 32 hex digits
    assert entropy_bits("f81d4fae-7dec-41d0-a765-00a0c91e6bf6") >= 128  # a UUID
