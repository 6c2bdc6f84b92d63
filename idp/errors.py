"""Errors that end a page with a Russian message (browsers) or a JSON body (API clients)."""

from __future__ import annotations

from werkzeug.exceptions import HTTPException


class PageError(HTTPException):
    """An error shown to a person: a Russian message and a short machine code.

    The app's single error handler renders it as the error page (testids error-message,
    error-code) for browsers and as {"error": code, "error_description": ...} for API clients.
    """

    code = 400

    def __init__(self, message: str, error_code: str = "bad_request", status: int = 400) -> None:
        super().__init__(description=message)
        self.code = status
        self.message = message
        self.error_code = error_code


class InteractionError(PageError):
    """The interaction id is unknown, expired or already finished."""

    def __init__(
        self, message: str = "Сеанс входа истёк или не найден. Начните вход заново."
    ) -> None:
        super().__init__(message, "interaction_not_found", 400)


class ForeignBrowserError(PageError):
    """The login was started in another browser (its browser cookie does not match)."""

    def __init__(self) -> None:
        super().__init__(
            "Этот вход был начат в другом браузере. Вернитесь на сайт, с которого вы пришли, "
            "и начните вход заново в этом браузере.",
            "foreign_browser",
            403,
        )
