"""Scenario files: a bad file is refused with its file, line and step named."""

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gosuslugi_sandbox.harness.scenarios.report import ScenarioResult, StepResult, write_junit
from gosuslugi_sandbox.harness.scenarios.scenario import ScenarioError, load_scenarios, substitute

KNOWN = {"open", "click", "expect_text", "unlink"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_gives_steps_with_their_lines(tmp_path):
    path = write(
        tmp_path,
        """\
        name: Open settings
        tags: [smoke]
        steps:
          - open: settings
          - click: Перейти на Госуслуги
          - unlink
        """,
    )
    (scenario,) = load_scenarios(path, KNOWN)
    assert scenario.name == "Open settings"
    assert [(s.action, s.arg, s.line) for s in scenario.steps] == [
        ("open", "settings", 4),
        ("click", "Перейти на Госуслуги", 5),
        ("unlink", None, 6),
    ]
    assert scenario.steps[1].describe() == "click: Перейти на Госуслуги"


def test_a_list_of_scenarios_in_one_file(tmp_path):
    path = write(
        tmp_path,
        """\
        - name: First
          steps: [{open: settings}]
        - name: Second
          steps: [{open: main}]
        """,
    )
    assert [s.name for s in load_scenarios(path, KNOWN)] == ["First", "Second"]


def test_unknown_action_names_file_line_and_step(tmp_path):
    path = write(
        tmp_path,
        """\
        name: Typo
        steps:
          - open: settings
          - clik: Связать
        """,
    )
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path, KNOWN)
    message = str(err.value)
    assert f"{path}:4" in message
    assert "step 2 (clik)" in message
    assert "unknown action" in message


def test_schema_violation_names_the_field(tmp_path):
    path = write(
        tmp_path,
        """\
        name: Bad given
        given:
          gosuslugi_person: Рощина
        steps:
          - open: settings
        """,
    )
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path, KNOWN)
    assert "given/gosuslugi_person" in str(err.value)
    assert f"{path}:" in str(err.value)


def test_missing_steps_and_broken_yaml(tmp_path):
    with pytest.raises(ScenarioError, match="'steps' is a required property"):
        load_scenarios(write(tmp_path, "name: Nothing\n"), KNOWN)
    with pytest.raises(ScenarioError, match=r"scenario.yaml:3: not valid YAML"):
        load_scenarios(write(tmp_path, "name: x\nsteps: [\n  - a: b: c\n"), KNOWN)


def test_variables_are_substituted_whole_or_inside_text():
    variables = {"user": {"password": "s3cret", "id": 123456}, "name": "Вадимовна"}
    assert substitute("${user.password}", variables) == "s3cret"
    assert substitute("${user.id}", variables) == 123456
    assert substitute({"m": ["Владимировна", "${name}"]}, variables) == {
        "m": ["Владимировна", "Вадимовна"]
    }
    with pytest.raises(ScenarioError, match="unknown variable"):
        substitute("${nobody.home}", variables)


def test_cases_make_one_scenario_each_with_their_values(tmp_path):
    path = write(
        tmp_path,
        """\
        name: "Fault ${fault}: refused with ${error}"
        cases:
          - {fault: invalid-iss, error: id_token_iss}
          - {id: no-sub, fault: missing-sub, error: id_token_sub}
        given:
          faults: [{fault: "${fault}", client_id: sferum}]
        steps:
          - expect_text: ${error}
        """,
    )
    first, second = load_scenarios(path, KNOWN)
    assert first.name == "Fault invalid-iss: refused with id_token_iss"
    assert first.given["faults"] == [{"fault": "invalid-iss", "client_id": "sferum"}]
    assert first.key == "scenario[invalid-iss]" and second.key == "scenario[no-sub]"
    assert second.variables["error"] == "id_token_sub"
    assert substitute(second.steps[0].arg, second.variables) == "id_token_sub"


def test_a_case_leaving_a_value_out_gets_the_files_vars_value(tmp_path):
    path = write(
        tmp_path,
        """\
        name: "Fault ${fault}"
        cases:
          - {fault: invalid-iss}
          - {fault: document-override, endpoint: userinfo}
        vars: {endpoint: null}
        given:
          faults: [{fault: "${fault}", endpoint: "${endpoint}"}]
        steps:
          - unlink
        """,
    )
    first, second = load_scenarios(path, KNOWN)
    assert first.given["faults"] == [{"fault": "invalid-iss", "endpoint": None}]
    assert second.given["faults"] == [{"fault": "document-override", "endpoint": "userinfo"}]
    assert first.variables["endpoint"] is None and second.variables["endpoint"] == "userinfo"


def test_a_case_missing_a_value_is_refused_naming_the_case(tmp_path):
    path = write(
        tmp_path,
        """\
        name: "Fault ${fault}"
        cases:
          - {error: id_token_iss}
        steps:
          - unlink
        """,
    )
    with pytest.raises(ScenarioError, match=r"scenario.yaml:1: case id_token_iss: .*\$\{fault\}"):
        load_scenarios(path, KNOWN)


def test_junit_lists_every_scenario_and_explains_failures(tmp_path):
    path = write(
        tmp_path,
        """\
        - name: Good
          steps: [{open: settings}]
        - name: Bad
          steps: [{open: settings}, {expect_text: Связать}]
        """,
    )
    good, bad = load_scenarios(path, KNOWN)
    results = [
        ScenarioResult(good, [StepResult(good.steps[0], True, 0.01)], 0.01),
        ScenarioResult(
            bad,
            [StepResult(bad.steps[0], True, 0.01), StepResult(bad.steps[1], False, 0.01, "no")],
            0.02,
            error="expected the page to say 'Связать'",
            page_text="Настройки",
        ),
    ]
    out = tmp_path / "junit.xml"
    write_junit(results, out)
    suite = ET.parse(out).getroot()
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"
    failure = suite.findall("testcase")[1].find("failure")
    assert "step 2" in failure.text
    assert "Настройки" in failure.text
