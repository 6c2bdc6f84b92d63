"""Password hashing: real algorithms, with a cost that suits test data by default."""

from __future__ import annotations

import functools

from werkzeug.security import check_password_hash, generate_password_hash

# The sandbox's passwords are test data, so the default cost is low enough to keep fixture
# loading and logins fast; set *_PASSWORD_HASH_METHOD="scrypt" for a realistic cost.
DEFAULT_METHOD = "pbkdf2:sha256:1000"


def hash_password(password: str, method: str = DEFAULT_METHOD, fixture: bool = False) -> str:
    """Return a salted hash of the password (a fixture's: see _fixture_hash)."""
    if fixture:
        return _fixture_hash(password, method)
    return generate_password_hash(password, method=method)


@functools.lru_cache(maxsize=1024)
def _fixture_hash(password: str, method: str) -> str:
    """The hash of a fixture's password, made once per process and reused at every reset.

    A stand reloads the same fixture persons at each reset (every scenario, every test);
    hashing them all again was a tenth of a reset. Reusing the salt across reloads of a
    fixture reveals nothing: the fixtures' passwords are published in the repository.
    Passwords people set (control API, password change, recovery) get a fresh salt.
    """
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash in constant time."""
    if not password_hash or password is None:
        return False
    return check_password_hash(password_hash, password)
