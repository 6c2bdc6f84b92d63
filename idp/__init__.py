"""The fake Gosuslugi identity provider: an OpenID Connect provider on Flask and Authlib."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from gosuslugi_sandbox.idp import (
    browser,
    control,
    esia,
    faults,
    landing,
    login,
    oidc,
    pages,
    report,
)
from gosuslugi_sandbox.idp.clock_offset import offset_source
from gosuslugi_sandbox.idp.config import DEFAULTS, Settings
from gosuslugi_sandbox.idp.database import open_database, password_method, register_commands
from gosuslugi_sandbox.idp.runtime import Runtime, default_sms_code
from gosuslugi_sandbox.shared import web_security
from gosuslugi_sandbox.shared.clock import Clock
from gosuslugi_sandbox.shared.config import configure
from gosuslugi_sandbox.shared.routing import set_up_url_rules
from gosuslugi_sandbox.shared.sql import BIGINT_MAX
from gosuslugi_sandbox.shared.static_files import set_up_static_files


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the IdP app: defaults → IDP_* environment → test_config.

    Test config may also inject CLOCK_BASE (a callable returning epoch seconds, e.g.
    gosuslugi_sandbox.shared.clock.FrozenTime), SMS_CODE_GENERATOR (callable(length) -> str),
    PASSWORD_HASH_METHOD, KEYS_DIR and DATABASE_URL.
    """
    app = Flask(__name__, instance_relative_config=False)
    set_up_url_rules(app, BIGINT_MAX)  # oids are BIGINT columns
    set_up_static_files(app)  # versioned URLs a browser may keep
    configure(app, "IDP", DEFAULTS, test_config)
    app.instance_path = app.config["INSTANCE_PATH"]
    read = Settings.from_config(app.config)  # a value that cannot be read stops the start
    if read.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    # frame, referrer and cookie protection, malformed Authorization headers, bounded ids
    web_security.init_app(app)
    esia.register_hooks()  # before the set-up: it validates the fixture clients' esia_* fields
    db, keys, secret = open_database(app.config)
    db.init_app(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret
    app.extensions["idp"] = Runtime(
        db=db,
        clock=Clock(app.config.get("CLOCK_BASE") or time.time, offset_source(db)),
        keyring=keys,
        sms_code=app.config.get("SMS_CODE_GENERATOR") or default_sms_code,
        password_method=password_method(app.config),
    )
    csrf = CSRFProtect(app)
    # The sandbox is served over plain http (127.0.0.1, or a host name in docker compose);
    # Authlib refuses non-https request URLs unless this is set.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

    pages.init_app(app)
    browser.init_app(app)
    login.init_app(app)
    landing.init_app(app)
    oidc.init_app(app, csrf)
    control.init_app(app, csrf)
    esia.init_app(app)

    faults.init_app(app)
    report.init_app(app)

    register_commands(app)
    return app
