"""Small pieces: gosuslugi_sandbox.shared.keys.public_jwk, the fault catalogue, atomic
consumption."""

from __future__ import annotations

from gosuslugi_sandbox.idp import create_app
from gosuslugi_sandbox.idp.faults import registry, store
from gosuslugi_sandbox.idp.faults.tokens import corrupt, mutate_claims, other_subject, unsigned
from gosuslugi_sandbox.shared.keys import SigningKeys, public_jwk


def test_public_jwk_is_what_signing_keys_publish(tmp_path):
    keys = SigningKeys.from_directory(tmp_path)
    assert keys.public_jwks() == {"keys": [public_jwk(k) for k in keys.keys]}
    rsa = public_jwk(keys.for_alg("RS256"))
    assert rsa["alg"] == "RS256" and rsa["use"] == "sig" and "d" not in rsa and rsa["kid"]


def test_catalogue_names_the_issue_lists():
    names = set(registry.SPECS)
    assert len(names) == 35
    # issue 17: the shapes the RP tests used to bend the answers into
    assert {"token-response-override", "http-401", "access-token-claims-override"} <= names
    assert {"token-header-override", "document-override"} <= names
    assert {"invalid-iss", "refresh-token-invalid-issuer", "code-reuse-allowed", "drop"} <= names
    assert {"sms-blocked", "account-locked"} <= names  # issue 13: what a blocked person meets
    assert "kid-absent-single-jwks" not in registry.MUST_REFUSE
    assert "invalid-sig" in registry.MUST_REFUSE
    assert not registry.SPECS["discovery-issuer-mismatch"].client_scoped
    assert registry.SPECS["http-500"].client_scoped


def test_take_never_goes_below_zero(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "u",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # fmt: skip
    db = app.extensions["idp"].db
    clean = registry.validate({"fault": "invalid-iss"}, 30, set())
    row = store.arm(db, clean, 0.0)
    assert store.take_all(db, [row.id, row.id]) == {row.id}
    with db.transaction() as session:
        assert store.take(session, row.id) is False
        store.refund(session, [row.id])
    assert [r.remaining for r in store.armed(db)] == [1]
    db.dispose()


def test_token_helpers():
    assert other_subject(1000000001) == 91000000001 and other_subject("7") == "97"
    token = unsigned({"alg": "RS256", "typ": "JWT"}, {"sub": "1"})
    assert token.endswith(".") and token.count(".") == 2
    signed = "eyJhIjoxfQ.eyJiIjoyfQ.AAECAwQF"
    assert corrupt(signed) != signed and corrupt(signed).split(".")[:2] == signed.split(".")[:2]
    claims = mutate_claims(["missing-sub", "invalid-aud"], {"sub": 1, "aud": "c",
                           "urn:esia:sbj": {"urn:esia:sbj:oid": 1}}, "c", 1000)  # fmt: skip
    assert claims == {"aud": "c-invalid", "urn:esia:sbj": {}}
    assert mutate_claims(["expired-exp", "iat-week-in-past"], {"exp": 5000}, "c", 10**6) == {
        "exp": 10**6 - 3600, "iat": 10**6 - 7 * 86400,
    }  # fmt: skip
