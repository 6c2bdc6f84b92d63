"""Screenshots per step in browser runs: <screens>/<scenario>/NN-<step>.png after a page change."""

from __future__ import annotations

import re
from pathlib import Path

from gosuslugi_sandbox.harness.scenarios.report import StepResult

_RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LATIN = (
    *("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p"),
    *("r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"),
)
_TRANSLIT = str.maketrans(dict(zip(_RUSSIAN, _LATIN, strict=True)))


def slug(text: str, limit: int = 48) -> str:
    """An ASCII file-name part for a step (`click: Связать` → `click-sviazat`)."""
    latin = text.lower().translate(_TRANSLIT)
    cleaned = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return cleaned[:limit].rstrip("-") or "step"


def scenario_folders(scenarios) -> dict[int, str]:
    """A folder name per scenario: its file's stem, numbered when a file holds several."""
    counts: dict[Path, int] = {}
    for s in scenarios:
        counts[s.path] = counts.get(s.path, 0) + 1
    seen: dict[Path, int] = {}
    folders = {}
    for s in scenarios:
        seen[s.path] = seen.get(s.path, 0) + 1
        stem = s.path.stem
        if s.case:
            folders[id(s)] = f"{stem}-{slug(s.case)}"
        else:
            folders[id(s)] = stem if counts[s.path] == 1 else f"{stem}-{seen[s.path]}"
    return folders


class StepCamera:
    """Takes a picture after every step that changed the page (and after a failed step)."""

    def __init__(self, screens_dir: Path, folders: dict[int, str]) -> None:
        self.screens_dir = Path(screens_dir)
        self.folders = folders

    def folder(self, ctx) -> Path:
        """This scenario's folder of step pictures."""
        return self.screens_dir / self.folders.get(id(ctx.scenario), slug(ctx.scenario.name))

    def start(self, ctx) -> None:
        """Remove the pictures a previous run of this scenario left."""
        folder = self.folder(ctx)
        if folder.is_dir():
            for old in folder.glob("*.png"):
                old.unlink()

    @staticmethod
    def _state(ctx):
        driver = ctx.drivers.get(ctx.session)
        if driver is None:
            return None
        return (ctx.session, id(driver), getattr(driver, "changes", 0), driver.url)

    def before_step(self, ctx):
        """What the page looked like before the step (session, navigations and typing, URL)."""
        return (self._state(ctx), len(ctx.screenshots))

    def after_step(self, ctx, result: StepResult, before) -> None:
        """Attach the step's explicit screenshot, or take one if the page changed or it failed."""
        state_before, shots_before = before
        if len(ctx.screenshots) > shots_before:
            result.screenshot = ctx.screenshots[-1][1]
            return
        driver = ctx.drivers.get(ctx.session)
        if driver is None or not hasattr(driver, "save_screenshot"):
            return
        if result.ok and self._state(ctx) == state_before:
            return
        name = f"{result.step.index:02d}-{slug(result.step.describe())}.png"
        try:
            result.screenshot = driver.save_screenshot(self.folder(ctx) / name)
        except Exception as exc:  # a broken page must not hide the step's own outcome
            result.error = (result.error + f"\n(no screenshot: {exc})").strip()
