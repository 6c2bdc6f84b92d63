"""What both apps' templates share: Russian formatting filters and compiled templates."""

from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from gosuslugi_sandbox.shared.formats import (
    count_ru,
    plural_ru,
    show_date,
    show_login,
    show_phone,
    show_snils,
)


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept for the process: every app built in it compiles a template once.

    A process usually builds one app, but a runner with private stands (`run -j`), the pytest
    plugin and the tests build many; compiling the same templates for each was a tenth of
    their start. Jinja checks each entry against the template's source before using it.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}  # one dict assignment per entry: safe across threads

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = ProcessBytecodeCache()


def set_up_templates(app: Flask) -> None:
    """Filters `phone`, `date_ru`, `login`, `snils`, `count('участник', …)`; global `plural`;
    the process's compiled templates."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.add_template_filter(show_phone, "phone")
    app.add_template_filter(show_date, "date_ru")
    app.add_template_filter(show_login, "login")
    app.add_template_filter(show_snils, "snils")
    app.add_template_filter(count_ru, "count")
    app.add_template_global(plural_ru, "plural")
