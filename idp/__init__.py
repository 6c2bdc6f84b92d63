"""The fake Gosuslugi identity provider: an OpenID Connect provider on Flask and Authlib."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, g, has_request_context
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from idp.config import DEFAULTS, keys_dir
from idp.models import Base, Setting
from idp.runtime import Runtime, default_sms_code
from shared import web_security
from shared.clock import Clock
from shared.config import configure
from shared.keys import SigningKeys, load_or_create_secret
from shared.passwords import DEFAULT_METHOD
from shared.storage import Database, default_sqlite_url

CLOCK_OFFSET_KEY = "clock_offset_seconds"


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the IdP app: defaults → IDP_* environment → test_config.

    Test config may also inject CLOCK_BASE (a callable returning epoch seconds, e.g.
    shared.clock.FrozenTime), SMS_CODE_GENERATOR (callable(length) -> str),
    PASSWORD_HASH_METHOD, KEYS_DIR and DATABASE_URL.
    """
    app = Flask(__name__, instance_relative_config=False)
    configure(app, "IDP", DEFAULTS, test_config)
    app.instance_path = app.config["INSTANCE_PATH"]
    instance = Path(app.config["INSTANCE_PATH"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret(instance / "secret_key")
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    # frame, referrer and cookie protection, malformed Authorization headers, bounded ids
    web_security.init_app(app)

    url = app.config.get("DATABASE_URL") or default_sqlite_url(str(instance), "idp")
    db = Database(url, Base.metadata)
    app.extensions["idp"] = Runtime(
        db=db,
        clock=Clock(app.config.get("CLOCK_BASE") or time.time, _offset_source(db)),
        keys=SigningKeys.from_directory(keys_dir(app.config)),
        sms_code=app.config.get("SMS_CODE_GENERATOR") or default_sms_code,
        password_method=app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_METHOD,
    )
    csrf = CSRFProtect(app)
    # The sandbox is served over plain http (127.0.0.1, or a host name in docker compose);
    # Authlib refuses non-https request URLs unless this is set.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

    from idp import control, landing, login, oidc, pages

    pages.init_app(app)
    login.init_app(app)
    landing.init_app(app)
    oidc.init_app(app, csrf)
    control.init_app(app, csrf)

    # ---- ESIA dialect (idp/esia, its own engineer): registered here, before the tables
    # ---- are created below, so its models share Base.metadata.
    from idp import esia

    esia.init_app(app)

    # ---- fault injection and the relying party's report card (also add tables)
    from idp import faults, report

    faults.init_app(app)
    report.init_app(app)

    _create_tables(app, db)
    from idp.fixtures import load_if_empty

    with app.app_context():
        load_if_empty(app)
    return app


def _create_tables(app: Flask, db: Database) -> None:
    """Create the tables; two workers starting together may race, so the loser retries."""
    try:
        db.init_app(app)
    except OperationalError:
        time.sleep(0.2)
        db.init_app(app)


def _offset_source(db: Database):
    """Read the clock offset from the settings table (once per request), so workers agree."""
    # A Core query on its own pooled connection: it sees only committed data, as the ORM
    # session it replaces did, at a tenth of the cost (it runs on nearly every request).
    query = select(Setting.value).where(Setting.key == CLOCK_OFFSET_KEY)

    def read() -> float:
        if has_request_context() and "clock_offset" in g:
            return g.clock_offset
        with db.engine.connect() as connection:
            raw = connection.execute(query).scalar()
        value = float(raw) if raw is not None else 0.0
        if has_request_context():
            g.clock_offset = value
        return value

    return read
