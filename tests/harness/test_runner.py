"""The runner's command line: exit codes, readable failures, JUnit, a given (shared) stand."""

import textwrap
import xml.etree.ElementTree as ET

import pytest

from gosuslugi_sandbox.harness.cli import main
from gosuslugi_sandbox.harness.stand import LocalStand
from gosuslugi_sandbox.shared.config import FIXTURES_DIR

MAIN_FLOW = FIXTURES_DIR / "scenarios" / "link-mismatch-sync.yaml"


@pytest.fixture(scope="module")
def stand():
    local = LocalStand("oidc")
    yield local.start()
    local.stop()


def test_a_passing_scenario_exits_0_and_writes_junit(tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    assert main(["run", str(MAIN_FLOW), "--junit", str(junit)]) == 0
    out = capsys.readouterr().out
    assert "PASS Link with a patronymic mismatch, then sync" in out
    assert "1 passed, 0 failed" in out
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")


def test_a_broken_expectation_is_red_and_says_why(tmp_path, capsys):
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(
        textwrap.dedent(
            """\
            name: Expects the wrong patronymic
            given: {sferum_user: 123456, gosuslugi_person: 1000000001}
            steps:
              - login_sferum
              - start_link
              - through_gosuslugi: {person: 1000000001}
              - click: Связать
              - enter_vkid_password
              - expect_mismatch: {middle_name: [Владимировна, Петровна]}
            """
        ),
        encoding="utf-8",
    )
    assert main(["run", str(scenario)]) == 1
    out = capsys.readouterr().out
    assert "FAIL Expects the wrong patronymic" in out
    assert f"step 6 at {scenario}:9: expect_mismatch" in out
    assert "Госуслуги 'Петровна'" in out  # the expectation
    assert "Госуслуги 'Вадимовна'" in out  # what the page said
    assert "last HTTP exchanges" in out
    assert "0 passed, 1 failed" in out


def test_a_bad_file_exits_2_naming_file_and_line(tmp_path, capsys):
    scenario = tmp_path / "typo.yaml"
    scenario.write_text("name: Typo\nsteps:\n  - opn: settings\n", encoding="utf-8")
    assert main(["run", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"{scenario}:3: step 1 (opn): unknown action" in err


def test_tags_select_and_exclude(capsys):
    assert main(["run", "--tags", "no-such-tag"]) == 2
    assert "no scenario matches" in capsys.readouterr().err


def test_runs_against_a_given_stand(stand, capsys):
    code = main(
        ["run", str(MAIN_FLOW), "--idp-url", stand.idp_url, "--rp-url", stand.rp_url("oidc")]
    )
    assert code == 0, capsys.readouterr().out


def test_a_scenario_the_given_stand_cannot_run_is_skipped_with_its_reason(stand, tmp_path, capsys):
    esia = FIXTURES_DIR / "scenarios" / "esia-link-mismatch-sync.yaml"
    junit = tmp_path / "junit.xml"
    code = main(["run", str(esia), str(MAIN_FLOW), "--idp-url", stand.idp_url,
                 "--rp-url", stand.rp_url("oidc"), "--junit", str(junit)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SKIP Link with a patronymic mismatch, then sync (ESIA dialect)" in out
    assert "needs a fake Sferum speaking esia; --rp-url speaks oidc" in out
    assert "1 passed, 0 failed, 1 skipped" in out
    xml = junit.read_text(encoding="utf-8")
    assert 'skipped="1"' in xml and '<skipped message="skipped: needs a fake Sferum' in xml


def test_parallel_workers_need_private_stands(stand, capsys):
    code = main(["run", "-j", "2", "--idp-url", stand.idp_url, "--rp-url", stand.rp_url()])
    assert code == 2
    assert "-j needs private stands" in capsys.readouterr().err


def test_parallel_workers_keep_scenarios_apart(capsys):
    # Two scenarios that would collide on shared data (both link person 1000000001) pass
    # side by side because each worker has its own stand.
    files = [
        str(MAIN_FLOW),
        str(FIXTURES_DIR / "scenarios" / "refuse-already-linked.yaml"),
        str(FIXTURES_DIR / "scenarios" / "unlink-edit-relink.yaml"),
    ]
    assert main(["run", "-j", "3", *files]) == 0, capsys.readouterr().out
