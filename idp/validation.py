"""The one error of control-API field validation (persons, clients): `field` names the field."""

from __future__ import annotations


class ValidationError(ValueError):
    """A bad field; `field` names it, the message says what is wrong (ASCII)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
