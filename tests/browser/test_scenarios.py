"""The browser scenarios (main flow and refusals) through `gosuslugi-sandbox run --browser`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from gosuslugi_sandbox.harness.cli import main
from gosuslugi_sandbox.harness.scenarios.contact_sheet import REFUSAL_SCREENS, SEED_SCREENS
from gosuslugi_sandbox.harness.scenarios.runner import DEFAULT_PATH
from tests.browser.conftest import require_chromium
from tests.paths import REPO_ROOT

# `make test` leaves the seed's screens here, with the contact sheet (README links it)
REPORTS = REPO_ROOT / "reports"
SCREENS = [stem for stem, _ in SEED_SCREENS + REFUSAL_SCREENS]
BROWSER_SCENARIOS = 12
PNG = b"\x89PNG\r\n\x1a\n"


def test_browser_scenarios_pass_with_screens_and_report(tmp_path, capsys):
    require_chromium()
    screens, report = REPORTS / "screens", REPORTS
    for old in screens.glob("*.png"):
        old.unlink()  # a picture left by an earlier run must not pass for this run's
    code = main(
        ["run", "--browser", "--tags", "browser", "-j", "2", "--screens", str(screens),
         "--report", str(report), "--junit", str(tmp_path / "junit.xml"), str(DEFAULT_PATH)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{BROWSER_SCENARIOS} passed, 0 failed" in out, out

    for name in SCREENS:
        picture = screens / f"{name}.png"
        assert picture.is_file(), f"missing screenshot {picture}"
        assert picture.read_bytes()[:8] == PNG
    sheet = (screens / "contact-sheet.html").read_text(encoding="utf-8")
    assert "нет снимка" not in sheet
    shown = re.findall(r'<img src="([^"]+)"', sheet)
    assert shown == [f"{name}.png" for name in SCREENS], "the seed's order, then the refusals"
    steps = sorted(p.name for p in (screens / "browser-main-flow").glob("*.png"))
    assert steps[0] == "01-open-sferum-login.png", steps
    assert "05-click-login-continue.png" in steps
    assert not any("expect" in s for s in steps), "expectations do not change the page"

    html = (report / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="scenario"') == BROWSER_SCENARIOS
    assert "badge fail" not in html
    links = re.findall(r'<img src="([^"]+)"', html)
    assert len(links) > len(SCREENS)
    for link in links:
        assert not link.startswith(("/", "http")), "links are relative"
        assert (report / unquote(link)).resolve().is_file(), link
    assert "14-public-profile-mark" in html


def test_a_failing_browser_step_is_reported_with_its_picture(tmp_path, capsys):
    require_chromium()
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(
        "name: Expects what is not there\nsteps:\n"
        "  - open: sferum_login\n  - click: Войти через ВКонтакте\n",
        encoding="utf-8",
    )
    code = main(
        ["run", "--browser", "--screens", str(tmp_path / "s"), "--report", str(tmp_path / "r"),
         str(scenario)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "Войти через ВКонтакте" in out
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "badge fail" in html and "Войти через ВКонтакте" in html
    failed = tmp_path / "s" / "broken" / "02-click-voiti-cherez-vkontakte.png"
    assert failed.is_file(), sorted(Path(tmp_path / "s").rglob("*"))
