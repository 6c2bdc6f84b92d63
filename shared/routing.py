"""URL rules for both apps: integers no larger than their columns, URL builders compiled once.

Werkzeug compiles each rule's two URL builders from a generated syntax tree when the rule is
added; that was a third of building an app. A process that builds many apps (the tests, the
pytest plugin, a runner with private stands) compiled the same rules again for each.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

# (rule, its parsed parts, append_unknown) -> builder; one dict assignment per entry, so
# threads building apps at once at worst compile a rule twice
_BUILDERS: dict[tuple, Callable[..., tuple[str, str]]] = {}


class BuiltOnceRule(Rule):
    """A Rule whose URL builders are shared by every app of the process with the same rule.

    A builder is a function of the rule object it is bound to (it reads the converters from
    it at each call), generated from the rule's parsed parts alone when the rule has no
    defaults; rules with defaults bake them in and are compiled as usual.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        if self.defaults:
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder


def set_up_url_rules(app: Flask, int_maximum: int) -> None:
    """Rules added from now on share their URL builders within the process, and `<int:…>`
    refuses values above int_maximum: PostgreSQL raises on an out-of-range parameter (a 500)
    where SQLite quietly finds nothing."""

    class BoundedInt(IntegerConverter):
        def __init__(self, url_map, fixed_digits=0, min=None, max=int_maximum, signed=False):
            super().__init__(url_map, fixed_digits, min, max, signed)

    app.url_map.converters["int"] = BoundedInt
    app.url_rule_class = BuiltOnceRule
