"""An injectable clock whose offset QA can move through the control API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Wall time plus an offset in seconds.

    `base` is the real time source (tests pass a fake); `offset_source` returns the offset
    currently in force, so each app can keep it in its database and every worker agrees.
    """

    def __init__(
        self,
        base: Callable[[], float] = time.time,
        offset_source: Callable[[], float] | None = None,
    ) -> None:
        self._base = base
        self._offset_source = offset_source or (lambda: 0.0)

    def time(self) -> float:
        """Seconds since the epoch, offset applied."""
        return self._base() + float(self._offset_source() or 0.0)

    def timestamp(self) -> int:
        """Whole seconds since the epoch, offset applied (JWT iat/exp)."""
        return int(self.time())

    def now(self) -> datetime:
        """An aware UTC datetime, offset applied."""
        return datetime.fromtimestamp(self.time(), tz=UTC)


class FrozenTime:
    """A base time source for tests that moves only when told."""

    def __init__(self, start: float | None = None) -> None:
        self.value = time.time() if start is None else start

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        """Move the time forward."""
        self.value += seconds
