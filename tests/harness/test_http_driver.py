"""The HTTP driver refuses what a person could not press, as a browser reads `:disabled`, and
sends a form as a browser would (tests/browser/test_driver.py checks the same reading against
Chromium's)."""

from __future__ import annotations

from email.message import Message

import pytest

from gosuslugi_sandbox.harness.drivers.html_tree import form_fields, is_disabled, parse_html
from gosuslugi_sandbox.harness.drivers.http_browser import Page, PageError
from gosuslugi_sandbox.harness.drivers.http_driver import HttpDriver
from gosuslugi_sandbox.harness.transport import Answer
from tests.harness.driver_cases import DISABLED_CASES, NESTED_LABEL


def driver_on(html: str) -> HttpDriver:
    """An HTTP driver whose current page is this HTML (no request is made)."""
    headers = Message()
    headers["Content-Type"] = "text/html; charset=utf-8"
    driver = HttpDriver()
    driver.browser.page = Page(Answer("http://sferum.test/form", 200, headers, html.encode()))
    return driver


def test_disabled_is_read_as_a_browser_reads_it():
    doc = parse_html(DISABLED_CASES)
    for el in doc.iter():
        if el.testid:
            assert is_disabled(el) == (el.get("data-disabled") == "1"), el.testid


def test_a_disabled_control_cannot_be_pressed():
    driver = driver_on(DISABLED_CASES)
    for target in ("own", "Своя", "in-second-legend", "nested"):
        with pytest.raises(PageError, match="is disabled: a person cannot press it"):
            driver.click(target)
    for target in ("span", "script-button"):  # no JavaScript: pressing them does nothing
        with pytest.raises(PageError, match="neither a link nor a form button"):
            driver.click(target)


def test_a_label_names_the_innermost_element_that_reads_so():
    assert driver_on(NESTED_LABEL).find("Продолжить").testid == "the-button"


def test_fields_of_a_disabled_fieldset_are_not_sent():
    form = parse_html(DISABLED_CASES).find("form")
    assert form_fields(form) == [("outside", "y")]
