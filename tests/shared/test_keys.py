"""Key files (KEYS_DIR) are generated once and reloaded identically."""

from joserfc import jwt
from joserfc.jwk import KeySet

from gosuslugi_sandbox.shared.keys import SigningKeys, write_secret_file


def test_keys_survive_a_restart(tmp_path):
    first = SigningKeys.from_directory(tmp_path)
    token = jwt.encode(
        {"alg": "RS256", "kid": first.for_alg("RS256").kid}, {"sub": "1"}, first.for_alg("RS256")
    )
    second = SigningKeys.from_directory(tmp_path)
    assert second.public_jwks() == first.public_jwks()
    verified = jwt.decode(token, KeySet.import_key_set(second.public_jwks()))
    assert verified.claims["sub"] == "1"


def test_jwks_is_public_only_and_every_key_has_a_kid(tmp_path):
    jwks = SigningKeys.from_directory(tmp_path).public_jwks()
    assert {k["kty"] for k in jwks["keys"]} == {"RSA", "EC"}
    for key in jwks["keys"]:
        assert key["kid"]
        assert "d" not in key


def test_key_file_is_created_once_with_private_mode(tmp_path):
    path = tmp_path / "rsa.pem"
    assert write_secret_file(path, b"first")
    assert not write_secret_file(path, b"second")
    assert path.read_bytes() == b"first"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
