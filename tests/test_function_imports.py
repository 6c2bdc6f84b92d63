"""No import inside a function unless a comment says why (an import cycle, start-up cost).

A comment counts on the import's own line or on the line just before it; an import right
below an explained one shares its reason (one comment above a run of imports). Tool
directives alone (`# noqa: F401`, `# type: ignore`) are no reason. Imports under
`if TYPE_CHECKING:` are not run, so they need none.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from tests.paths import REPO_ROOT

PACKAGES = ("idp", "relying_party", "shared", "harness")
DIRECTIVE = re.compile(
    r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?|type:\s*ignore(\[[^]]*\])?|fmt:\s*\w+"
    r"|pragma:\s*no\s+cover",
    re.IGNORECASE,
)


def _reasons(source: str) -> set[int]:
    """Lines carrying a comment with words beyond tool directives."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and re.search(r"\w", DIRECTIVE.sub("", token.string)):
            lines.add(token.start[0])
    return lines


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def _function_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when a function does (not at import time, not type-checking only)."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child, in_function)
            return
        if in_function and isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return sorted(found, key=lambda node: node.lineno)


def unexplained_imports(source: str) -> list[int]:
    """Line numbers of the function-level imports in `source` that no comment explains."""
    reasons = _reasons(source)
    explained_ends: set[int] = set()  # last lines of explained imports
    missing = []
    for node in _function_imports(ast.parse(source)):
        own_lines = set(range(node.lineno, node.end_lineno + 1))
        before = node.lineno - 1
        if own_lines & reasons or before in reasons or before in explained_ends:
            explained_ends.add(node.end_lineno)
        else:
            missing.append(node.lineno)
    return missing


def test_every_import_inside_a_function_says_why():
    missing = []
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            for line in unexplained_imports(path.read_text(encoding="utf-8")):
                missing.append(f"{path.relative_to(REPO_ROOT)}:{line}")
    assert not missing, "imports inside functions without a comment saying why:\n" + "\n".join(
        missing
    )


SAMPLE = """\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def bare():
    import json

    return json


def explained():
    # on first use: slow to import
    import json
    import yaml

    import csv

    if TYPE_CHECKING:
        import ssl
    return json, yaml, csv


def directives_only():
    from typing import (  # noqa: F401
        Any,
    )

    def inner():
        import re  # type: ignore

        return re
    import gzip  # here: a cycle

    return inner, gzip, Any
"""


def test_the_check_finds_bare_imports_and_accepts_explained_ones():
    lines = SAMPLE.splitlines()
    flagged = [lines[n - 1].strip() for n in unexplained_imports(SAMPLE)]
    assert flagged == [
        "import json",
        "import csv",
        "from typing import (  # noqa: F401",
        "import re  # type: ignore",
    ]
