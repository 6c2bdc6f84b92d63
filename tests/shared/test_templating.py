"""Templates compiled once per process, however many apps it builds (private stands, tests)."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader

from gosuslugi_sandbox.idp import create_app
from gosuslugi_sandbox.shared.templating import COMPILED_TEMPLATES


def test_a_second_app_renders_without_compiling_again(tmp_path, monkeypatch):
    compiled: list[str] = []
    original = Environment._compile

    def counting(self, source, filename):
        compiled.append(filename)
        return original(self, source, filename)

    monkeypatch.setattr(Environment, "_compile", counting)
    pages = []
    for name in ("first", "second"):
        app = create_app({"INSTANCE_PATH": str(tmp_path / name), "SECRET_KEY": "t"})
        assert app.jinja_env.bytecode_cache is COMPILED_TEMPLATES
        pages.append(app.test_client().get("/").get_data(as_text=True))
        app.extensions["idp"].db.dispose()
        if name == "first":
            first_compiles = len(compiled)
    assert pages[0] == pages[1] and "Госуслуги" in pages[0]
    assert len(compiled) == first_compiles  # the second app took every template from the cache


def test_a_changed_template_is_compiled_again(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "page.html"
    env = Environment(loader=FileSystemLoader(folder), bytecode_cache=COMPILED_TEMPLATES)
    page.write_text("one {{ n }}", encoding="utf-8")
    assert env.get_template("page.html").render(n=1) == "one 1"
    page.write_text("two {{ n }}", encoding="utf-8")
    fresh = Environment(loader=FileSystemLoader(folder), bytecode_cache=COMPILED_TEMPLATES)
    assert fresh.get_template("page.html").render(n=2) == "two 2"
