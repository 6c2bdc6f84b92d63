"""The report card as JUnit XML: one testcase per check per client (fail → <failure>)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from gosuslugi_sandbox.idp.report.checks import FAIL, NOT_OBSERVED


def _evidence_text(check: dict[str, Any]) -> str:
    lines = [check["summary"]]
    lines += [f"{e['at']} {e['request_id']}: {e['note']}" for e in check["evidence"]]
    return "\n".join(lines)


def render(cards: list[dict[str, Any]]) -> bytes:
    """A <testsuites> document with a <testsuite> per client."""
    root = ET.Element("testsuites", name="gosuslugi-relying-party-report")
    total = failed = skipped = 0
    for card in cards:
        checks = card["checks"]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"relying-party {card['client_id']}",
            tests=str(len(checks)),
            failures=str(sum(1 for c in checks if c["status"] == FAIL)),
            skipped=str(sum(1 for c in checks if c["status"] == NOT_OBSERVED)),
            errors="0",
        )
        for check in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"gosuslugi.rp.{card['client_id']}",
                name=f"{check['id']}: {check['title']['en']}",
            )
            total += 1
            if check["status"] == FAIL:
                failed += 1
                failure = ET.SubElement(case, "failure", message=check["summary"], type="fail")
                failure.text = _evidence_text(check)
            elif check["status"] == NOT_OBSERVED:
                skipped += 1
                ET.SubElement(case, "skipped", message=f"not observed: {check['summary']}")
            else:
                ET.SubElement(case, "system-out").text = _evidence_text(check)
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("skipped", str(skipped))
    root.set("errors", "0")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
