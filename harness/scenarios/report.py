"""Results of a scenario run: the console summary and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from gosuslugi_sandbox.harness.scenarios.scenario import Scenario, Step


@dataclass
class StepResult:
    """How one step went."""

    step: Step
    ok: bool
    seconds: float
    error: str = ""
    screenshot: str = ""  # the picture after this step (browser runs), a file path


@dataclass
class ScenarioResult:
    """How one scenario went, with enough to explain a failure."""

    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""
    page_text: str = ""
    page_url: str = ""
    exchanges: list[str] = field(default_factory=list)
    screenshots: list[tuple[str, str]] = field(default_factory=list)
    skipped: str = ""  # why the given stand cannot run it (not a failure)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def failed_step(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)

    def failure_text(self) -> str:
        """A failure explained for a QA engineer: step, expectation, page, last exchanges."""
        if self.ok:
            return ""
        lines = []
        failed = self.failed_step
        if failed:
            lines.append(
                f"step {failed.step.index} at {self.scenario.path}:{failed.step.line}: "
                f"{failed.step.describe()}"
            )
        lines.append(f"  {self.error}")
        if self.page_url:
            lines.append(f"  page: {self.page_url}")
        if self.page_text:
            lines.append(f"  page says: {self.page_text[:400]}")
        if self.exchanges:
            lines.append("  last HTTP exchanges:")
            lines.extend(f"    {x}" for x in self.exchanges)
        return "\n".join(lines)


def write_junit(results: list[ScenarioResult], path: Path) -> None:
    """Write JUnit XML, one testcase per scenario."""
    suite = ET.Element(
        "testsuite",
        name="scenarios",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if not r.ok)),
        skipped=str(sum(1 for r in results if r.skipped)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=r.scenario.path.stem,
            name=r.scenario.name,
            time=f"{r.seconds:.3f}",
            file=str(r.scenario.path),
            line=str(r.scenario.line),
        )
        if r.skipped:
            ET.SubElement(case, "skipped", message=r.skipped)
        if not r.ok:
            failure = ET.SubElement(case, "failure", message=r.error.splitlines()[0][:200])
            failure.text = r.failure_text()
        steps = "\n".join(f"{'ok  ' if s.ok else 'FAIL'} {s.step.describe()}" for s in r.steps)
        ET.SubElement(case, "system-out").text = steps
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
