"""What every driver offers the steps: open, click, fill, read — by data-testid or visible label."""

from __future__ import annotations

from typing import Protocol


class Driver(Protocol):
    """A person at a browser, as the steps see them."""

    @property
    def url(self) -> str: ...

    def open(self, url: str) -> None:
        """Go to a URL."""

    def click(self, target: str) -> None:
        """Press a button or follow a link named by data-testid or by its visible label."""

    def fill(self, fields: dict[str, str]) -> None:
        """Type into fields named by data-testid (or input name)."""

    def text(self) -> str:
        """The page's visible text."""

    def has(self, testid: str) -> bool:
        """Whether an element with that data-testid is visible on the page."""

    def has_within(self, container: str, testid: str) -> bool:
        """Whether the element `container` contains an element with data-testid `testid`."""

    def testids(self, prefix: str) -> list[str]:
        """Every data-testid on the page that starts with prefix, in document order."""

    def value(self, testid: str) -> str | None:
        """An input's current value, or an element's text."""

    def attribute(self, testid: str, name: str) -> str | None:
        """An attribute of the element with that data-testid."""

    def is_editable(self, testid: str) -> bool:
        """Whether a field can be typed into."""

    def is_enabled(self, testid: str) -> bool:
        """Whether a button can be pressed (present and not disabled)."""

    def unlock(self, testid: str) -> None:
        """Remove `disabled` / `readonly` from an element, as someone with devtools would."""

    def status(self) -> int | None:
        """The HTTP status of the current page, when the driver knows it."""

    def screenshot(self, name: str) -> str | None:
        """Save a picture of the page (browser drivers); returns the file path."""

    def recent_exchanges(self) -> list[str]:
        """The last HTTP exchanges, one line each, for failure reports."""

    def close(self) -> None:
        """Release resources."""
