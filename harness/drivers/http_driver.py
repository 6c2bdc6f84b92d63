"""The scenario driver over plain HTTP: HttpBrowser plus label lookup and pending field values."""

from __future__ import annotations

from urllib.parse import urljoin

from gosuslugi_sandbox.harness.drivers.html_tree import Element, form_fields, is_disabled
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser, PageError


class HttpDriver:
    """Acts on pages over HTTP with cookies, redirects and forms; no JavaScript."""

    def __init__(self, timeout: float = 10.0, verify: str | None = None) -> None:
        self.browser = HttpBrowser(timeout=timeout, verify=verify)
        self._pending: dict[str, str] = {}

    @property
    def url(self) -> str:
        return self.browser.page.url if self.browser.page else ""

    def open(self, url: str) -> None:
        """Go to a URL (pending typed values are dropped, as in a browser)."""
        self._pending = {}
        self.browser.open(url)

    def _page(self):
        if self.browser.page is None:
            raise PageError("no page is open yet")
        return self.browser.page

    def find(self, target: str) -> Element:
        """An element by data-testid, else the element with a testid whose label is target."""
        page = self._page()
        el = page.by_testid(target)
        if el is not None:
            return el
        # the first element labelled so, or the innermost one inside it (a form holding only
        # its button reads as the button's label: the button is meant)
        wanted = " ".join(target.split()).casefold()

        def labelled(el: Element) -> bool:
            if not el.testid:  # first: the text of every element is the costly part
                return False
            return wanted in (el.text().casefold(), (el.get("value") or "").casefold())

        found = next((el for el in page.doc.iter() if labelled(el)), None)
        if found is not None:
            for inner in found.iter():
                if _inside(inner, found) and labelled(inner):
                    found = inner
            return found
        raise PageError(
            f"nothing named {target!r} (data-testid or label) on {page.url} "
            f"(HTTP {page.status}); page says: {page.text()[:300]}"
        )

    def click(self, target: str) -> None:
        """Follow a link or press a button, submitting its form with what was typed."""
        el = self.find(target)
        page = self._page()
        if el.tag == "a":
            self.open(urljoin(page.url, el.get("href") or page.url))
            return
        if is_disabled(el):
            raise PageError(f"{target!r} on {page.url} is disabled: a person cannot press it")
        form = el.closest("form") if _submits(el) else None
        if form is None:
            raise PageError(f"{target!r} on {page.url} is neither a link nor a form button")
        fields, self._pending = self._pending, {}
        self._submit(form, el, fields)

    def _submit(self, form: Element, button: Element, typed: dict[str, str]) -> None:
        page = self._page()
        pairs = form_fields(form)
        for key, value in typed.items():
            field = form.find(data_testid=key)
            name = field.get("name") if field is not None and field.get("name") else key
            pairs = [(n, v) for n, v in pairs if n != name] + [(name, value)]
        if button.get("name"):
            pairs.append((button.get("name"), button.get("value", "")))
        method = (form.get("method") or "GET").upper()
        action = urljoin(page.url, form.get("action") or page.url)
        if method == "GET":
            self.browser.request("GET", action, params=pairs)
        else:
            self.browser.request("POST", action, data=pairs)

    def fill(self, fields: dict[str, str]) -> None:
        """Remember typed values; the next button press in their form sends them."""
        page = self._page()
        for key in fields:
            if page.by_testid(key) is None and page.doc.find(name=key) is None:
                raise PageError(f"no field {key!r} on {page.url}")
        self._pending.update({k: str(v) for k, v in fields.items()})

    def text(self) -> str:
        """The page's visible text."""
        return self._page().text()

    def has(self, testid: str) -> bool:
        """Whether an element with that data-testid is on the page (and not hidden)."""
        el = self._page().by_testid(testid)
        return el is not None and "hidden" not in el.attrs

    def has_within(self, container: str, testid: str) -> bool:
        """Whether the element `container` contains an element with data-testid `testid`."""
        box = self._page().by_testid(container)
        return box is not None and box.find(data_testid=testid) is not None

    def testids(self, prefix: str) -> list[str]:
        """Every data-testid on the page that starts with prefix, in document order."""
        return [
            el.testid
            for el in self._page().doc.iter()
            if el.testid and el.testid.startswith(prefix)
        ]

    def value(self, testid: str) -> str | None:
        """An input's value (or a select's chosen option), else the element's text."""
        el = self._page().by_testid(testid)
        if el is None:
            return None
        if el.tag == "input":
            return el.get("value", "")
        if el.tag == "select":
            chosen = [o for o in el.find_all("option") if "selected" in o.attrs]
            return chosen[0].get("value") if chosen else None
        return el.text()

    def attribute(self, testid: str, name: str) -> str | None:
        """An attribute of the element with that data-testid."""
        el = self._page().by_testid(testid)
        return el.get(name) if el is not None else None

    def is_editable(self, testid: str) -> bool:
        """False for disabled or read-only fields."""
        el = self._page().by_testid(testid)
        return el is not None and not ({"disabled", "readonly"} & set(el.attrs))

    def is_enabled(self, testid: str) -> bool:
        """Whether the element is on the page and not disabled."""
        el = self._page().by_testid(testid)
        return el is not None and "disabled" not in el.attrs

    def unlock(self, testid: str) -> None:
        """Drop `disabled` / `readonly` from the element (in this page only)."""
        el = self._page().require(testid)
        for name in ("disabled", "readonly", "aria-disabled"):
            el.attrs.pop(name, None)

    def status(self) -> int | None:
        """The HTTP status of the current page."""
        return self.browser.page.status if self.browser.page else None

    def screenshot(self, name: str) -> str | None:
        """HTTP has no pictures."""
        return None

    def recent_exchanges(self) -> list[str]:
        """The last HTTP exchanges, one line each."""
        return [
            f"{x.method} {x.url} -> {x.status}"
            + (f" (Location: {x.location})" if x.location else "")
            for x in list(self.browser.history)[-8:]
        ]

    def raw(self):
        """The underlying HttpBrowser (for steps that forge requests, like a hostile client)."""
        return self.browser

    def close(self) -> None:
        """Nothing to close: each request has its own connection (kept for the Driver API)."""


def _submits(el: Element) -> bool:
    """Whether pressing the element submits its form (a submit button; no JavaScript here)."""
    kind = (el.get("type") or "").lower()
    return (el.tag == "button" and kind in ("", "submit")) or (
        el.tag == "input" and kind in ("submit", "image")
    )


def _inside(el: Element, container: Element) -> bool:
    """Whether el is a descendant of container."""
    node = el.parent
    while node is not None and node is not container:
        node = node.parent
    return node is container
