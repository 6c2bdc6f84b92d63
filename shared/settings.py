"""One typed settings object per app: each knob's default and reader once, read per request.

An app declares a frozen dataclass of `setting(default, read)` fields deriving from
`AppSettings`; its `defaults()` is what create_app loads into `app.config` (so the environment,
`PREFIX_NAME`, and test config override them), `from_config` reads every value into its type
(ValueError names the one that cannot be) and `current()` does so once per request or app
context, so a test that changes `app.config` between requests is obeyed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field, fields
from typing import Any, ClassVar, Self

from flask import current_app, g

from gosuslugi_sandbox.shared.config import OFF_VALUES, ON_VALUES


def names(value: Any) -> tuple[str, ...]:
    """A list setting given as a list or as comma-separated text (environment variables)."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if value is not None and not isinstance(value, list | tuple):
        raise ValueError("a list or comma-separated text")
    return tuple(str(v) for v in value or ())


def on_off(value: Any) -> bool:
    """A switch: a bool, or on/off, true/false, 1/0, yes/no in any case (environment text)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ON_VALUES:
        return True
    if text in OFF_VALUES:
        return False
    raise ValueError("on or off")


def optional_text(value: Any) -> str | None:
    """Text, or None when unset or empty."""
    return None if value in (None, "") else str(value)


def setting(default: Any, read: Callable[[Any], Any] = str) -> Any:
    """A field of an app's settings: its default and how a configured value is read."""
    return field(default=default, metadata={"read": read})


class AppSettings:
    """The mechanism an app's settings dataclass inherits (its fields are app.config keys in
    lower case; PREFIX is the environment's, named in errors)."""

    PREFIX: ClassVar[str]
    _readers: ClassVar[tuple[tuple[str, str, Any, Callable[[Any], Any]], ...]]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Self:
        """Read every setting from a Flask config; ValueError names the one that cannot be."""
        readers = cls.__dict__.get("_readers")
        if readers is None:  # once per class: the request path reads, it does not introspect
            readers = tuple(
                (f.name, f.name.upper(), f.default, f.metadata["read"])
                for f in fields(cls)  # type: ignore[arg-type]
            )
            cls._readers = readers
        values = {}
        for name, key, default, read in readers:
            raw = config.get(key, default)
            try:
                values[name] = read(raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{cls.PREFIX}_{key}={raw!r} cannot be read: {exc}") from exc
        return cls(**values)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The app.config defaults: every setting's name in capitals and its default."""
        return {f.name.upper(): f.default for f in fields(cls)}  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> Self:
        """The current app's settings, read once per request (or app context)."""
        key = f"{cls.PREFIX.lower()}_settings"
        read = g.get(key)
        if read is None:
            read = cls.from_config(current_app.config)
            setattr(g, key, read)
        return read
