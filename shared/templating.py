"""The one place both apps' templates get numbers, phones and dates formatted the Russian way."""

from __future__ import annotations

from flask import Flask

from gosuslugi_sandbox.shared.formats import (
    count_ru,
    plural_ru,
    show_date,
    show_login,
    show_phone,
    show_snils,
)


def install_filters(app: Flask) -> None:
    """Filters `phone`, `date_ru`, `login`, `snils`, `count('участник', …)`; global `plural`."""
    app.add_template_filter(show_phone, "phone")
    app.add_template_filter(show_date, "date_ru")
    app.add_template_filter(show_login, "login")
    app.add_template_filter(show_snils, "snils")
    app.add_template_filter(count_ru, "count")
    app.add_template_global(plural_ru, "plural")
