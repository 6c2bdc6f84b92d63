"""scripts/rename_packages.py: what it rewrites, what it leaves, and that a second run is a no-op.

The repository itself must already be in its renamed form: new code written with the old
import names fails here, and `python scripts/rename_packages.py` fixes it.
"""

from __future__ import annotations

import importlib.util
import subprocess

from tests.paths import REPO_ROOT

SPEC = importlib.util.spec_from_file_location("rename", REPO_ROOT / "scripts/rename_packages.py")
rename = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(rename)

APP = '''\
"""Serves with shared.tls.TlsFiles; idp.sqlite3 is a file name, not a module."""

import sys

import harness.plugin
import idp
import shared as common  # see shared.tls
from relying_party import create_app
from shared.tls import TlsFiles

TARGET = "idp.oidc.tokens.time"
FACTORY = "idp:create_app()"
COMMAND = [sys.executable, "-m", "harness", "run"]
LABEL = f"{idp.oidc} in shared.tls"
idp.oidc = harness.plugin, common, create_app, TlsFiles
'''
DOC = """\
Run `python -m harness run` or `flask --app idp init-db`; the fixtures. See harness.plugin.

```python
from harness.control import GosuslugiControl
import shared
```

<!-- import-names -->
old table
<!-- /import-names -->
"""
SETUP = 'PACKAGES = {\n    "gosuslugi_sandbox": "gosuslugi_sandbox",\n    "idp": "idp",\n}\n'
PYPROJECT = """\
[tool.ruff]
line-length = 100

[tool.ruff.lint.isort]
known-first-party = ["idp"]

[tool.importlinter]
root_packages = ["idp", "shared", "harness"]

[[tool.importlinter.contracts]]
name = "shared code knows no harness"
type = "layers"
layers = [
    "harness",
    "idp | relying_party",
    "shared",
]
ignore_imports = ["idp.oidc -> shared.*"]
"""


def make_tree(root):
    for package in ("idp/oidc", "shared", "harness", "relying_party", "fixtures"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    for module in ("idp/oidc/tokens.py", "shared/tls.py", "harness/plugin.py"):
        (root / module).write_text("")
    files = {"app.py": APP, "README.md": DOC, "setup.py": SETUP, "pyproject.toml": PYPROJECT}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_rewrites_imports_strings_and_docs_once(tmp_path):
    make_tree(tmp_path)
    assert rename.main(["--root", str(tmp_path)]) == 0
    app = (tmp_path / "app.py").read_text(encoding="utf-8")
    for expected in (
        '"""Serves with gosuslugi_sandbox.shared.tls.TlsFiles; idp.sqlite3 is a file name',
        "import gosuslugi_sandbox.harness.plugin\n",
        "from gosuslugi_sandbox import idp\n",
        "from gosuslugi_sandbox import shared as common  # see gosuslugi_sandbox.shared.tls\n",
        "from gosuslugi_sandbox.relying_party import create_app\n",
        "from gosuslugi_sandbox.shared.tls import TlsFiles\n",
        'TARGET = "gosuslugi_sandbox.idp.oidc.tokens.time"',
        'FACTORY = "gosuslugi_sandbox.idp:create_app()"',
        '"-m", "gosuslugi_sandbox.harness", "run"]',
        'LABEL = f"{idp.oidc} in gosuslugi_sandbox.shared.tls"',  # code in braces stays
        "idp.oidc = harness.plugin, common, create_app, TlsFiles",  # code stays
    ):
        assert expected in app, expected
    doc = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "`python -m gosuslugi_sandbox.harness run`" in doc
    assert "`flask --app gosuslugi_sandbox.idp init-db`; the fixtures." in doc
    assert "See gosuslugi_sandbox.harness.plugin." in doc
    assert "from gosuslugi_sandbox.harness.control import GosuslugiControl\n" in doc
    assert "from gosuslugi_sandbox import shared\n" in doc
    assert "| `idp/` | `gosuslugi_sandbox.idp` |" in doc and "old table" not in doc
    assert '"gosuslugi_sandbox.idp": "idp",' in (tmp_path / "setup.py").read_text()
    pyproject = (tmp_path / "pyproject.toml").read_text()
    assert 'known-first-party = ["gosuslugi_sandbox"]' in pyproject
    assert 'root_packages = ["gosuslugi_sandbox"]' in pyproject
    assert 'name = "shared code knows no harness"' in pyproject  # prose stays
    assert '\n    "gosuslugi_sandbox.idp | gosuslugi_sandbox.relying_party",\n' in pyproject
    assert '"gosuslugi_sandbox.idp.oidc -> gosuslugi_sandbox.shared.*"' in pyproject
    before = {p: p.read_text() for p in tmp_path.glob("*.*") if p.is_file()}
    assert rename.main(["--root", str(tmp_path), "--check"]) == 0
    assert rename.main(["--root", str(tmp_path)]) == 0
    assert {p: p.read_text() for p in tmp_path.glob("*.*") if p.is_file()} == before


def test_long_comment_and_docstring_lines_are_filled_again():
    paragraph = "Reads " + "word " * 17 + "gosuslugi_sandbox.shared.tls and then"
    comment = "a trailing comment naming gosuslugi_sandbox.shared.tls, " * 2
    text = f'"""Short summary.\n\n{paragraph}\nmore words.\n"""\n\nX = 1  # {comment}\n'
    lines = rename.wrap_prose(text, 100).split("\n")
    assert max(map(len, lines)) <= 100
    closing = lines.index('"""')
    assert lines[:2] == ['"""Short summary.', ""]
    assert " ".join(lines[2:closing]) == paragraph + " more words."
    assert all(line.startswith("# ") for line in lines[closing + 2 : -2])
    assert " ".join(line[2:] for line in lines[closing + 2 : -2]) == comment.strip()
    assert lines[-2:] == ["X = 1", ""]  # the comment moved above its code


def test_the_repository_uses_the_installed_names():
    assert rename.main(["--check"]) == 0, "run: python scripts/rename_packages.py"
