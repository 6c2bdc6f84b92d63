"""reports/index.html: every scenario with its steps, outcomes and screenshots, for QA to look at.

Self-contained: inline CSS, no scripts, images linked relatively (the folder can be zipped or
published as a CI artifact as it is).
"""

from __future__ import annotations

import os
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

from gosuslugi_sandbox.harness.scenarios.report import ScenarioResult

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 0; background: #f3f5f8; color: #1d1f22; }
header { background: #1d2b3a; color: #fff; padding: 16px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 16px 32px 48px; max-width: 1400px; }
.summary { margin: 0; padding: 0; list-style: none; }
.summary li { margin: 4px 0; }
a { color: #2a5885; }
.badge { display: inline-block; min-width: 44px; text-align: center; border-radius: 6px;
         padding: 1px 8px; font-weight: 700; font-size: 13px; color: #fff; }
.pass { background: #2e7d32; } .fail { background: #c62828; } .skip { background: #9aa4af; }
section.scenario { background: #fff; border-radius: 12px; padding: 16px 24px; margin: 24px 0;
                   box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section.scenario h2 { margin: 0 0 4px; font-size: 19px; }
.where, .muted { color: #66727f; font-size: 13px; }
ol.steps { list-style: none; padding: 0; margin: 12px 0 0; }
ol.steps li { border-top: 1px solid #e5e8ec; padding: 8px 0; }
.step-line { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.step-no { color: #66727f; width: 2.5em; text-align: right; }
code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { white-space: pre-wrap; background: #fff4f4; border-left: 4px solid #c62828;
      padding: 8px 12px; margin: 6px 0 0; font-size: 13px; }
.shot { display: block; margin: 8px 0 4px 3.2em; }
.shot img { max-width: min(480px, 100%); border: 1px solid #d5dae0; border-radius: 6px; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
           gap: 16px; margin-top: 12px; }
.gallery figure { margin: 0; } .gallery img { width: 100%; border: 1px solid #d5dae0;
           border-radius: 6px; } .gallery figcaption { font-size: 13px; color: #3a4450; }
"""


def _link(path: str, report_dir: Path) -> str:
    """A relative, URL-quoted link from the report folder to a file."""
    rel = os.path.relpath(Path(path).resolve(), report_dir.resolve())
    return quote(Path(rel).as_posix())


def _shot(path: str, report_dir: Path, caption: str) -> str:
    href = _link(path, report_dir)
    return (
        f'<a class="shot" href="{href}"><img src="{href}" alt="{escape(caption)}" '
        f'loading="lazy"></a>'
    )


def _scenario(result: ScenarioResult, anchor: str, report_dir: Path) -> str:
    scenario = result.scenario
    status = (
        '<span class="badge skip">SKIP</span>'
        if result.skipped
        else '<span class="badge pass">PASS</span>'
        if result.ok
        else '<span class="badge fail">FAIL</span>'
    )
    parts = [
        f'<section class="scenario" id="{anchor}">',
        f"<h2>{status} {escape(scenario.name)}</h2>",
        f'<div class="where">{escape(str(scenario.where))} · {result.seconds:.2f} s'
        + (f" · теги: {escape(', '.join(scenario.tags))}" if scenario.tags else "")
        + "</div>",
    ]
    if scenario.description:
        parts.append(f"<p>{escape(scenario.description)}</p>")
    if result.error and not result.failed_step:
        parts.append(f"<pre>{escape(result.error)}</pre>")
    parts.append('<ol class="steps">')
    done = {s.step.index for s in result.steps}
    for s in result.steps:
        badge = (
            '<span class="badge pass">ok</span>'
            if s.ok
            else ('<span class="badge fail">FAIL</span>')
        )
        parts.append(
            f'<li id="{anchor}-step-{s.step.index}"><div class="step-line">'
            f'<span class="step-no">{s.step.index}.</span>{badge}'
            f"<code>{escape(s.step.describe())}</code>"
            f'<span class="muted">строка {s.step.line} · {s.seconds:.2f} s</span></div>'
        )
        if not s.ok:
            parts.append(f"<pre>{escape(result.failure_text())}</pre>")
        if s.screenshot:
            parts.append(_shot(s.screenshot, report_dir, s.step.describe()))
        parts.append("</li>")
    for step in scenario.steps:
        if step.index not in done:
            parts.append(
                f'<li><div class="step-line"><span class="step-no">{step.index}.</span>'
                f'<span class="badge skip">—</span><code>{escape(step.describe())}</code>'
                '<span class="muted">не выполнялся</span></div></li>'
            )
    parts.append("</ol>")
    named = [(name, path) for name, path in result.screenshots if path]
    if named:
        parts.append('<h3>Экраны</h3><div class="gallery">')
        for name, path in named:
            href = _link(path, report_dir)
            parts.append(
                f'<figure><a href="{href}"><img src="{href}" alt="{escape(name)}" '
                f'loading="lazy"></a><figcaption>{escape(name)}</figcaption></figure>'
            )
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def write_html_report(results: list[ScenarioResult], report_dir: Path, browser: bool) -> Path:
    """Write <report_dir>/index.html and return its path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    failed = sum(1 for r in results if not r.ok)
    mode = "в браузере (Chromium)" if browser else "по HTTP (без браузера и снимков)"
    summary = []
    sections = []
    for number, result in enumerate(results, start=1):
        anchor = f"s{number}"
        badge = "skip" if result.skipped else "pass" if result.ok else "fail"
        why = f' <span class="muted">{escape(result.skipped)}</span>' if result.skipped else ""
        summary.append(
            f'<li><span class="badge {badge}">{badge.upper()}</span> '
            f'<a href="#{anchor}">{escape(result.scenario.name)}</a> '
            f'<span class="muted">{escape(result.scenario.path.name)}</span>{why}</li>'
        )
        sections.append(_scenario(result, anchor, report_dir))
    html = f"""<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Сценарии: {len(results) - failed} из {len(results)} прошли</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Сценарии песочницы Госуслуги ↔ Сферум</h1>
<div>{len(results) - failed} прошли, {failed} упали · запуск {mode} ·
{escape(time.strftime("%Y-%m-%d %H:%M:%S"))}</div>
</header>
<main>
<ul class="summary">
{"".join(summary)}
</ul>
{"".join(sections)}
</main>
</body>
</html>
"""
    index = report_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
