"""The scenario driver in a real browser: Playwright (sync API) driving Debian's Chromium.

One browser per runner worker thread (`BrowserPool`), a new context (own cookies) per named
session (`BrowserDriver`). Steps act as a person would: click by data-testid or visible label,
type into fields key by key, read the visible text. Over 300 lines because `BrowserDriver` is
the whole `Driver` interface (drivers/base.py) in one class, as `HttpDriver` is over HTTP.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections import deque
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from gosuslugi_sandbox.harness.drivers.chromium import (
    CHROMIUM_ARGS,
    chromium_missing_message,
    chromium_path,
)
from gosuslugi_sandbox.harness.drivers.http_browser import PageError
from gosuslugi_sandbox.shared.tls import spki_pins

DESKTOP = (1280, 800)
PHONE = (390, 844)
TIMEOUT_MS = 15_000

# Finds the element a step names: by data-testid, else the visible element with a testid whose
# text (or value, for inputs) equals the label — like the HTTP driver, in the page itself. Answers
# [testid, disabled, navigates] in one round trip (an element handle's own evaluate costs Chromium
# several times a page's): disabled when the control is (its own `disabled`, or its fieldset's);
# navigates when pressing leaves the page — a link, or a submit button of a form.
_CLICK_TARGET_JS = """
(target) => {
  const norm = (s) => (s || "").split(/\\s+/).filter(Boolean).join(" ").toLowerCase();
  const find = () => {
    const byId = document.querySelector(`[data-testid="${CSS.escape(target)}"]`);
    if (byId) return byId;
    // the first element labelled so, or the innermost one inside it (a form holding only
    // its button reads as the button's label: the button is meant)
    const wanted = norm(target);
    const labelled = (el) => (el.offsetParent !== null || getComputedStyle(el).position === "fixed")
        && (norm(el.innerText) === wanted || norm(el.value) === wanted);
    let found = [...document.querySelectorAll("[data-testid]")].find(labelled);
    for (const inner of found ? found.querySelectorAll("[data-testid]") : []) {
      if (found.contains(inner) && labelled(inner)) found = inner;
    }
    return found || null;
  };
  const el = find();
  if (!el) return null;
  const disabled = el.matches(":disabled");
  let navigates = false;
  if (el.tagName === "A") {
    const href = el.getAttribute("href");
    navigates = !!href && el.target !== "_blank" && !href.startsWith("#");
  } else if (el.tagName === "BUTTON" || el.tagName === "INPUT") {
    navigates = !!el.form && (el.type || "submit").toLowerCase() === "submit";
  }
  return [el.dataset.testid, disabled, navigates];
}
"""

# Finds a field by data-testid, else by name, unlocks it (as devtools would) and names its kind
# and a selector for it — one round trip per field.
_UNLOCK_FIELD_JS = """
(key) => {
  for (const selector of [`[data-testid="${CSS.escape(key)}"]`, `[name="${CSS.escape(key)}"]`]) {
    const el = document.querySelector(selector);
    if (!el) continue;
    el.removeAttribute("readonly");
    el.disabled = false;
    return [selector, el.tagName + ":" + (el.type || "")];
  }
  return null;
}
"""


class BrowserPool:
    """One Playwright + Chromium per thread (Playwright's sync API is bound to its thread)."""

    def __init__(
        self,
        viewport: tuple[int, int] = DESKTOP,
        screens_dir: Path | None = None,
        trust: str | None = None,
    ):
        self.viewport = viewport
        self.screens_dir = screens_dir
        self.args = list(CHROMIUM_ARGS)
        if trust:
            # HTTPS stands: accept chains that present a key of this CA file (the stand's test
            # CA); a throwaway browser profile cannot be told to trust a CA otherwise
            self.args.append(f"--ignore-certificate-errors-spki-list={','.join(spki_pins(trust))}")
        self._local = threading.local()

    def browser(self) -> Browser:
        """This thread's browser, launched on first use."""
        browser = getattr(self._local, "browser", None)
        if browser is None:
            missing = chromium_missing_message()
            if missing:
                raise PageError(missing)
            playwright: Playwright = sync_playwright().start()
            try:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), args=self.args, headless=True
                )
            except Exception:
                playwright.stop()
                raise
            self._local.playwright, self._local.browser = playwright, browser
        return browser

    def make_driver(self, _session: str = "main") -> BrowserDriver:
        """A fresh driver (new browser context: own cookies) for a named session."""
        return BrowserDriver(self.browser(), self.viewport, self.screens_dir)

    def close_thread(self) -> None:
        """Close this thread's browser (call from the thread that used it)."""
        browser = getattr(self._local, "browser", None)
        if browser is None:
            return
        try:
            browser.close()
        finally:
            self._local.playwright.stop()
            self._local.browser = self._local.playwright = None


def _page_errors(method):
    """Report Playwright's errors (a page gone, a closed browser) as a failing step's PageError."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except PlaywrightError as exc:
            raise PageError(f"the browser failed at {self.url}: {exc.message}") from exc

    return wrapper


class BrowserDriver:
    """A person at Chromium: one browser context and its page."""

    def __init__(
        self,
        browser: Browser,
        viewport: tuple[int, int] = DESKTOP,
        screens_dir: Path | None = None,
    ) -> None:
        width, height = viewport
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="ru-RU"
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.screens_dir = screens_dir
        self.changes = 0  # bumped by navigations, clicks and typing: "did a step change the page?"
        self._picture: tuple[tuple[int, str], Path] | None = None  # the last one: page state, file
        self._status: int | None = None
        self._exchanges: deque[str] = deque(maxlen=8)
        self.context.on("response", self._on_response)
        self.page.on("framenavigated", self._on_navigated)

    def _on_response(self, response) -> None:
        location = response.headers.get("location")
        line = f"{response.request.method} {response.url} -> {response.status}"
        self._exchanges.append(line + (f" (Location: {location})" if location else ""))

    def _on_navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.changes += 1

    @property
    def url(self) -> str:
        return self.page.url if self.page.url != "about:blank" else ""

    def open(self, url: str) -> None:
        """Go to a URL and wait until it has loaded."""
        try:
            response = self.page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            raise PageError(f"could not open {url}: {exc.message}") from exc
        self._status = response.status if response else None

    def _click_target(self, target: str) -> tuple[str, bool, bool]:
        try:
            found = self.page.evaluate(_CLICK_TARGET_JS, target)
        except PlaywrightError as exc:
            raise PageError(f"could not search the page for {target!r}: {exc.message}") from exc
        if not found:
            raise PageError(
                f"nothing named {target!r} (data-testid or label) on {self.url} "
                f"(HTTP {self._status}); page says: {self.text()[:300]}"
            )
        return tuple(found)

    def _locator(self, testid: str):
        return self.page.locator(f'[data-testid="{testid}"]').first

    def click(self, target: str) -> None:
        """Press a button or follow a link; waits for the next page when it navigates."""
        testid, disabled, navigates = self._click_target(target)
        if disabled:
            raise PageError(f"{target!r} on {self.url} is disabled: a person cannot press it")
        element = self._locator(testid)
        try:
            if navigates:
                with self.page.expect_navigation(wait_until="load") as navigation:
                    element.click()
                response = navigation.value
                self._status = response.status if response else self._status
            else:
                element.click()
                self.changes += 1  # no navigation, but the page may show something else now
        except PlaywrightError as exc:
            raise PageError(f"could not click {target!r} on {self.url}: {exc.message}") from exc

    def fill(self, fields: dict[str, str]) -> None:
        """Type into fields key by key (selects choose the option).

        A read-only or disabled field is unlocked first — removing the attribute, as a person
        with the browser's developer tools would — so a step can forge an edit of locked data
        (`submit_profile`) and show that the server, not the page, refuses it.
        """
        for key, value in fields.items():
            try:
                found = self.page.evaluate(_UNLOCK_FIELD_JS, key)
                if not found:
                    raise PageError(f"no field {key!r} on {self.url}")
                selector, kind = found
                field = self.page.locator(selector).first
                tag = kind.lower()
                if tag.startswith("select"):
                    field.select_option(str(value))
                elif tag in ("input:hidden", "input:date"):
                    field.evaluate("(el, v) => { el.value = v; }", str(value))
                else:
                    field.fill("")
                    field.press_sequentially(str(value))
            except PlaywrightError as exc:
                message = f"could not type into {key!r} on {self.url}: {exc.message}"
                raise PageError(message) from exc
            self.changes += 1

    def text(self) -> str:
        """The page's visible text."""
        try:
            return self.page.inner_text("body")
        except PlaywrightError:
            return ""

    @_page_errors
    def has(self, testid: str) -> bool:
        """Whether a visible element has that data-testid."""
        return self.page.locator(f'[data-testid="{testid}"]').filter(visible=True).count() > 0

    @_page_errors
    def has_within(self, container: str, testid: str) -> bool:
        """Whether the element `container` contains a visible element with that data-testid."""
        box = self.page.locator(f'[data-testid="{container}"]').first
        inner = box.locator(f'[data-testid="{testid}"]').filter(visible=True)
        return inner.count() > 0

    @_page_errors
    def testids(self, prefix: str) -> list[str]:
        """Every data-testid on the page that starts with prefix, in document order."""
        return self.page.evaluate(
            "(prefix) => [...document.querySelectorAll('[data-testid]')]"
            ".map((el) => el.dataset.testid).filter((t) => t.startsWith(prefix))",
            prefix,
        )

    @_page_errors
    def value(self, testid: str) -> str | None:
        """An input's or select's current value, else the element's visible text."""
        locator = self.page.locator(f'[data-testid="{testid}"]')
        if not locator.count():
            return None
        element = locator.first
        if element.evaluate("el => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)"):
            return element.input_value()
        return " ".join(element.inner_text().split())

    @_page_errors
    def attribute(self, testid: str, name: str) -> str | None:
        """An attribute of the element with that data-testid."""
        locator = self.page.locator(f'[data-testid="{testid}"]')
        return locator.first.get_attribute(name) if locator.count() else None

    @_page_errors
    def is_editable(self, testid: str) -> bool:
        """False for disabled or read-only fields (and for missing ones)."""
        locator = self.page.locator(f'[data-testid="{testid}"]')
        return bool(locator.count()) and locator.first.is_editable()

    @_page_errors
    def is_enabled(self, testid: str) -> bool:
        """Whether the element is on the page and not disabled."""
        locator = self.page.locator(f'[data-testid="{testid}"]')
        return bool(locator.count()) and locator.first.is_enabled()

    @_page_errors
    def unlock(self, testid: str) -> None:
        """Drop `disabled` / `readonly` from the element, as someone with devtools would."""
        self._locator(testid).evaluate(
            "el => ['disabled', 'readonly', 'aria-disabled'].forEach((a) => el.removeAttribute(a))"
        )
        self.changes += 1

    def status(self) -> int | None:
        """The HTTP status of the main document of the current page."""
        return self._status

    def screenshot(self, name: str) -> str | None:
        """Save the whole page as <screens dir>/<name>.png; returns the path."""
        if self.screens_dir is None:
            return None
        return self.save_screenshot(Path(self.screens_dir) / f"{name}.png")

    @_page_errors
    def save_screenshot(self, path: Path) -> str:
        """Save the whole page as a PNG at this path.

        A page no step has touched since the last picture is that picture again (a named
        screenshot right after a step's own picture): Chromium spends some 60 ms encoding one.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        state = (self.changes, self.page.url)
        if self._picture and self._picture[0] == state and self._picture[1].is_file():
            shutil.copyfile(self._picture[1], path)
        else:
            self.page.screenshot(path=str(path), full_page=True)
        self._picture = (state, path)
        return str(path)

    def recent_exchanges(self) -> list[str]:
        """The last HTTP exchanges of this session, one line each."""
        return list(self._exchanges)

    def close(self) -> None:
        """Close the browser context (the browser stays for the next session)."""
        # A browser already gone (e.g. crashed) leaves nothing to release.
        with contextlib.suppress(PlaywrightError):
            self.context.close()
