"""The IdP's configuration defaults (overridden by IDP_* environment, then test config)."""

from __future__ import annotations

from pathlib import Path

DEFAULTS: dict = {
    # where secrets, keys and the SQLite file live (IDP_INSTANCE_PATH; relative: to the
    # working directory)
    "INSTANCE_PATH": "instance/idp",
    # storage: IDP_DATABASE_URL or DATABASE_URL, else SQLite in the instance dir
    "DATABASE_URL": None,
    # the public base URL used as `iss`; None = built from the request
    "ISSUER": None,
    # honour X-Forwarded-Proto/Host/Prefix (werkzeug ProxyFix, one proxy hop)
    "TRUST_PROXY": True,
    # development mode: fixture persons listed on the landing and login pages
    "DEV": True,
    # control API (gosuslugi_sandbox.shared.control_guard): "on" | "off" (404 everywhere but
    # /_control/health); CONTROL_TOKEN = required bearer token; CONTROL_HOSTS = host names it
    # answers besides loopback and the issuer's (a list, or names separated by commas or spaces)
    "CONTROL": "on",
    "CONTROL_TOKEN": None,
    "CONTROL_HOSTS": [],
    # fixtures loaded at start when the database is empty and on POST /_control/reset:
    # FIXTURES_DIR (default: the shipped ones) holds persons.yaml and clients.yaml;
    # PERSONS_FILES / CLIENTS_FILES (lists) name the files instead, read in order, a later
    # entry with the same oid / client_id replacing an earlier one (idp/fixtures.py)
    "FIXTURES_DIR": None,
    "PERSONS_FILES": None,
    "CLIENTS_FILES": None,
    "SFERUM_URL": "http://127.0.0.1:8000",
    # keys: directory of rsa.pem / ec.pem (default <instance>/keys)
    "KEYS_DIR": None,
    "SECRET_KEY": None,
    # login
    "MAX_FAILED_LOGINS": 5,
    "LOCKOUT_SECONDS": 900,
    "PASSWORD_HASH_METHOD": None,  # None = gosuslugi_sandbox.shared.passwords.DEFAULT_METHOD
    # SMS (docs/security.md): per code, per login and per person across logins
    "SMS_CODE_LENGTH": 6,
    "SMS_CODE_TTL": 300,
    "SMS_MAX_ATTEMPTS": 3,  # tries of one code
    "SMS_RESEND_SECONDS": 60,
    "SMS_MAX_WRONG": 10,  # wrong codes per person in SMS_WRONG_WINDOW, then blocked
    "SMS_WRONG_WINDOW": 900,
    "SMS_BLOCK_SECONDS": 900,
    "SMS_RESENDS_PER_LOGIN": 5,
    "SMS_RESENDS_PER_HOUR": 10,  # codes sent again to one person per hour
    # «Эл. подпись»: wrong PINs a certificate takes before it is blocked (until a reset)
    "SIGNATURE_PIN_ATTEMPTS": 3,
    # «Восстановить»: the recovery code's lifetime, tries and the wait before a new one
    "RECOVERY_CODE_TTL": 600,
    "RECOVERY_CODE_ATTEMPTS": 3,
    "RECOVERY_RESEND_SECONDS": 60,
    "RECOVERY_MAX_WRONG": 10,  # wrong recovery codes per address across codes, then blocked
    "RECOVERY_WRONG_WINDOW": 900,
    "RECOVERY_BLOCK_SECONDS": 3600,
    # protocol lifetimes (seconds)
    "CODE_TTL": 60,
    "ACCESS_TOKEN_TTL": 3600,
    "ID_TOKEN_TTL": 3600,
    "INTERACTION_SECONDS": 1800,
    "SSO_SESSION_SECONDS": 8 * 3600,
    # cookie
    "SESSION_COOKIE_NAME": "gosuslugi_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
}


def keys_dir(config: dict) -> Path:
    """The directory holding the signing keys."""
    return Path(config.get("KEYS_DIR") or Path(config["INSTANCE_PATH"]) / "keys")
