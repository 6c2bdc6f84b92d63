"""The one error handler (HTML for browsers, JSON for API clients) and page helpers."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gosuslugi_sandbox.idp.errors import PageError
from gosuslugi_sandbox.idp.persons import LEVEL_NAMES
from gosuslugi_sandbox.idp.runtime import runtime
from gosuslugi_sandbox.shared.templating import set_up_templates

log = logging.getLogger(__name__)

RUSSIAN = {
    400: "Некорректный запрос.",
    401: "Требуется авторизация.",
    403: "Доступ запрещён.",
    404: "Страница не найдена.",
    405: "Метод не поддерживается.",
    413: "Слишком большой запрос.",
    429: "Слишком много запросов. Попробуйте позже.",
    500: "Внутренняя ошибка сервиса. Попробуйте позже.",
}


def add_json_prefix(app: Flask, prefix: str) -> None:
    """Errors under this URL prefix are answered as JSON (API endpoints)."""
    app.extensions["idp"].extra.setdefault("json_prefixes", []).append(prefix)


def wants_json() -> bool:
    """Whether the current request is an API call rather than a browser page."""
    if request.path.startswith(("/_control/sms/inbox", "/_control/login")):
        return False
    if any(request.path.startswith(p) for p in runtime().extra.get("json_prefixes", [])):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def error_response(status: int, error_code: str, message: str, description: str | None = None):
    """Render an error as JSON or as the Russian error page."""
    if wants_json():
        body = {"error": error_code, "error_description": description or error_code}
        return jsonify(body), status
    return render_template("error.html", code=error_code, message=message), status


def handle_error(exc: Exception):
    """Every uncaught error of the app ends here."""
    if isinstance(exc, HTTPException) and (exc.code or 500) < 400:
        return exc  # routing redirects
    if isinstance(exc, PageError):
        return error_response(exc.code, exc.error_code, exc.message, exc.error_code)
    if isinstance(exc, CSRFError):
        message = "Срок действия страницы истёк. Вернитесь назад, обновите её и повторите."
        return error_response(400, "csrf_error", message, "CSRF token missing or invalid")
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(status, code, RUSSIAN.get(status, "Ошибка."), exc.name)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error", RUSSIAN[500], "Internal server error")


def init_app(app: Flask) -> None:
    """Install the error handler and the pages' formatting filters."""
    app.register_error_handler(Exception, handle_error)
    set_up_templates(app)
    app.add_template_filter(lambda level: LEVEL_NAMES.get(level, level), "level_name")
