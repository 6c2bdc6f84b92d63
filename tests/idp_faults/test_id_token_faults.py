"""Every OIDC ID token fault: arm it, log in with a plain HTTP client, decode what was served."""

from __future__ import annotations

import time

import pytest
import requests
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, KeySet, RSAKey

from .conftest import arm, jwks, parts, verify

SUB = "1000000001"


def _rsa_keys(base: str) -> list[dict]:
    return [k for k in jwks(base)["keys"] if k["kty"] == "RSA"]


def check_invalid_iss(base, token, rp):
    claims = verify(base, token)
    assert claims["iss"] == f"{base}/invalid-issuer"


def check_invalid_aud(base, token, rp):
    assert verify(base, token)["aud"] == "sferum-invalid"


def check_missing_aud(base, token, rp):
    claims = verify(base, token)
    assert "aud" not in claims and claims["sub"] == SUB


def check_missing_sub(base, token, rp):
    claims = verify(base, token)
    assert "sub" not in claims and claims["aud"] == "sferum"


def check_missing_iat(base, token, rp):
    claims = verify(base, token)
    assert "iat" not in claims and claims["exp"] > time.time()


def check_invalid_sig(base, token, rp):
    header, claims, _sig = parts(token)
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["sub"] == SUB and claims["aud"] == "sferum"
    with pytest.raises(BadSignatureError):
        verify(base, token)


def check_idtoken_sig_none(base, token, rp):
    header, claims, signature = parts(token)
    assert header == {"alg": "none", "typ": "JWT"}
    assert signature == ""
    assert claims["sub"] == SUB and claims["nonce"] == rp.nonce


def check_kid_absent_single_jwks(base, token, rp):
    header, _claims, _sig = parts(token)
    assert "kid" not in header and header["alg"] == "RS256"
    served = jwks(base)["keys"]
    assert len(served) == 1 and served[0]["kty"] == "RSA"
    key = RSAKey.import_key(served[0])
    assert jwt.decode(token, key, algorithms=["RS256"]).claims["sub"] == SUB


def check_kid_absent_multiple_jwks(base, token, rp):
    header, _claims, _sig = parts(token)
    assert "kid" not in header
    rsa = _rsa_keys(base)
    assert len(jwks(base)["keys"]) >= 3 and len(rsa) >= 2
    good = 0
    for data in rsa:
        try:
            jwt.decode(token, RSAKey.import_key(data), algorithms=["RS256"])
            good += 1
        except BadSignatureError:
            continue
    assert good == 1  # exactly one of the several RSA keys verifies it


def check_nonce_invalid(base, token, rp):
    assert verify(base, token)["nonce"] == f"{rp.nonce}-invalid"


def check_expired_exp(base, token, rp):
    claims = verify(base, token)
    assert claims["exp"] < time.time() - 3000
    assert abs(claims["iat"] - time.time()) < 60


def check_iat_week_in_past(base, token, rp):
    claims = verify(base, token)
    assert 7 * 86400 - 60 < time.time() - claims["iat"] < 7 * 86400 + 60
    assert claims["exp"] > time.time()


def check_invalid_secondary_aud(base, token, rp):
    claims = verify(base, token)
    assert claims["aud"] == ["sferum", "https://untrusted.example/rp"]
    assert claims["azp"] == "sferum"


def check_invalid_alternate_alg(base, token, rp):
    header, _claims, _sig = parts(token)
    assert header["alg"] == "ES256"
    ec = next(k for k in jwks(base)["keys"] if k["kty"] == "EC")
    assert header["kid"] == ec["kid"]
    claims = jwt.decode(token, ECKey.import_key(ec), algorithms=["ES256"]).claims
    assert claims["sub"] == SUB


CHECKS = {
    name.removeprefix("check_").replace("_", "-"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("check_")
}


@pytest.mark.parametrize("fault", sorted(CHECKS))
def test_code_exchange_serves_the_faulty_id_token(idp, rp, fault):
    arm(idp.url, fault, client_id="sferum")
    body = rp.tokens()
    CHECKS[fault](idp.url, body["id_token"], rp)
    # used up: the next login is honest again
    assert requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"] == []
    honest = rp.tokens()["id_token"]
    claims = verify(idp.url, honest)
    assert claims["iss"] == idp.url and claims["aud"] == "sferum" and claims["nonce"] == rp.nonce
    assert parts(honest)[0]["kid"]


def test_claims_override_sets_and_removes_what_it_is_given(idp, rp):
    override = {"set": {"acr": "urn:test:low", "sub": "1000000099", "extra": [1, 2]},
                "remove": ["nonce", "auth_time"]}  # fmt: skip
    arm(idp.url, "claims-override", client_id="sferum", params=override)
    claims = verify(idp.url, rp.tokens()["id_token"])  # still signed with the IdP's key
    assert claims["acr"] == "urn:test:low" and claims["sub"] == "1000000099"
    assert claims["extra"] == [1, 2] and "nonce" not in claims and "auth_time" not in claims
    assert claims["iss"] == idp.url and claims["aud"] == "sferum"
    assert verify(idp.url, rp.tokens()["id_token"])["sub"] == SUB, "used up: honest again"


def test_refresh_token_invalid_sub_only_on_refresh(idp, rp):
    arm(idp.url, "refresh-token-invalid-sub")
    first = rp.tokens()
    assert verify(idp.url, first["id_token"])["sub"] == SUB  # the code exchange is untouched
    refreshed = rp.refresh(first["refresh_token"]).json()
    claims = verify(idp.url, refreshed["id_token"])
    assert claims["sub"] == "9" + SUB and claims["iss"] == idp.url


def test_refresh_token_invalid_issuer(idp, rp):
    first = rp.tokens()
    arm(idp.url, "refresh-token-invalid-issuer", client_id="sferum")
    refreshed = rp.refresh(first["refresh_token"]).json()
    claims = verify(idp.url, refreshed["id_token"])
    assert claims["iss"] == f"{idp.url}/invalid-issuer" and claims["sub"] == SUB


def test_a_fault_for_another_client_is_left_armed(idp, rp, es256_rp):
    arm(idp.url, "invalid-iss", client_id="demo-es256")
    assert verify(idp.url, rp.tokens()["id_token"])["iss"] == idp.url
    listed = requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"]
    assert [(f["fault"], f["remaining"]) for f in listed] == [("invalid-iss", 1)]
    token = es256_rp.tokens()["id_token"]
    assert parts(token)[0]["alg"] == "ES256"
    assert verify(idp.url, token)["iss"] == f"{idp.url}/invalid-issuer"


def test_times_counts_responses_and_a_failed_exchange_does_not_use_one(idp, rp):
    arm(idp.url, "missing-sub", times=2)
    assert rp.exchange("not-a-code").status_code == 400  # no ID token served: not consumed
    assert (
        requests.get(f"{idp.url}/_control/faults", timeout=5).json()["faults"][0]["remaining"] == 2
    )
    for _ in range(2):
        assert "sub" not in verify(idp.url, rp.tokens()["id_token"])
    assert "sub" in verify(idp.url, rp.tokens()["id_token"])


def test_es256_client_gets_rs256_with_invalid_alternate_alg(idp, es256_rp):
    arm(idp.url, "invalid-alternate-alg")
    token = es256_rp.tokens()["id_token"]
    header = parts(token)[0]
    assert header["alg"] == "RS256"
    claims = jwt.decode(token, KeySet.import_key_set(jwks(idp.url)), algorithms=["RS256"]).claims
    assert claims["aud"] == "demo-es256"
