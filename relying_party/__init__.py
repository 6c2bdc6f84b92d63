"""The fake Sferum: a Flask relying party of the fake Gosuslugi."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from gosuslugi_sandbox.relying_party.accounts.views import bp as accounts
from gosuslugi_sandbox.relying_party.config import DEFAULTS, Settings
from gosuslugi_sandbox.relying_party.control.views import bp as control
from gosuslugi_sandbox.relying_party.database import open_database, register_commands
from gosuslugi_sandbox.relying_party.gosuslugi.dialects import build_protocol
from gosuslugi_sandbox.relying_party.gosuslugi.views import bp as gosuslugi
from gosuslugi_sandbox.relying_party.info.views import bp as info
from gosuslugi_sandbox.relying_party.profile.security import bp as security
from gosuslugi_sandbox.relying_party.profile.views import bp as profile
from gosuslugi_sandbox.relying_party.schools.views import bp as schools
from gosuslugi_sandbox.relying_party.web import (
    GENDER_LABELS,
    ROLE_LABELS,
    current_user,
    message_page,
    verified_mark,
)
from gosuslugi_sandbox.shared import web_security
from gosuslugi_sandbox.shared.clock import Clock
from gosuslugi_sandbox.shared.config import configure
from gosuslugi_sandbox.shared.routing import set_up_url_rules
from gosuslugi_sandbox.shared.sql import INT_MAX
from gosuslugi_sandbox.shared.static_files import set_up_static_files
from gosuslugi_sandbox.shared.templating import set_up_templates


def create_app(test_config=None) -> Flask:
    """Build the fake Sferum app: config, database, blueprints."""
    app = Flask(__name__)
    set_up_url_rules(app, INT_MAX)  # every id of the fake Sferum is an INTEGER column
    set_up_static_files(app)  # versioned URLs a browser may keep
    configure(app, "RP", DEFAULTS, test_config)
    # frame, referrer and cookie protection, malformed Authorization headers
    web_security.init_app(app)
    Settings.from_config(app.config)  # a value that cannot be read stops the start
    app.extensions["clock"] = app.config.get("CLOCK") or Clock()
    # Fails fast (ValueError) on a protocol that is not implemented yet.
    app.extensions["gosuslugi_protocol"] = build_protocol(app.config)

    database, secret = open_database(app.config, app.extensions["clock"].time())
    database.init_app(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret

    csrf = CSRFProtect(app)
    _register_blueprints(app, csrf)
    _register_templates(app)
    register_commands(app)
    return app


def _register_blueprints(app: Flask, csrf: CSRFProtect) -> None:
    for blueprint in (accounts, profile, security, schools, gosuslugi, info, control):
        app.register_blueprint(blueprint)
    csrf.exempt(control)


def _register_templates(app: Flask) -> None:
    set_up_templates(app)

    @app.context_processor
    def _globals():
        return {
            "me": current_user(),
            "ROLE_LABELS": ROLE_LABELS,
            "GENDER_LABELS": GENDER_LABELS,
            "mark": verified_mark,
        }

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        return message_page(
            "Ошибка",
            "Страница устарела. Обновите её и попробуйте ещё раз.",
            400,
            code="csrf",
        )

    @app.errorhandler(404)
    def _not_found(_exc):
        if request.path.startswith("/_control"):
            return jsonify(error="not_found"), 404
        return message_page("Не найдено", "Такой страницы нет.", 404, code="not_found")

    @app.errorhandler(405)
    def _bad_method(_exc):
        if request.path.startswith("/_control"):
            return jsonify(error="method_not_allowed"), 405
        return message_page("Ошибка", "Так эту страницу открыть нельзя.", 405, code="method")
