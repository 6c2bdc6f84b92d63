"""Every page of both apps, at 1280×800 and 390×844, looks and behaves like a finished site and
is usable with a screen reader and on a phone.

The walk (tests/browser/tour.py) reaches each page as a person would and checks it on arrival
(tests/browser/page_checks.py): nothing overflows sideways, no English outside code and the
collapsed developer details, every field labelled and every control named, the page's language,
title and assets its own, the SMS code field offering the code and a digit keyboard, every
visible link opens and every form button reaches a route that takes it — or the control is
marked inactive with a note — and the page has the site's layout («Настройки» on the screen in
Sferum's). TOUR_SCREENS=dir keeps a picture of each page.
"""

from __future__ import annotations

import os
from pathlib import Path

from gosuslugi_sandbox.harness.drivers.playwright_driver import DESKTOP, PHONE
from tests.browser.page_checks import PageChecker
from tests.browser.tour import Tour, walk

# every page the walk must reach (a page missing here or there fails the test)
EXPECTED_PAGES = 66


def test_every_page_fits_speaks_russian_and_has_no_dead_controls(stand, playwright_and_browser):
    playwright, chromium = playwright_and_browser
    stand.idp.reset()
    stand.rp().reset()
    shots = Path(os.environ["TOUR_SCREENS"]) if os.environ.get("TOUR_SCREENS") else None
    tour = Tour(playwright, chromium, stand, [DESKTOP, PHONE], shots)
    try:
        walk(tour)
    finally:
        tour.close()
    problems = {name: found for name, found in tour.pages.items() if found}
    assert not problems, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items()
    )
    assert len(tour.pages) >= EXPECTED_PAGES, sorted(tour.pages)


def test_the_checks_catch_what_they_look_for(stand, playwright_and_browser):
    """A page made of every fault the walk looks for gets every one of them reported."""
    playwright, chromium = playwright_and_browser
    context = chromium.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    page = context.new_page()
    page.goto(stand.rp_url() + "/login")
    page.evaluate(BROKEN_PAGE_JS)
    checker = PageChecker(context, playwright, {stand.rp_url(): "sferum"})
    problems = "\n".join(checker.check(page))
    checker.close()
    context.close()
    for expected in (
        "wider than the screen",
        "English 'Submit'",
        "looks clickable but is no control",
        "a link that goes nowhere",
        "the link answers HTTP 404",
        "answers HTTP 404",  # a form posting to a route that does not exist
        "a button that does nothing",
        "inactive without a visible note",
        "has no data-testid",
        "off the screen sideways",
        "not centred",
        "field without a label",
        "no accessible name",
        "no <html lang>",
        "no <title>",
        "external asset: https://cdn.example.invalid/x.js",
        "the SMS code field has autocomplete/inputmode [None, None]",
    ):
        assert expected in problems, f"{expected!r} not reported:\n{problems}"


# Everything the checks must notice, added to a real page.
BROKEN_PAGE_JS = """
() => {
  const add = (html) => document.querySelector('[data-testid=auth-layout]')
      .insertAdjacentHTML('beforeend', html);
  add('<div style="width: 900px; margin-left: 300px" data-testid="wide">Широкий блок</div>');
  add('<p data-testid="english">Submit</p>');
  add('<span style="cursor: pointer" data-testid="fake">Нажми меня</span>');
  add('<a href="#" data-testid="nowhere">Никуда</a>');
  add('<a href="/no-such-page" data-testid="dead-link">Мёртвая ссылка</a>');
  add('<form method="post" action="/no-such-route"><button data-testid="dead-form">Отправить'
      + '</button></form>');
  add('<button type="button" data-testid="silent">Молчит</button>');
  add('<button type="button" disabled data-testid="unexplained">Неактивна</button>');
  add('<a href="/login">Без метки</a>');
  add('<a href="/login" data-testid="far" style="position: relative; left: 500px">Далеко</a>');
  add('<input data-testid="unlabelled" name="x">');
  add('<input data-testid="sms-code-input" aria-label="Код из СМС">');
  add('<button type="button" data-testid="nameless"></button>');
  add('<script type="text/plain" src="https://cdn.example.invalid/x.js"></script>');
  document.documentElement.removeAttribute('lang');
  document.title = '';
  document.querySelector('[data-testid=auth-layout]').style.marginLeft = '200px';
}
"""
