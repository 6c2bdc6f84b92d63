"""One walk through the fake Gosuslugi's login pages for an HTTP browser: password, SMS code,
consent — used by the pytest plugin and the tests alike."""

from __future__ import annotations

from collections.abc import Callable

import requests

from gosuslugi_sandbox.harness.drivers.http import HttpBrowser, Page

MAX_PAGES = 6  # login, SMS, consent and a redirect or two: more means a loop


class SignInError(AssertionError):
    """The pages did not lead back to the client (an unexpected page, or too many)."""


def outbox_code(
    idp_url: str, phone: str, headers: dict | None = None, verify: str | bool = True
) -> str:
    """The newest SMS code the IdP sent to the phone (control API)."""
    answer = requests.get(
        f"{idp_url}/_control/sms",
        params={"phone": phone, "limit": 1},
        headers=headers or {},
        timeout=5,
        verify=verify,
    )
    answer.raise_for_status()
    messages = answer.json()
    if not messages:
        raise SignInError(f"no SMS code in the outbox for {phone}")
    return messages[0]["code"]


def sign_in(
    browser: HttpBrowser,
    page: Page,
    login: str,
    password: str,
    sms_code: Callable[[], str],
    consent: str | None = "allow",
    idp_url: str | None = None,
) -> Page:
    """Answer the Gosuslugi pages from `page` on until the browser leaves them.

    It stops where the browser stops (its stop_at), on a page of another site than `idp_url`
    (when given), on the consent page when `consent` is None, or on a page showing an error
    (login-error, sms-error), which is returned for the caller to read.
    """
    for _ in range(MAX_PAGES):
        if browser.stopped_at or (idp_url and not page.url.startswith(idp_url)):
            return page
        if page.has("login-error") or page.has("sms-error"):
            return page
        if page.has("login-form"):
            fields = {"login-input": login, "password-input": password}
            page = browser.submit("login-form", fields, "login-submit")
        elif page.has("sms-form"):
            page = browser.submit("sms-form", {"sms-code-input": sms_code()}, "sms-submit")
        elif page.has("consent-form"):
            if consent is None:
                return page
            page = browser.submit("consent-form", button=f"consent-{consent}")
        else:
            raise SignInError(f"unexpected page {page.url}: {page.text()[:300]}")
    if browser.stopped_at or (idp_url and not page.url.startswith(idp_url)):
        return page
    raise SignInError("Gosuslugi did not send the browser back")
