"""Accessibility basics on every page of the main flow, at 1280×800 and at a phone's 390×844."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.harness.drivers.playwright_driver import DESKTOP, PHONE
from gosuslugi_sandbox.harness.scenarios.runner import DEFAULT_PATH, load_all, run_scenario

# Problems a person with a screen reader or a phone would meet, found in the page itself.
CHECKS_JS = """
() => {
  const problems = [];
  const describe = (el) => `<${el.tagName.toLowerCase()} data-testid="${el.dataset.testid || ''}"`
      + ` name="${el.getAttribute('name') || ''}">`;
  const text = (el) => (el.innerText || el.textContent || '').trim();
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    const named = (label && text(label)) || (el.getAttribute('aria-label') || '').trim()
        || el.getAttribute('aria-labelledby');
    if (!named) problems.push(`field without a label: ${describe(el)}`);
  }
  const pressable = 'button, a[href], [role=button], input[type=submit]';
  for (const el of document.querySelectorAll(pressable)) {
    const name = (el.getAttribute('aria-label') || text(el) || el.value || el.title || '').trim();
    if (!name) problems.push(`no accessible name: ${describe(el)}`);
  }
  if (!document.documentElement.lang) problems.push('no <html lang>');
  if (!document.title.trim()) problems.push('no <title>');
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push(`wider than the screen: ${document.documentElement.scrollWidth}px`);
  for (const el of document.querySelectorAll('link[href], script[src], img[src]')) {
    const url = new URL(el.getAttribute('href') || el.getAttribute('src'), location.href);
    if (url.host !== location.host) problems.push(`external asset: ${url}`);
  }
  return problems;
}
"""


class AccessibilityCamera:
    """Checks every page the scenario reaches (after each step that changed it)."""

    def __init__(self) -> None:
        self.pages: dict[str, list[str]] = {}
        self.sms_fields: list[tuple[str | None, str | None]] = []

    def start(self, ctx) -> None:
        """Nothing to prepare."""

    def before_step(self, ctx):
        """The page's identity before the step."""
        driver = ctx.drivers.get(ctx.session)
        return None if driver is None else (driver.changes, driver.url)

    def after_step(self, ctx, result, before) -> None:
        """Check the page when the step changed it."""
        driver = ctx.drivers.get(ctx.session)
        if driver is None or (driver.changes, driver.url) == before:
            return
        key = f"step {result.step.index} ({result.step.describe()}): {driver.url}"
        self.pages[key] = driver.page.evaluate(CHECKS_JS)
        if driver.has("sms-code-input"):
            self.sms_fields.append(
                (
                    driver.attribute("sms-code-input", "autocomplete"),
                    driver.attribute("sms-code-input", "inputmode"),
                )
            )


def _scenario(tag: str):
    (scenario,) = load_all([DEFAULT_PATH], [tag])
    return scenario


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
@pytest.mark.parametrize("tag", ["main", "refusal-consent"])
def test_every_page_is_labelled_named_and_fits(stand, make_driver, viewport, tag):
    scenario = _scenario("main") if tag == "main" else _consent_refusal()
    camera = AccessibilityCamera()
    result = run_scenario(scenario, stand, lambda _session: make_driver(viewport), camera)
    assert result.ok, result.failure_text()
    assert len(camera.pages) >= (15 if tag == "main" else 5), list(camera.pages)
    problems = {page: found for page, found in camera.pages.items() if found}
    assert not problems, "\n".join(f"{p}: {found}" for p, found in problems.items())
    assert camera.sms_fields, "the flow showed the SMS code page"
    assert set(camera.sms_fields) == {("one-time-code", "numeric")}


def _consent_refusal():
    (scenario,) = load_all([DEFAULT_PATH / "browser-refusal-consent-denied.yaml"], [])
    return scenario
