"""The fake Sferum's settings: every default and type once (overridden by RP_* environment,
then test config), read as one typed object, `settings()`.

`Settings` names each of the app's own knobs with its default and how a value is read (the
environment gives text or JSON: `RP_ID_TOKEN_ALGS=RS256,ES256` is a list, `RP_LOCKOUT_SECONDS=60`
a number); `DEFAULTS` is what `create_app` loads into `app.config`, built from it. Views read
`settings()`, made from `app.config` once per request, so a test that changes `app.config`
between requests is obeyed. A value that cannot be read stops the start (ValueError). The
mechanism is shared with the IdP: gosuslugi_sandbox.shared.settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.passwords import DEFAULT_METHOD
from gosuslugi_sandbox.shared.settings import AppSettings, names, optional_text, setting


@dataclass(frozen=True)
class Settings(AppSettings):
    """The fake Sferum's own knobs (app.config key: the name in capitals, RP_ prefixed in env)."""

    PREFIX = "RP"

    public_url: str = setting("http://127.0.0.1:8000")
    port: int = setting(8000, int)
    # where the IdP is and who it must say it is (IDP_ISSUER unset: IDP_URL)
    idp_url: str = setting("http://127.0.0.1:9000")
    idp_issuer: str | None = setting(None, optional_text)
    protocol: str = setting("oidc", lambda v: str(v or "oidc").lower())
    client_id: str = setting("sferum")
    client_secret: str = setting("sferum-secret")
    scope: str = setting("openid fullname gender birthdate snils")
    # the client is registered with RS256; never "none"
    id_token_algs: tuple[str, ...] = setting(("RS256",), names)
    # audiences besides client_id an ID token may carry (each one trusted by the operator)
    trusted_audiences: tuple[str, ...] = setting((), names)
    # the ESIA dialect (PROTOCOL=esia): a CMS-signing client registered at the IdP
    esia_client_id: str = setting("esia-cms")
    esia_cert_file: str = setting(str(FIXTURES_DIR / "esia" / "cms-client.crt.pem"))  # TEST-ONLY
    esia_key_file: str = setting(str(FIXTURES_DIR / "esia" / "cms-client.key.pem"))  # TEST-ONLY
    esia_issuer: str = setting("http://esia.gosuslugi.ru/")  # `iss` of ESIA tokens, not the URL
    esia_scope: str = setting("openid fullname birthdate gender snils")
    # verified with the IdP's /esia/certs/RS256.pem
    esia_token_algs: tuple[str, ...] = setting(("RS256",), names)
    # a CA file for the IdP's HTTPS certificate (TLS=1 make run sets the test CA); None = the
    # system's / REQUESTS_CA_BUNDLE
    ca_bundle: str | None = setting(None, optional_text)
    http_connect_timeout: float = setting(3.0, float)
    http_read_timeout: float = setting(5.0, float)
    clock_leeway: float = setting(60.0, float)
    id_token_max_age: float = setting(600.0, float)  # an older ID token is refused
    idp_cache_seconds: float = setting(300.0, float)
    flow_ttl_seconds: float = setting(900.0, float)
    # limits (docs/security.md)
    lockout_attempts: int = setting(5, int)  # wrong passwords per account (or unknown login)
    lockout_seconds: float = setting(300.0, float)
    reset_code_ttl: float = setting(900.0, float)
    reset_code_attempts: int = setting(5, int)  # tries of one reset code
    reset_max_wrong: int = setting(10, int)  # wrong reset codes per account and per address
    reset_wrong_window: float = setting(900.0, float)
    reset_block_seconds: float = setting(3600.0, float)
    reset_sends_per_hour: int = setting(5, int)  # reset codes sent to one address
    session_seconds: float = setting(12 * 3600.0, float)  # a login's server-side session
    password_hash_method: str = setting(DEFAULT_METHOD)
    fixtures_file: str = setting(str(FIXTURES_DIR / "sferum.yaml"))

    def __post_init__(self) -> None:
        if self.idp_issuer is None:  # the IdP names itself by its URL unless told otherwise
            object.__setattr__(self, "idp_issuer", self.idp_url)


# Flask's own keys and those shared code reads from app.config (the control guard)
FLASK_DEFAULTS = {
    "INSTANCE_PATH": "instance/sferum",  # relative: to the working directory
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "SESSION_COOKIE_NAME": "sferum_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
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
DEFAULTS = {
    **FLASK_DEFAULTS,
    **Settings.defaults(),
}


def settings() -> Settings:
    """The settings of the current app, read once per request (or app context)."""
    return Settings.current()
