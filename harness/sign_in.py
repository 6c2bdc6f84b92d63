"""One walk through the fake Gosuslugi's login pages for an HTTP browser: password, SMS code,
consent — used by the pytest plugin and the tests alike (SMS codes: GosuslugiControl.sms_code)."""

from __future__ import annotations

from collections.abc import Callable

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser, Page

MAX_PAGES = 6  # login, SMS, consent and a redirect or two: more means a loop


class SignInError(AssertionError):
    """The pages did not lead back to the client (an unexpected page, or too many)."""


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
    for _ in range(MAX_PAGES + 1):  # the last turn only looks where the browser ended
        left = browser.stopped_at or (idp_url and not page.url.startswith(idp_url))
        if left or page.has("login-error") or page.has("sms-error"):
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
    raise SignInError("Gosuslugi did not send the browser back")
