"""The fake Sferum's guarantees with two workers on SQLite and PostgreSQL."""

from __future__ import annotations

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.relying_party import create_app
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError

from .conftest import PARALLEL, form_post, in_parallel, sferum_password_step


def _post(url: str, data: dict, cookies) -> str:
    return requests.post(url, data=data, cookies=cookies, timeout=20).text


def test_wrong_passwords_at_once_get_exactly_the_limit_before_the_lock(sferum_workers):
    def wrong(base: str) -> str:
        browser = sferum_password_step(base, "+7 911 111-11-11")
        page = browser.submit(form="password-form", fields={"password-input": "wrong"})
        return page.require("password-error").text()

    answers = in_parallel([lambda b=b: wrong(b) for b in sferum_workers.each(20)])
    assert answers.count("Неверный логин или пароль") == 4
    assert sum("заблокирован" in a for a in answers) == 16
    user = requests.get(f"{sferum_workers.first}/_control/users/123456", timeout=5).json()
    assert user["locked_until"] is not None


def test_an_unknown_login_is_answered_and_locked_like_a_known_one(sferum_workers):
    def wrong(login: str) -> list[str]:
        browser = sferum_password_step(sferum_workers.first, login)
        texts = []
        for _ in range(6):
            page = browser.submit(form="password-form", fields={"password-input": "wrong"})
            texts.append(page.require("password-error").text())
        return texts

    known, unknown = wrong("+7 911 111-11-11"), wrong("+7 900 000-00-00")
    assert known == unknown


def test_wrong_reset_codes_at_once_stop_at_the_accounts_limit(make_sferum_workers):
    base = make_sferum_workers(RESET_CODE_ATTEMPTS=1000).first  # the per-account limit alone
    browsers = []
    for _ in range(3):  # three browsers asking for a code each
        browser = HttpBrowser()
        browser.open(base + "/login/forgot")
        browser.submit(form="forgot-form", fields={"forgot-login-input": "89111111111"})
        browsers.append(browser)
    posts = []
    for browser in browsers:
        url, data, cookies = form_post(browser, "reset-form")
        posts.append((url, {**data, "code": "000000", "password": "New-pass-123"}, cookies))
    answers = in_parallel(
        [lambda i=i: _post(*posts[i % 3]) for i in range(30)]
    )  # the code generator gives 424242: every guess is wrong
    # RESET_MAX_WRONG (10) codes compared, the rest refused unchecked
    outbox = requests.get(f"{base}/_control/outbox", timeout=5).json()
    assert sum(m["attempts"] for m in outbox) == 10
    wrong = sum("Неверный или устаревший код" in a for a in answers)
    blocked = sum("Слишком много неверных кодов" in a for a in answers)
    # the account's and the address's counters each block once: in one request or two
    assert wrong + blocked == 30 and wrong in (8, 9)
    url, data, cookies = posts[0]
    right = _post(url, {**data, "code": "424242"}, cookies)
    assert "Слишком много неверных кодов" in right  # blocked, even for the right code


def test_link_starts_at_once_on_an_empty_cache_never_fail(sferum_workers):
    browser = sferum_password_step(sferum_workers.first, "+7 911 111-11-11")
    browser.submit(form="password-form", fields={"password-input": "Roshchina-Sferum1"})
    browser.open(sferum_workers.first + "/gosuslugi/link")
    url, data, cookies = form_post(browser, "gosuslugi-continue-form")

    def start(worker: str) -> int:
        answer = requests.post(url.replace(sferum_workers.first, worker), data=data,
                               cookies=cookies, allow_redirects=False, timeout=20)  # fmt: skip
        return answer.status_code

    statuses = in_parallel([lambda w=w: start(w) for w in sferum_workers.each(PARALLEL)])
    assert statuses == [302] * PARALLEL


def test_identical_user_creates_at_once_answer_one_201_and_409s(sferum_workers):
    body = {"id": 777001, "last_name": "Новикова", "first_name": "Мария",
            "phone": "89001234567", "password": "Novikova-1"}  # fmt: skip
    answers = in_parallel(
        [lambda b=b: requests.post(f"{b}/_control/users", json=body, timeout=10).status_code
         for b in sferum_workers.each(PARALLEL)]
    )  # fmt: skip
    assert sorted(answers) == [201] + [409] * (PARALLEL - 1)


def test_ids_beyond_the_columns_are_not_found(sferum_workers):
    base = sferum_workers.first
    browser = sferum_password_step(base, "+7 911 111-11-11")
    browser.submit(form="password-form", fields={"password-input": "Roshchina-Sferum1"})
    for path in ("/profile/99999999999", "/schools/99999999999/members"):
        assert browser.send("GET", base + path).status == 404
    assert requests.get(f"{base}/_control/users/99999999999", timeout=5).status_code == 404
    too_big = {"id": 10**12, "last_name": "А", "first_name": "Б", "phone": "89001234568",
               "password": "Abcdefgh-1"}  # fmt: skip
    assert requests.post(f"{base}/_control/users", json=too_big, timeout=5).status_code == 400


def test_one_reset_code_guessed_at_once_is_checked_only_its_number_of_tries(sferum_workers):
    base = sferum_workers.first
    browser = HttpBrowser()
    browser.open(base + "/login/forgot")
    browser.submit(form="forgot-form", fields={"forgot-login-input": "89111111111"})
    url, data, cookies = form_post(browser, "reset-form")
    wrong = {**data, "code": "000000", "password": "New-pass-123"}
    in_parallel([lambda: _post(url, wrong, cookies) for _ in range(PARALLEL)])
    outbox = requests.get(f"{base}/_control/outbox", timeout=5).json()
    assert [m["attempts"] for m in outbox] == [5]  # RESET_CODE_ATTEMPTS
    answer = _post(url, {**data, "code": "424242", "password": "New-pass-123"}, cookies)
    assert "Пароль изменён" not in answer and "reset-error" in answer  # its tries are used up


def test_one_link_state_consumed_at_once_has_one_winner(database_url, tmp_path):
    """The callback's state is single use across workers: N consumes at once, one succeeds."""
    base = {"DATABASE_URL": database_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    apps = [create_app({**base, "INSTANCE_PATH": str(tmp_path / f"rp{i}")}) for i in (1, 2)]
    with apps[0].app_context():
        LinkAttempt.start("link", 123456, "one-state")

    def consume(app) -> str:
        with app.app_context():
            try:
                return LinkAttempt.consume("one-state", "one-state").state
            except GosuslugiError as exc:
                return exc.code

    try:
        answers = in_parallel([lambda app=apps[i % 2]: consume(app) for i in range(PARALLEL)])
    finally:
        for app in apps:
            app.extensions["database"].dispose()
    assert answers.count("one-state") == 1
    assert answers.count("state_unknown") == PARALLEL - 1
