"""Install the sandbox under one import name: `idp`, `relying_party`, `shared`, `harness` and
`fixtures` become `gosuslugi_sandbox.<name>` in every Python file, config and doc of the tree.

    python scripts/rename_packages.py           # rewrite, then ruff (imports sorted, formatted)
    python scripts/rename_packages.py --check   # list what it would change; exit 1 if anything

Over 300 lines: one self-contained script (it must run on a tree that is not installed).

The directories stay where they are (setup.py's PACKAGES maps each to its import name). It is
idempotent: on a renamed tree it changes nothing, so it can run again after a merge. Rewritten:
- import statements, also inside strings and Markdown code blocks: `from idp.x import y`,
  `import idp` -> `from gosuslugi_sandbox import idp`, `import idp.x` -> `import
  gosuslugi_sandbox.idp.x`;
- references to a real module or package of the tree (`harness.plugin`, `idp.oidc.tokens.time`),
  `idp:create_app()`, `-m harness`, `--app idp`: in Python files only inside strings and comments
  (code uses the names its imports bound), in other files anywhere;
- setup.py's PACKAGES, ruff's known-first-party, import-linter's root package and the modules
  its contracts name, README's table of import names.
Comment and docstring lines the longer names push past ruff's line length are wrapped; any other
line left too long is listed for a hand edit (exit 1).
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

TOP = "gosuslugi_sandbox"
PACKAGES = ("idp", "relying_party", "shared", "harness", "fixtures")
ROOT = Path(__file__).resolve().parents[1]
# the script, its own test (old names on purpose) and the changelog (history stays as written)
SKIPPED = {"scripts/rename_packages.py", "tests/package/test_rename_script.py", "CHANGELOG.md"}
BINARY = {".pem", ".png", ".ico", ".jpg", ".gif", ".woff", ".woff2", ".sqlite3", ".pyc"}
NAMES = "|".join(PACKAGES)
EDGE = r"(?<![\w.\-/@])"  # not part of a longer name, path or address

FROM_IMPORT = re.compile(rf"^([ \t]*)from[ \t]+({NAMES})((?:\.\w+)*[ \t]+import\b)", re.M)
IMPORT = re.compile(
    rf"^([ \t]*)import[ \t]+({NAMES})((?:\.\w+)*)([ \t]+as[ \t]+\w+)?(?=[ \t]*(?:#|$|;))", re.M
)
DOTTED = re.compile(rf"{EDGE}({NAMES})\.([A-Za-z_]\w*)")
COLON = re.compile(rf"{EDGE}({NAMES}):(?=[A-Za-z_])")
MODULE_OPTION = re.compile(rf"((?:-m|--app)[ \t]+)({NAMES})(?![\w.:])")
MODULE_ARGUMENT = re.compile(
    rf"([\"']-m[\"'],\s*[\"'])({NAMES})(?=[\"'])"
)  # [..., "-m", "harness"]
SETUP_ROW = re.compile(rf'^([ \t]*)"({NAMES})": "\2",', re.M)
FIRST_PARTY = re.compile(r"^known-first-party = \[.*\]$", re.M)
# import-linter: its sections, the keys naming modules, a bare package name in their strings
LINTER_SECTION = re.compile(r"^\[\[?tool\.importlinter[^\n]*\n(?:(?!\[).*(?:\n|$))*", re.M)
LINTER_VALUE = re.compile(
    r"^([ \t]*(?:modules|layers|containers|source_modules|forbidden_modules|ignore_imports"
    r"|importer|imported)[ \t]*=[ \t]*)(\[[^\]]*\]|\"[^\"]*\")",
    re.M,
)
LINTER_ROOTS = re.compile(r"^root_packages[ \t]*=[ \t]*\[[^\]]*\]", re.M)
BARE_NAME = re.compile(rf"(?<![\w.])({NAMES})\b")
README_TABLE = re.compile(r"(<!-- import-names -->\n).*?(<!-- /import-names -->)", re.S)


def is_module(root: Path, package: str, name: str) -> bool:
    """Whether package.name is a module or subpackage in the tree (else: a variable, a file)."""
    return (root / package / f"{name}.py").is_file() or (root / package / name).is_dir()


def rewrite_prose(text: str, root: Path) -> str:
    """Module references, `package:object` and -m / --app arguments."""
    text = DOTTED.sub(lambda m: f"{TOP}.{m[0]}" if is_module(root, m[1], m[2]) else m[0], text)
    text = COLON.sub(lambda m: f"{TOP}.{m[0]}", text)
    return MODULE_OPTION.sub(lambda m: f"{m[1]}{TOP}.{m[2]}", text)


def _import(match: re.Match) -> str:
    indent, package, dotted, alias = match[1], match[2], match[3], match[4] or ""
    if dotted:
        return f"{indent}import {TOP}.{package}{dotted}{alias}"
    return f"{indent}from {TOP} import {package}{alias}"


def rewrite_imports(text: str) -> str:
    """Import statements wherever they stand (code, strings, Markdown code blocks)."""
    text = FROM_IMPORT.sub(lambda m: f"{m[1]}from {TOP}.{m[2]}{m[3]}", text)
    return IMPORT.sub(_import, text)


def _f_string(source: str, root: Path) -> str:
    """An f-string's literal parts only: the expressions in braces are code."""
    parts = re.split(r"(\{[^{}]*\})", source)
    return "".join(p if i % 2 else rewrite_prose(p, root) for i, p in enumerate(parts))


def _string(source: str, root: Path) -> str:
    prefix = re.match(r"[A-Za-z]*", source)[0]
    return _f_string(source, root) if "f" in prefix.lower() else rewrite_prose(source, root)


def rewrite_python(text: str, root: Path) -> str:
    """Strings and comments (prose rules), then imports."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    pieces, done, depth, f_start = [], 0, 0, 0
    fstring_start = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        span = None
        if token.type == fstring_start:
            depth += 1
            f_start = offset(token.start) if depth == 1 else f_start
        elif token.type == fstring_end:
            depth -= 1
            if depth == 0:
                span = (f_start, offset(token.end))
        elif depth == 0 and token.type in (tokenize.STRING, tokenize.COMMENT):
            span = (offset(token.start), offset(token.end))
        if span:
            source = text[span[0] : span[1]]
            new = rewrite_prose(source, root) if source.startswith("#") else _string(source, root)
            pieces += [text[done : span[0]], new]
            done = span[1]
    text = MODULE_ARGUMENT.sub(lambda m: f"{m[1]}{TOP}.{m[2]}", "".join(pieces) + text[done:])
    return rewrite_imports(text)


def _prose_lines(text: str) -> tuple[dict[int, int], dict[int, int]]:
    """Line -> column of its comment; line -> first line of its docstring (string statement)."""
    comments = {
        token.start[0]: token.start[1]
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    }
    docstrings: dict[int, int] = {}
    for node in ast.walk(ast.parse(text)):
        value = node.value if isinstance(node, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            docstrings.update(dict.fromkeys(range(node.lineno, node.end_lineno + 1), node.lineno))
    return comments, docstrings


PRAGMA = re.compile(r"#\s*(noqa|type:|fmt:|pragma)")
LIST_ITEM = re.compile(r"(-|\*|\||\d+\.|>>>)\s")


def _paragraph(lines: list[str], i: int, same_kind, indent: int) -> int:
    """How many lines from i on form one paragraph that may be filled again (same_kind(k):
    line k belongs to the same comment block or docstring)."""
    n = 1
    while i + n < len(lines) and same_kind(i + n):
        line = lines[i + n]
        text = line.strip().lstrip("#").strip()
        closing = line.strip() in ('"""', "'''")  # a docstring's closing quotes keep their line
        if not text or closing or len(line) - len(line.lstrip()) != indent or LIST_ITEM.match(text):
            break
        if PRAGMA.search(line):
            break
        n += 1
    return n


def wrap_prose(text: str, limit: int) -> str:
    """Fill again the comment and docstring paragraphs the longer names pushed past limit."""
    comments, docstrings = _prose_lines(text)
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        indent = len(line) - len(line.lstrip())
        column = comments.get(number)
        standalone = column == indent
        if (
            len(line) <= limit
            or PRAGMA.search(line)
            or (column is None and number not in docstrings)
        ):
            out.append(line)
            i += 1
            continue
        if column is not None and not standalone:  # a trailing comment moves above its code
            comment = line[column:].lstrip("#").strip()
            out += textwrap.wrap(comment, limit, initial_indent=" " * indent + "# ",
                                 subsequent_indent=" " * indent + "# ", break_long_words=False,
                                 break_on_hyphens=False)  # fmt: skip
            out.append(line[:column].rstrip())
            i += 1
            continue
        if column is not None:
            count = _paragraph(lines, i, lambda k, c=indent: comments.get(k + 1) == c, indent)
            words = " ".join(x.strip()[1:].strip() for x in lines[i : i + count])
            first, rest = " " * indent + "# ", " " * indent + "# "
        else:
            doc = docstrings[number]
            count = _paragraph(lines, i, lambda k, d=doc: docstrings.get(k + 1) == d, indent)
            words = " ".join(x.strip() for x in lines[i : i + count])
            first = rest = " " * indent
        out += textwrap.wrap(words, limit, initial_indent=first, subsequent_indent=rest,
                             break_long_words=False, break_on_hyphens=False)  # fmt: skip
        i += count
    return "\n".join(out)


def _linter_value(match: re.Match) -> str:
    strings = re.sub(r'"[^"]*"', lambda s: BARE_NAME.sub(rf"{TOP}.\1", s[0]), match[2])
    return match[1] + strings


def _linter_section(text: str) -> str:
    """One import-linter section: the root package, and the modules its contracts name."""
    text = LINTER_ROOTS.sub(f'root_packages = ["{TOP}"]', text)
    return LINTER_VALUE.sub(_linter_value, text)


def readme_table(root: Path) -> str:
    rows = [f"| `{p}/` | `{TOP}.{p}` |" for p in PACKAGES if (root / p).is_dir()]
    return "\n".join(["| in the repository | import name |", "|---|---|", *rows]) + "\n"


def rewrite(path: Path, root: Path) -> str:
    """The file's new text."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(root).as_posix()
    if path.suffix == ".py":
        new = rewrite_python(text, root)
    else:
        new = rewrite_prose(MODULE_ARGUMENT.sub(lambda m: f"{m[1]}{TOP}.{m[2]}", text), root)
        new = rewrite_imports(new)
    if name == "setup.py":
        new = SETUP_ROW.sub(lambda m: f'{m[1]}"{TOP}.{m[2]}": "{m[2]}",', new)
    elif name == "pyproject.toml":
        new = FIRST_PARTY.sub(f'known-first-party = ["{TOP}"]', new)
        new = LINTER_SECTION.sub(lambda m: _linter_section(m[0]), new)
    elif name == "README.md":
        new = README_TABLE.sub(lambda m: m[1] + readme_table(root) + m[2], new)
    return new


def tree_files(root: Path) -> list[Path]:
    """Tracked and new files of the tree (git), text only, minus SKIPPED."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    files = []
    for name in sorted(n for n in listing.split("\0") if n):
        path = root / name
        if name in SKIPPED or path.suffix in BINARY or not path.is_file():
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def line_length(root: Path) -> int:
    import tomllib

    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return int(config.get("tool", {}).get("ruff", {}).get("line-length", 88))


def ruff(*args: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=root, check=False,
                          capture_output=True, text=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tree (or with --check only list the files); the exit status says the rest."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing, list the files")
    parser.add_argument("--root", type=Path, default=ROOT, help="the tree (default: this repo)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    changed = []
    for path in tree_files(root):
        new = rewrite(path, root)
        if new != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(path.relative_to(root))
    if args.check or not changed:
        return 1 if changed and args.check else 0
    python = [str(p) for p in changed if p.suffix == ".py"]
    if python:
        ruff("check", "-q", "--fix", "--select", "I", *python, root=root)
        ruff("format", "-q", *python, root=root)
        for path in map(Path, python):
            wrapped = wrap_prose(path.read_text(encoding="utf-8"), line_length(root))
            path.write_text(wrapped, encoding="utf-8")
        ruff("format", "-q", *python, root=root)
        long_lines = ruff("check", "-q", "--select", "E501", *python, root=root)
        if long_lines.returncode:
            print(f"lines still too long; shorten them by hand:\n{long_lines.stdout}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
