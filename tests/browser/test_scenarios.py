"""The browser scenarios (main flow and refusals) through `python -m harness run --browser`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from harness.__main__ import main
from harness.runner import DEFAULT_PATH
from tests.browser.conftest import require_chromium

MAIN_FLOW_SCREENS = [
    "01-sferum-login",
    "02-sferum-password",
    "03-sferum-home-banner",
    "04-settings",
    "05-transfer-data",
    "06-gosuslugi-login",
    "07-gosuslugi-sms",
    "08-gosuslugi-consent",
    "09-link-identity",
    "10-vkid-password",
    "11-sync-table",
    "12-verified-settings",
    "13-locked-refused",
    "14-public-profile-mark",
    "15-login-via-gosuslugi",
    "16-home-after-gosuslugi-login",
    "17-security-disable",
    "18-unlink-confirm",
    "19-unlinked-settings",
    "20-edited-settings",
]
REFUSAL_SCREENS = [
    "21-refused-standard-account",
    "22-refused-simplified-account",
    "23-refused-consent-denied",
    "24-refused-wrong-vkid-password",
    "25-refused-already-linked",
]
PNG = b"\x89PNG\r\n\x1a\n"


def test_browser_scenarios_pass_with_screens_and_report(tmp_path, capsys):
    require_chromium()
    screens, report = tmp_path / "screens", tmp_path / "report"
    code = main(
        ["run", "--browser", "--tags", "browser", "-j", "3", "--screens", str(screens),
         "--report", str(report), "--junit", str(tmp_path / "junit.xml"), str(DEFAULT_PATH)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "6 passed, 0 failed" in out, out

    for name in MAIN_FLOW_SCREENS + REFUSAL_SCREENS:
        picture = screens / f"{name}.png"
        assert picture.is_file(), f"missing screenshot {picture}"
        assert picture.read_bytes()[:8] == PNG
    steps = sorted(p.name for p in (screens / "browser-main-flow").glob("*.png"))
    assert steps[0] == "01-open-sferum-login.png", steps
    assert "05-click-login-continue.png" in steps
    assert not any("expect" in s for s in steps), "expectations do not change the page"

    html = (report / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="scenario"') == 6
    assert "badge fail" not in html
    links = re.findall(r'<img src="([^"]+)"', html)
    assert len(links) > len(MAIN_FLOW_SCREENS) + len(REFUSAL_SCREENS)
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
