"""Control-API request bodies, checked against the JSON Schemas the packages ship.

Each write endpoint names its schema (`@bodies.accepts("person-create", answer)`); the files
are `<name>.json` in a package's schema folder (docs/control-api.md lists them), each a Draft
2020-12 schema whose `$id` ends in its file name, so one may `$ref` another by name. A body
that is not JSON, not RFC 8259 JSON (NaN, Infinity) or breaks its schema is answered by the
app's own `answer(BodyError)`; the view gets the parsed body as `body=`. An empty body is an
empty object (a reset needs nothing more).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from flask import request

from gosuslugi_sandbox.shared.control_api import ascii_text

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

ID_BASE = "https://example.invalid/gosuslugi-sandbox/control/"
NOT_JSON = object()  # a body that does not parse; no schema accepts it
TYPE_NAMES = {
    "object": "a JSON object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
WORDS = {
    "minimum": "must be at least {}",
    "maximum": "must be at most {}",
    "minLength": "needs {} characters or more",
    "maxLength": "must be at most {} characters",
    "minItems": "needs {} items or more",
    "pattern": "must match {}",
    "additionalProperties": "has unknown fields",
}


class BodyError(ValueError):
    """A body its schema refuses; `field` names the top-level field (or "body"), ASCII."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise ValueError("a number beyond a double")
    return value


def parse_body(data: bytes) -> Any:
    """The body as JSON (RFC 8259: no NaN or Infinity), or NOT_JSON; an empty body is {}."""
    if not data.strip():
        return {}  # `curl -X POST …/reset -H 'Content-Type: application/json'` (README)
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        return NOT_JSON


class BodySchemas:
    """The JSON Schemas of an app's control API, loaded once from schema folders."""

    def __init__(self, folders: Iterable[Traversable]) -> None:
        self.schemas: dict[str, dict] = {}
        self.files: dict[str, Traversable] = {}
        for folder in folders:
            for file in sorted(folder.iterdir(), key=lambda f: f.name):
                if not file.name.endswith(".json"):
                    continue
                name = file.name.removesuffix(".json")
                schema = json.loads(file.read_text(encoding="utf-8"))
                # each is checked against the 2020-12 metaschema by
                # tests/edge/test_control_schemas.py, not at every start
                if name in self.schemas or schema.get("$id") != f"{ID_BASE}{file.name}":
                    raise ValueError(f"{file}: $id must be {ID_BASE}{file.name}, once")
                self.schemas[name], self.files[name] = schema, file

    @functools.cached_property
    def registry(self) -> Registry:
        """The schemas by `$id`, so that one may `$ref` another."""
        # on first use, as jsonschema below: ~70 ms of imports kept out of every start
        from referencing import Registry, Resource

        return Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in self.schemas.values()
        )

    @classmethod
    def of(cls, package: str) -> BodySchemas:
        """The schemas both apps share (reset) and those in `package`'s schemas folder."""
        return cls([files(__package__) / "control_schemas", files(package) / "schemas"])

    @functools.cache  # noqa: B019 - one BodySchemas per app package, alive as long as the process
    def validator(self, name: str) -> Draft202012Validator:
        """The validator of one schema (KeyError for a name no file has), built once: building
        one cost a reset 0.4 ms, a hundred times its check."""
        # on first use: jsonschema and its dependencies cost every start ~70 ms otherwise
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schemas[name], registry=self.registry)

    def check(self, name: str, body: Any) -> Any:
        """The body when the schema takes it, else BodyError naming the first bad field."""
        if body is NOT_JSON:
            raise BodyError("body", "must be a JSON object")
        errors = list(self.validator(name).iter_errors(body))
        if errors:  # the outermost, strongest one (jsonschema's relevance, no descent)
            from jsonschema.exceptions import relevance  # loaded by validator() already

            raise _body_error(max(errors, key=relevance))
        return body

    def accepts(self, name: str, answer: Callable[[BodyError], Any]) -> Callable:
        """Decorate a view: its body is checked against `name`, then passed as `body=`."""
        self.schemas[name]  # a missing schema fails at import, not at the first request

        def decorate(view: Callable) -> Callable:
            @functools.wraps(view)
            def checked(*args, **kwargs):
                try:
                    body = self.check(name, parse_body(request.get_data(cache=True)))
                except BodyError as exc:
                    return answer(exc)
                return view(*args, body=body, **kwargs)

            # which schema, and its file: tests/edge/test_control_schemas.py checks the docs name it
            checked.body_schema, checked.body_schema_file = name, self.files[name]
            return checked

        return decorate


def _body_error(error: ValidationError) -> BodyError:
    """A BodyError for a jsonschema error: the top-level field it concerns and why."""
    path = list(error.absolute_path)
    field = str(path[0]) if path else "body"
    where = "".join(f"[{p}]" for p in path[1:])
    message = _message(error)
    if error.validator == "required" and not path:
        missing = [r for r in error.validator_value if r not in error.instance]
        field, message = missing[0], "is required"
    elif error.validator == "additionalProperties" and not path:
        known = set(error.schema.get("properties", {}))
        field, message = sorted(k for k in error.instance if k not in known)[0], "unknown field"
    elif error.validator == "not" and set(error.validator_value) == {"required"} and not path:
        field, message = error.validator_value["required"][0], "is not taken here"
    return BodyError(ascii_text(field), ascii_text(f"{where} {message}".strip()))


def _word(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _message(error: ValidationError) -> str:
    """What is wrong with the value, in words (not jsonschema's, which quote the value)."""
    value = error.validator_value
    if error.validator == "type":
        kinds = [value] if isinstance(value, str) else value
        return "must be " + " or ".join(TYPE_NAMES.get(k, k) for k in kinds)
    if error.validator in ("anyOf", "oneOf"):
        if all(set(branch) == {"required"} for branch in value):
            return "needs " + " or ".join(", ".join(b["required"]) for b in value)
        return "matches none of the allowed shapes"
    if error.validator == "enum":
        return "must be one of " + ", ".join(_word(v) for v in value)
    if error.validator == "required":
        return "needs " + ", ".join(value)
    if error.validator in ("minLength", "minItems") and value == 1:
        return "must not be empty"
    if error.validator in WORDS:
        return WORDS[error.validator].format(value)
    return error.message
