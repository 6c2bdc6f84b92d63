"""Drive the apps over HTTP as a browser would: cookies, redirects, forms, data-testid clicks.

Requests go out through gosuslugi_sandbox.harness.transport (the standard library).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from gosuslugi_sandbox.harness.drivers.html_tree import Element, form_fields, parse_html
from gosuslugi_sandbox.harness.transport import Answer, NoAnswer, Transport


class PageError(AssertionError):
    """The page does not have what a step needs (an element, a form)."""


@dataclass
class Exchange:
    """One HTTP request and its answer, kept for failure reports."""

    method: str
    url: str
    status: int
    location: str | None


class Page:
    """A loaded page: its final URL, status and parsed document."""

    def __init__(self, response: Answer) -> None:
        self.response = response
        self.url = response.url
        self.status = response.status
        self.html = response.text
        self._doc: Element | None = None

    @property
    def doc(self) -> Element:
        if self._doc is None:
            self._doc = parse_html(self.html)
        return self._doc

    def text(self) -> str:
        """The page's visible text."""
        return self.doc.text()

    def by_testid(self, testid: str) -> Element | None:
        """The element with that data-testid, or None."""
        return self.doc.find(data_testid=testid)

    def has(self, testid: str) -> bool:
        """Whether an element with that data-testid is on the page."""
        return self.by_testid(testid) is not None

    def require(self, testid: str) -> Element:
        """The element with that data-testid, or PageError naming the page."""
        el = self.by_testid(testid)
        if el is None:
            raise PageError(f"no element data-testid={testid!r} on {self.url} ({self.status})")
        return el


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class HttpBrowser:
    """A cookie jar that follows redirects itself and submits forms by data-testid."""

    def __init__(
        self, stop_at: tuple[str, ...] = (), timeout: float = 10.0, verify: str | None = None
    ) -> None:
        self.transport = Transport(timeout, verify)
        self.stop_at = stop_at  # URL prefixes whose redirects are not followed (foreign callbacks)
        self.history: deque[Exchange] = deque(maxlen=30)
        self.page: Page | None = None
        self.stopped_at: str | None = None

    @property
    def cookies(self):
        """This browser's cookie jar (http.cookiejar.CookieJar)."""
        return self.transport.cookies

    def send(self, method: str, url: str, **kwargs) -> Answer:
        """One request with this browser's cookies, no redirect followed (Transport.send's
        arguments); a host that cannot be reached is a PageError naming it."""
        try:
            return self.transport.send(method, url, **kwargs)
        except NoAnswer as exc:
            raise PageError(str(exc)) from exc

    def request(self, method: str, url: str, **kwargs) -> Page:
        """Send a request and follow redirects (GET after 30x) unless one leads to stop_at."""
        self.stopped_at = None
        if method != "GET" and self.page and _origin(url) == _origin(self.page.url):
            # a form post from the open page, as a browser under Referrer-Policy same-origin
            # sends it (Flask-WTF requires the Referer on HTTPS form posts)
            kwargs["headers"] = {"Referer": self.page.url, **kwargs.get("headers", {})}
        for _ in range(20):
            response = self.send(method, url, **kwargs)
            location = response.headers.get("Location")
            self.history.append(Exchange(method, url, response.status, location))
            if response.status not in (301, 302, 303, 307, 308) or not location:
                self.page = Page(response)
                return self.page
            target = urljoin(url, location)
            if target.startswith(self.stop_at) if self.stop_at else False:
                self.stopped_at = target
                self.page = Page(response)
                return self.page
            if response.status in (307, 308):
                url = target
                continue
            method, url, kwargs = "GET", target, {}
        raise PageError(f"too many redirects from {url}")

    def open(self, url: str) -> Page:
        """GET a URL."""
        return self.request("GET", url)

    def submit(
        self,
        form: str | None = None,
        fields: dict[str, str] | None = None,
        button: str | None = None,
    ) -> Page:
        """Fill and submit a form found by its data-testid (or the button's form).

        fields are keyed by input name or by the input's data-testid.
        """
        page = self._current()
        if form:
            form_el = page.require(form)
            if form_el.tag != "form":
                form_el = form_el.closest("form") or form_el
        elif button:
            form_el = page.require(button).closest("form")
        else:
            form_el = page.doc.find("form")
        if form_el is None or form_el.tag != "form":
            raise PageError(f"no form to submit on {page.url}")
        pairs = form_fields(form_el)
        for key, value in (fields or {}).items():
            name = key
            by_id = form_el.find(data_testid=key)
            if by_id is not None and by_id.get("name"):
                name = by_id.get("name")
            pairs = [(n, v) for n, v in pairs if n != name] + [(name, value)]
        if button:
            btn = form_el.find(data_testid=button) or page.require(button)
            if btn.get("name"):
                pairs.append((btn.get("name"), btn.get("value", "")))
        method = (form_el.get("method") or "GET").upper()
        action = urljoin(page.url, form_el.get("action") or page.url)
        if method == "GET":
            return self.request("GET", action, params=pairs)
        return self.request("POST", action, data=pairs)

    def click(self, testid: str) -> Page:
        """Follow a link or press a submit button, by data-testid."""
        page = self._current()
        el = page.require(testid)
        if el.tag == "a":
            return self.open(urljoin(page.url, el.get("href") or page.url))
        if el.closest("form") is not None:
            return self.submit(button=testid)
        raise PageError(f"data-testid={testid!r} on {page.url} is neither a link nor a button")

    def _current(self) -> Page:
        if self.page is None:
            raise PageError("no page is open")
        return self.page
