"""N requests at once against two IdP workers on SQLite and PostgreSQL: exactly one winner."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.sign_in import sign_in

from .conftest import (
    CALLBACK,
    PARALLEL,
    ROSHCHINA,
    authorize_url,
    in_parallel,
    log_in,
    oidc_code,
    sms_code,
    token_request,
)


def _userinfo(base: str, access_token: str) -> int:
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.get(f"{base}/userinfo", headers=headers, timeout=10).status_code


def test_one_code_posted_at_once_gives_one_token_and_the_replays_revoke_it(idp_workers):
    code = oidc_code(idp_workers.first)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    answers = in_parallel(
        [lambda base=base: token_request(base, **form) for base in idp_workers.each(PARALLEL)]
    )
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) == 1, [a.status_code for a in answers]
    assert {a.json()["error"] for a in answers if a.status_code != 200} == {"invalid_grant"}
    # every replay came after the winner's redemption, so what the code issued is revoked
    assert _userinfo(idp_workers.urls[1], winners[0].json()["access_token"]) == 401


def test_one_refresh_token_posted_at_once_rotates_once(idp_workers):
    code = oidc_code(idp_workers.first)
    first = token_request(
        idp_workers.first, grant_type="authorization_code", code=code, redirect_uri=CALLBACK
    ).json()
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    answers = in_parallel(
        [lambda base=base: token_request(base, **form) for base in idp_workers.each(PARALLEL)]
    )
    winners = [a.json() for a in answers if a.status_code == 200]
    assert len(winners) == 1, [a.status_code for a in answers]
    assert _userinfo(idp_workers.first, first["access_token"]) == 401  # the old pair is gone
    assert _userinfo(idp_workers.urls[1], winners[0]["access_token"]) == 200
    again = token_request(idp_workers.first, **form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_one_finished_login_resumed_at_once_issues_one_code(idp_workers):
    base = idp_workers.first
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(authorize_url(base))
    browser.submit(
        "login-form",
        {"login-input": ROSHCHINA["login"], "password-input": ROSHCHINA["password"]},
        "login-submit",
    )
    browser.submit("sms-form", {"sms-code-input": sms_code(base)}, "sms-submit")
    consent = browser.page.require("consent-form")
    action = browser.page.url
    token = consent.find("input", name="csrf_token").attrs["value"]
    cookies = browser.cookies

    def allow(url: str) -> requests.Response:
        post = requests.post(
            url, data={"csrf_token": token, "decision": "allow"}, cookies=cookies,
            allow_redirects=False, timeout=10,
        )  # fmt: skip
        resume = post.headers.get("Location", "")
        if not resume.startswith("http"):
            resume = base + resume
        return requests.get(resume, cookies=cookies, allow_redirects=False, timeout=10)

    answers = in_parallel([lambda: allow(action) for _ in range(PARALLEL)])
    codes = [a for a in answers if a.headers.get("Location", "").startswith(CALLBACK)]
    assert len(codes) == 1, [(a.status_code, a.headers.get("Location")) for a in answers]
    assert all(a.status_code < 500 for a in answers)


def _allowed_resume(base: str, nonce: str) -> tuple[str, object]:
    """A login of its own up to consent, allowed: (the resume URL, the browser's cookies)."""
    browser = HttpBrowser(stop_at=(CALLBACK,))
    sign_in(browser, browser.open(authorize_url(base, nonce=nonce)), ROSHCHINA["login"],
            ROSHCHINA["password"], lambda: sms_code(base), consent=None)  # fmt: skip
    token = browser.page.require("consent-form").find("input", name="csrf_token").attrs["value"]
    form = {"csrf_token": token, "decision": "allow"}
    post = requests.post(browser.page.url, data=form, cookies=browser.cookies,
                         allow_redirects=False, timeout=10)  # fmt: skip
    return urljoin(base, post.headers["Location"]), browser.cookies


def test_logins_with_one_nonce_resumed_at_once_issue_one_code(idp_workers):
    # each passed /authorize while no code had the nonce; the code's INSERT decides
    logins = [_allowed_resume(base, "one-nonce") for base in idp_workers.each(6)]
    answers = in_parallel(
        [lambda url=url, jar=jar: requests.get(url, cookies=jar, allow_redirects=False,
                                               timeout=10)
         for url, jar in logins]
    )  # fmt: skip
    back = [parse_qs(urlsplit(a.headers.get("Location", "")).query) for a in answers]
    assert sum("code" in b for b in back) == 1, [a.headers.get("Location") for a in answers]
    assert [b.get("error") for b in back if "code" not in b] == [["invalid_request"]] * 5


def test_wrong_passwords_at_once_get_exactly_the_limit_before_the_lock(idp_workers):
    def wrong(base: str) -> str:
        browser = HttpBrowser(stop_at=(CALLBACK,))
        browser.open(authorize_url(base))
        page = browser.submit(
            "login-form",
            {"login-input": ROSHCHINA["login"], "password-input": "wrong"},
            "login-submit",
        )
        return page.require("login-error").text()

    answers = in_parallel([lambda base=base: wrong(base) for base in idp_workers.each(20)])
    assert answers.count("Неверный логин или пароль") == 4
    assert sum("заблокирован" in a for a in answers) == 16  # the 5th wrong one locks
    person = requests.get(f"{idp_workers.first}/_control/persons/1000000001", timeout=5).json()
    assert person["locked"] is True and person["failed_logins"] == 0


def _sms_step(base: str) -> tuple[str, str, object, str]:
    """A login waiting at the SMS step: (page URL, CSRF token, cookies, the right code)."""
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(authorize_url(base))
    browser.submit(
        "login-form",
        {"login-input": ROSHCHINA["login"], "password-input": ROSHCHINA["password"]},
        "login-submit",
    )
    token = browser.page.require("sms-form").find("input", name="csrf_token").attrs["value"]
    return browser.page.url, token, browser.cookies, sms_code(base)


def _enter(url: str, token: str, cookies, code: str) -> str:
    answer = requests.post(url, cookies=cookies, data={"csrf_token": token, "code": code},
                           timeout=10)  # fmt: skip
    return answer.text


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_sms_codes_at_once_check_the_code_only_its_number_of_tries(make_idp_workers):
    workers = make_idp_workers(SMS_MAX_WRONG=1000)  # the per-code limit alone
    url, token, cookies, right = _sms_step(workers.first)
    answers = in_parallel(
        [lambda w=w: _enter(url.replace(workers.first, w), token, cookies, _wrong(right))
         for w in workers.each(20)]
    )  # fmt: skip
    assert sum("Неверный код" in a for a in answers) == 3  # SMS_MAX_ATTEMPTS, however many
    person = requests.get(f"{workers.first}/_control/persons/1000000001", timeout=5).json()
    assert person["sms_wrong_codes"] == 3  # only compared codes count against the person
    assert "Попытки ввода кода исчерпаны" in _enter(url, token, cookies, right)


def test_wrong_sms_codes_at_once_across_logins_stop_at_the_persons_limit(make_idp_workers):
    workers = make_idp_workers(SMS_MAX_ATTEMPTS=1000)  # the per-person limit alone
    logins = [_sms_step(workers.first) for _ in range(4)]
    calls = [
        lambda i=i, w=w: _enter(logins[i % 4][0].replace(workers.first, w), logins[i % 4][1],
                                logins[i % 4][2], _wrong(logins[i % 4][3]))
        for i, w in enumerate(workers.each(40))
    ]  # fmt: skip
    answers = in_parallel(calls)
    # SMS_MAX_WRONG (10) codes compared: nine answered «Неверный код», the tenth blocks
    assert sum("Неверный код" in a for a in answers) == 9
    assert sum("временно заблокировано" in a for a in answers) == 31
    person = requests.get(f"{workers.first}/_control/persons/1000000001", timeout=5).json()
    assert person["sms_blocked"] is True
    url, token, cookies, right = logins[0]
    assert "временно заблокировано" in _enter(url, token, cookies, right)  # even the right one


def test_identical_creates_at_once_answer_one_201_and_409s(idp_workers):
    person = {"oid": 1000000099, "last_name": "Новиков", "first_name": "Пётр", "gender": "M",
              "birth_date": "1980-01-01", "password": "Novikov-2024", "level": "confirmed",
              "mobile": "+7 999 000-11-22"}  # fmt: skip
    client = {"client_id": "twin", "client_secret": "s", "scope": "openid",
              "redirect_uris": ["http://127.0.0.1:7000/cb"]}  # fmt: skip
    for path, body in (("persons", person), ("clients", client)):
        answers = in_parallel(
            [lambda base=base, path=path, body=body: requests.post(
                f"{base}/_control/{path}", json=body, timeout=10).status_code
             for base in idp_workers.each(PARALLEL)]
        )  # fmt: skip
        assert sorted(answers) == [201] + [409] * (PARALLEL - 1)


def test_ids_beyond_the_columns_are_not_found(idp_workers):
    base = idp_workers.first
    for path in ("/_control/persons/99999999999999999999", "/rs/prns/99999999999999999999"):
        assert requests.get(base + path, timeout=5).status_code in (401, 404)
    too_big = {"oid": 10**20, "last_name": "А", "first_name": "Б", "gender": "M",
               "birth_date": "1980-01-01", "password": "x", "level": "confirmed"}  # fmt: skip
    answer = requests.post(f"{base}/_control/persons", json=too_big, timeout=5)
    assert answer.status_code == 400 and answer.json()["field"] == "oid"


def test_a_code_from_one_worker_is_redeemed_at_the_other(idp_workers):
    params = log_in(HttpBrowser(stop_at=(CALLBACK,)), idp_workers.first,
                    authorize_url(idp_workers.first))  # fmt: skip
    answer = token_request(idp_workers.urls[1], grant_type="authorization_code",
                           code=params["code"], redirect_uri=CALLBACK)  # fmt: skip
    assert answer.status_code == 200


def test_wrong_control_tokens_at_once_are_refused_after_the_limit(make_idp_workers):
    """Twenty guesses of the control token at once, from one address, on two workers: nine
    are told "wrong", the tenth blocks the address, the rest are not even checked."""
    workers = make_idp_workers(CONTROL_TOKEN="s3cret-token")

    def guess(base: str, i: int) -> int:
        headers = {"Authorization": f"Bearer guess-{i}"}
        return requests.get(f"{base}/_control/sms", headers=headers, timeout=30).status_code

    calls = [lambda base=base, i=i: guess(base, i) for i, base in enumerate(workers.each(20))]
    answers = in_parallel(calls)
    assert sorted(answers) == [401] * 9 + [429] * 11
    right = {"Authorization": "Bearer s3cret-token"}
    answer = requests.get(f"{workers.first}/_control/sms", headers=right, timeout=5)
    assert answer.status_code == 429
