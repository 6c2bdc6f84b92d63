"""The IdP's settings: every default and type once (overridden by IDP_* environment, then test
config), read as one typed object, `settings()`.

`Settings` names each of the IdP's own knobs (the ESIA dialect's and the faults' included) with
its default and how a value is read (the environment gives text or JSON: `IDP_SMS_CODE_LENGTH=4`
is a number); `DEFAULTS` is what `create_app` loads into `app.config`, built from it. Request
code reads `settings()`, made from `app.config` once per request, so a test that changes
`app.config` between requests is obeyed. A value that cannot be read stops the start
(ValueError). The mechanism is shared with the fake Sferum: gosuslugi_sandbox.shared.settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Any

from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.settings import AppSettings, on_off, optional_text, setting

ESIA_FIXTURES = FIXTURES_DIR / "esia"


def files(value: Any) -> tuple[str, ...] | None:
    """A list of files, or one file; None when unset or empty."""
    if not value:
        return None
    if isinstance(value, str | PathLike):
        return (str(value),)
    if not isinstance(value, list | tuple):
        raise ValueError("a file name or a list of them")
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class Settings(AppSettings):
    """The IdP's own knobs (app.config key: the name in capitals, IDP_ prefixed in env)."""

    PREFIX = "IDP"

    # the public base URL used as `iss`; None = built from the request
    issuer: str | None = setting(None, optional_text)
    # honour X-Forwarded-Proto/Host/Prefix (werkzeug ProxyFix, one proxy hop)
    trust_proxy: bool = setting(True, on_off)
    # development mode: fixture persons listed on the landing and login pages
    dev: bool = setting(True, on_off)
    # fixtures loaded at start when the database is empty and on POST /_control/reset:
    # FIXTURES_DIR (default: the shipped ones) holds persons.yaml and clients.yaml;
    # PERSONS_FILES / CLIENTS_FILES (lists) name the files instead, read in order, a later
    # entry with the same oid / client_id replacing an earlier one (idp/fixtures.py)
    fixtures_dir: str | None = setting(None, optional_text)
    persons_files: tuple[str, ...] | None = setting(None, files)
    clients_files: tuple[str, ...] | None = setting(None, files)
    sferum_url: str = setting("http://127.0.0.1:8000")
    # keys: directory of rsa.pem / ec.pem (default <instance>/keys)
    keys_dir: str | None = setting(None, optional_text)
    # login
    max_failed_logins: int = setting(5, int)
    lockout_seconds: float = setting(900.0, float)
    # None = gosuslugi_sandbox.shared.passwords.DEFAULT_METHOD
    password_hash_method: str | None = setting(None, optional_text)
    # SMS (docs/security.md): per code, per login and per person across logins
    sms_code_length: int = setting(6, int)
    sms_code_ttl: int = setting(300, int)
    sms_max_attempts: int = setting(3, int)  # tries of one code
    sms_resend_seconds: int = setting(60, int)
    sms_max_wrong: int = setting(
        10, int
    )  # wrong codes per person in SMS_WRONG_WINDOW, then blocked
    sms_wrong_window: float = setting(900.0, float)
    sms_block_seconds: float = setting(900.0, float)
    sms_resends_per_login: int = setting(5, int)
    sms_resends_per_hour: int = setting(10, int)  # codes sent again to one person per hour
    # «Эл. подпись»: wrong PINs a certificate takes before it is blocked (until a reset)
    signature_pin_attempts: int = setting(3, int)
    # «Восстановить»: the recovery code's lifetime, tries and the wait before a new one
    recovery_code_ttl: int = setting(600, int)
    recovery_code_attempts: int = setting(3, int)
    recovery_resend_seconds: float = setting(60.0, float)
    recovery_max_wrong: int = setting(10, int)  # wrong recovery codes per address, then blocked
    recovery_wrong_window: float = setting(900.0, float)
    recovery_block_seconds: float = setting(3600.0, float)
    # protocol lifetimes (seconds)
    code_ttl: int = setting(60, int)
    access_token_ttl: int = setting(3600, int)
    id_token_ttl: int = setting(3600, int)
    interaction_seconds: int = setting(1800, int)
    sso_session_seconds: int = setting(8 * 3600, int)
    # the ESIA dialect: `iss` of its tokens, independent of the URL the sandbox is served on
    esia_issuer: str = setting("http://esia.gosuslugi.ru/")
    esia_timestamp_skew: float = setting(300.0, float)
    esia_code_ttl: int = setting(300, int)
    esia_access_token_ttl: int = setting(3600, int)
    esia_id_token_ttl: int = setting(10800, int)
    # the IdP's GOST key pair for GOST3410_2012_256 tokens (TEST-ONLY fixture by default)
    esia_gost_key_file: str = setting(str(ESIA_FIXTURES / "idp-gost.key.pem"))
    esia_gost_cert_file: str = setting(str(ESIA_FIXTURES / "idp-gost.crt.pem"))
    # faults: the longest delay one may ask for; how long a retired signing key stays in JWKS
    # after a rotation (and the JWKS shapes of the kid-absent faults last)
    fault_max_delay: float = setting(30.0, float)
    key_rotation_grace: float = setting(300.0, float)


# Flask's own keys and those shared code reads from app.config (the control guard, storage)
FLASK_DEFAULTS = {
    # where secrets, keys and the SQLite file live (IDP_INSTANCE_PATH; relative: to the
    # working directory)
    "INSTANCE_PATH": "instance/idp",
    # storage: IDP_DATABASE_URL or DATABASE_URL, else SQLite in the instance dir
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # control API (gosuslugi_sandbox.shared.control_guard): "on" | "off" (404 everywhere but
    # /_control/health); CONTROL_TOKEN = required bearer token; CONTROL_HOSTS = host names it
    # answers besides loopback and the issuer's (a list, or names separated by commas or spaces)
    "CONTROL": "on",
    "CONTROL_TOKEN": None,
    "CONTROL_HOSTS": [],
    # cookie
    "SESSION_COOKIE_NAME": "gosuslugi_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
}
DEFAULTS = {**FLASK_DEFAULTS, **Settings.defaults()}


def settings() -> Settings:
    """The settings of the current app, read once per request (or app context)."""
    return Settings.current()
