"""Configuration defaults of the fake Sferum (overridden by RP_* environment, then test config)."""

from __future__ import annotations

from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.passwords import DEFAULT_METHOD

DEFAULTS = {
    "INSTANCE_PATH": "instance/sferum",  # relative: to the working directory
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "SESSION_COOKIE_NAME": "sferum_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "PORT": 8000,
    # Where the IdP is and who it must say it is.
    "IDP_URL": "http://127.0.0.1:9000",
    "IDP_ISSUER": None,  # defaults to IDP_URL
    "PROTOCOL": "oidc",
    "CLIENT_ID": "sferum",
    "CLIENT_SECRET": "sferum-secret",
    "SCOPE": "openid fullname gender birthdate snils",
    "ID_TOKEN_ALGS": ["RS256"],  # the client is registered with RS256; never "none"
    # The ESIA dialect (PROTOCOL=esia): a CMS-signing client registered at the IdP.
    "ESIA_CLIENT_ID": "esia-cms",
    "ESIA_CERT_FILE": str(FIXTURES_DIR / "esia" / "cms-client.crt.pem"),  # TEST-ONLY
    "ESIA_KEY_FILE": str(FIXTURES_DIR / "esia" / "cms-client.key.pem"),  # TEST-ONLY
    "ESIA_ISSUER": "http://esia.gosuslugi.ru/",  # `iss` of ESIA tokens, not the IdP URL
    "ESIA_SCOPE": "openid fullname birthdate gender snils",
    "ESIA_TOKEN_ALGS": ["RS256"],  # verified with the IdP's /esia/certs/RS256.pem
    # a CA file to verify the IdP's HTTPS certificate with (TLS=1 make run sets the test CA);
    # None = the system's / REQUESTS_CA_BUNDLE
    "CA_BUNDLE": None,
    "HTTP_CONNECT_TIMEOUT": 3.0,
    "HTTP_READ_TIMEOUT": 5.0,
    "CLOCK_LEEWAY": 60,
    "ID_TOKEN_MAX_AGE": 600,  # an ID token issued longer ago than this is refused
    "IDP_CACHE_SECONDS": 300,
    "FLOW_TTL_SECONDS": 900,
    # limits (docs/security.md)
    "LOCKOUT_ATTEMPTS": 5,  # wrong passwords per account (or unknown login), then locked
    "LOCKOUT_SECONDS": 300,
    "RESET_CODE_TTL": 900,
    "RESET_CODE_ATTEMPTS": 5,  # tries of one reset code
    "RESET_MAX_WRONG": 10,  # wrong reset codes per account and per address, across codes
    "RESET_WRONG_WINDOW": 900,
    "RESET_BLOCK_SECONDS": 3600,
    "RESET_SENDS_PER_HOUR": 5,  # reset codes sent to one address
    "SESSION_SECONDS": 12 * 3600,  # a login's server-side session
    "PASSWORD_HASH_METHOD": DEFAULT_METHOD,
    "FIXTURES_FILE": str(FIXTURES_DIR / "sferum.yaml"),
    # control API (gosuslugi_sandbox.shared.control_guard): off = 404 but health; token = bearer
    # token; hosts = names it answers besides loopback and PUBLIC_URL's
    "CONTROL": "on",
    "CONTROL_TOKEN": None,
    "CONTROL_HOSTS": [],
    # Injectable in tests: a gosuslugi_sandbox.shared.clock.Clock and a () -> str six-digit code
    # generator.
    "CLOCK": None,
    "CODE_GENERATOR": None,
}
