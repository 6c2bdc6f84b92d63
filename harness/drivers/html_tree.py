"""A small HTML tree (stdlib parser) good enough to find elements by data-testid and read forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
BLOCK = {
    "br",
    "p",
    "div",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "form",
    "button",
    "label",
    "section",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "table",
    "ul",
    "ol",
    "dt",
    "dd",
    "a",
    "span",
    "input",
    "select",
    "option",
}
INVISIBLE = {"script", "style", "template", "head", "title"}


@dataclass
class Element:
    """An HTML element with its attributes and children."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute's value."""
        return self.attrs.get(name, default)

    @property
    def testid(self) -> str | None:
        return self.attrs.get("data-testid")

    def iter(self):
        """This element and every descendant element, document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            if node.tag in INVISIBLE or "hidden" in node.attrs:
                return
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)
                    if child.tag in BLOCK:
                        parts.append(" ")

        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants matching the tag and attributes (data_testid= means data-testid=)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            el
            for el in self.iter()
            if (tag is None or el.tag == tag)
            and all(el.attrs.get(k) == v for k, v in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        """The first descendant matching, or None."""
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def closest(self, tag: str) -> Element | None:
        """The nearest ancestor (or self) with that tag."""
        node: Element | None = self
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        el = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.current)
        self.current.children.append(el)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    """Parse a document into an Element tree rooted at #document."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


FORM_CONTROLS = {"button", "input", "select", "textarea"}


def is_disabled(el: Element) -> bool:
    """Whether a browser reads the element as `:disabled`: a form control with its own
    `disabled`, or inside a disabled fieldset but not in that fieldset's first legend."""
    if el.tag not in FORM_CONTROLS:
        return False
    if "disabled" in el.attrs:
        return True
    child, node = el, el.parent
    while node is not None:
        if node.tag == "fieldset" and "disabled" in node.attrs:
            legend = next(
                (c for c in node.children if isinstance(c, Element) and c.tag == "legend"), None
            )
            if child is not legend:
                return True
        child, node = node, node.parent
    return False


def form_fields(form: Element) -> list[tuple[str, str]]:
    """The name/value pairs a browser would submit for a form, buttons excluded."""
    pairs: list[tuple[str, str]] = []
    for el in form.iter():
        name = el.get("name")
        if not name or is_disabled(el):
            continue
        if el.tag == "input":
            kind = (el.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in el.attrs:
                continue
            pairs.append((name, el.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif el.tag == "textarea":
            pairs.append((name, el.text()))
        elif el.tag == "select":
            options = el.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            for opt in chosen:
                pairs.append((name, opt.get("value", opt.text())))
    return pairs
