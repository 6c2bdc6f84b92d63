"""Scenario files: YAML a QA engineer writes, validated against a JSON Schema, with line numbers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

# the format's JSON Schema, shipped beside this module
SCHEMA_PATH = resources.files(__package__) / "scenario.schema.json"
_VAR = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message names the file, line and step."""


@dataclass
class Step:
    """One step: an action name, its argument, and where it was written."""

    action: str
    arg: Any
    line: int
    index: int

    def describe(self) -> str:
        """The step as a QA engineer wrote it, on one line."""
        if self.arg is None:
            return self.action
        arg = self.arg if isinstance(self.arg, str) else json.dumps(self.arg, ensure_ascii=False)
        return f"{self.action}: {arg}"


@dataclass
class Scenario:
    """A named flow with its starting fixtures and steps."""

    name: str
    path: Path
    line: int
    tags: list[str] = field(default_factory=list)
    description: str = ""
    given: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    case: str = ""  # the case's id when the file's `cases` made this scenario

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def key(self) -> str:
        """A short unique name: the file's stem, with the case when there are cases."""
        return f"{self.path.stem}[{self.case}]" if self.case else self.path.stem


class _LineStr(str):
    """A string that remembers the line it was written on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping (`__line__`) and string."""

    def construct_yaml_str(self, node):
        value = _LineStr(super().construct_scalar(node))
        value.line = node.start_mark.line + 1
        return value

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor("tag:yaml.org,2002:str", _LineLoader.construct_yaml_str)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, _LineStr):
        return str(value)
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _check_schema(path: Path, raw: dict, known_actions: set[str]) -> None:
    clean = _strip_lines(raw)
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(clean), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = _line_of(raw, list(err.absolute_path)) or raw.get("__line__", 1)
        location = "/".join(str(p) for p in err.absolute_path) or "(top)"
        raise ScenarioError(f"{path}:{where}: {location}: {err.message}")
    for index, step in enumerate(raw.get("steps", []), start=1):
        action = step if isinstance(step, str) else next(k for k in step if k != "__line__")
        if action not in known_actions:
            line = (
                step.get("__line__", raw.get("__line__", 1))
                if isinstance(step, dict)
                else getattr(step, "line", "?")
            )
            hint = ", ".join(sorted(known_actions))
            raise ScenarioError(
                f"{path}:{line}: step {index} ({action}): unknown action; known actions: {hint}"
            )


def _line_of(raw: Any, path: list) -> int | None:
    node, line = raw, None
    for part in path:
        if isinstance(node, dict):
            line = node.get("__line__", line)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        if isinstance(node, dict):
            line = node.get("__line__", line)
    return line


def _build(path: Path, raw: dict, fallback_line: int) -> Scenario:
    steps = []
    for index, step in enumerate(raw.get("steps", []), start=1):
        if isinstance(step, str):
            steps.append(Step(str(step), None, getattr(step, "line", fallback_line), index))
            continue
        line = step.get("__line__", fallback_line)
        action = next(k for k in step if k != "__line__")
        steps.append(Step(str(action), _strip_lines(step[action]), line, index))
    return Scenario(
        name=raw["name"],
        path=path,
        line=raw.get("__line__", fallback_line),
        tags=list(raw.get("tags", [])),
        description=raw.get("description", ""),
        given=_strip_lines(raw.get("given", {})),
        variables=_strip_lines(raw.get("vars", {})),
        steps=steps,
    )


def load_scenarios(path: Path, known_actions: set[str]) -> list[Scenario]:
    """Read one scenario file (a scenario, or a list of them) and validate it."""
    try:
        documents = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise ScenarioError(f"{path}:{line}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from exc
    items = documents if isinstance(documents, list) else [documents]
    scenarios = []
    for raw in items:
        if not isinstance(raw, dict):
            raise ScenarioError(f"{path}: a scenario must be a mapping with name and steps")
        _check_schema(path, raw, known_actions)
        scenario = _build(path, raw, raw.get("__line__", 1))
        cases = _strip_lines(raw.get("cases"))
        scenarios += [_case(scenario, case) for case in cases] if cases else [scenario]
    return scenarios


def _case(template: Scenario, case: dict[str, Any]) -> Scenario:
    """One scenario of a parametrised file: the case's values in its name, `given` and `vars`
    (the steps read them as ${name} when they run); a value the case leaves out is the file's
    `vars` value (its default)."""
    values = {k: v for k, v in case.items() if k != "id"}
    case_id = str(case.get("id") or next(iter(values.values()), ""))
    known = {**template.variables, **values}
    try:
        name = substitute(template.name, known)
        given = substitute(template.given, known)
    except ScenarioError as exc:
        raise ScenarioError(f"{template.where}: case {case_id}: {exc}") from exc
    return replace(template, name=str(name), given=given, case=case_id, variables=known)


def discover(paths: list[Path]) -> list[Path]:
    """Scenario files under the given files or directories, sorted."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(x for x in p.rglob("*.y*ml") if x.suffix in (".yaml", ".yml")))
        else:
            found.append(p)
    return found


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    """Replace ${name} and ${name.attr} in strings (recursively) from variables."""
    if isinstance(value, str):

        def lookup(match: re.Match) -> str:
            node: Any = variables
            for part in match.group(1).split("."):
                if isinstance(node, dict) and part in node:
                    node = node[part]
                else:
                    raise ScenarioError(f"unknown variable ${{{match.group(1)}}}")
            return str(node)

        whole = _VAR.fullmatch(value)
        if whole:
            node: Any = variables
            for part in whole.group(1).split("."):
                if not (isinstance(node, dict) and part in node):
                    raise ScenarioError(f"unknown variable ${{{whole.group(1)}}}")
                node = node[part]
            return node
        return _VAR.sub(lookup, value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value
