"""The step vocabulary shared by every flow: pages, clicks, fields, expectations, the IdP's login.

Each step is a function `(ctx, arg)`; `@step("name")` registers it. Steps speak of pages and
elements by data-testid (or by the visible label, which is looked up to a data-testid).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from gosuslugi_sandbox.harness.scenarios.context import Context, StepFailure
from gosuslugi_sandbox.harness.scenarios.pages import resolve_page

STEPS: dict[str, Callable[[Context, Any], None]] = {}


def step(name: str):
    """Register a step function under a name used in scenario files."""

    def register(fn: Callable[[Context, Any], None]) -> Callable[[Context, Any], None]:
        STEPS[name] = fn
        return fn

    return register


def expect_on_page(ctx: Context, testid: str, what: str) -> None:
    """Fail unless the element is on the current page."""
    if not ctx.driver.has(testid):
        raise StepFailure(
            f"expected {what} (data-testid={testid}) on the page",
            f"{ctx.driver.url}: {ctx.driver.text()[:300]}",
        )


# ---- generic ---------------------------------------------------------------------------


@step("open")
def open_page(ctx: Context, page: str) -> None:
    """Go to a named page (see PAGES), an app path (/settings) or a full URL."""
    ctx.driver.open(resolve_page(ctx, page))


@step("click")
def click(ctx: Context, target: str) -> None:
    """Press a button or follow a link, by data-testid or visible label."""
    try:
        ctx.driver.click(str(target))
    except AssertionError as exc:
        raise StepFailure(f"could not click {target!r}", str(exc)) from exc


@step("fill")
def fill(ctx: Context, fields: dict) -> None:
    """Type into fields (by data-testid or input name); the next click submits them."""
    ctx.driver.fill({k: str(v) for k, v in fields.items()})


@step("expect_text")
def expect_text(ctx: Context, text: str) -> None:
    """The page shows this text (case-insensitive)."""
    if str(text).casefold() not in ctx.driver.text().casefold():
        raise StepFailure(f"expected the page to say {text!r}", ctx.driver.text()[:500])


@step("expect_no_text")
def expect_no_text(ctx: Context, text: str) -> None:
    """The page does not show this text."""
    if str(text).casefold() in ctx.driver.text().casefold():
        raise StepFailure(f"expected the page NOT to say {text!r}", ctx.driver.text()[:500])


@step("expect_element")
def expect_element(ctx: Context, testid: str) -> None:
    """An element with this data-testid is on the page."""
    expect_on_page(ctx, testid, testid)


@step("expect_no_element")
def expect_no_element(ctx: Context, testid: str) -> None:
    """No element with this data-testid is on the page."""
    if ctx.driver.has(testid):
        raise StepFailure(f"expected no {testid} on the page", ctx.driver.url)


@step("expect_url")
def expect_url(ctx: Context, fragment: str) -> None:
    """The current URL contains this fragment."""
    if str(fragment) not in ctx.driver.url:
        raise StepFailure(f"expected to be at a URL containing {fragment!r}", ctx.driver.url)


@step("expect_status")
def expect_status(ctx: Context, status: int) -> None:
    """The current page came with this HTTP status (HTTP driver)."""
    actual = ctx.driver.status()
    if actual is not None and actual != int(status):
        raise StepFailure(f"expected HTTP {status}", f"HTTP {actual} at {ctx.driver.url}")


@step("session")
def switch_session(ctx: Context, name: str) -> None:
    """Continue as another person in another browser (own cookies), e.g. `session: admin`."""
    ctx.session = str(name)


@step("screenshot")
def screenshot(ctx: Context, name: str) -> None:
    """Save a picture of the page (browser driver only; HTTP driver ignores it)."""
    path = ctx.driver.screenshot(str(name))
    if path:
        ctx.screenshots.append((str(name), path))


@step("set_clock")
def set_clock(ctx: Context, seconds: float) -> None:
    """Set the IdP's clock offset (seconds from real time)."""
    ctx.clock_offset = float(seconds)
    ctx.idp.set_clock(ctx.clock_offset)


@step("advance_clock")
def advance_clock(ctx: Context, seconds: float) -> None:
    """Move the IdP's clock forward by this many seconds."""
    set_clock(ctx, ctx.clock_offset + float(seconds))


@step("arm_fault")
def arm_fault(ctx: Context, spec: dict | str) -> None:
    """Make the IdP misbehave next time (see /_control/faults)."""
    spec = {"fault": spec} if isinstance(spec, str) else dict(spec)
    ctx.idp.arm_fault(**spec)


# ---- the fake Gosuslugi's pages -------------------------------------------------------


def _person(ctx: Context, oid: Any) -> dict:
    oid = oid or ctx.variables.get("person", {}).get("oid")
    if not oid:
        raise StepFailure("no Gosuslugi person named (given.gosuslugi_person or person:)")
    person = dict(ctx.idp.person(int(oid)))
    ctx.variables["person"] = person
    return person


@step("login_gosuslugi")
def login_gosuslugi(ctx: Context, arg: dict | int | None) -> None:
    """On the Gosuslugi login page, log in as a person (password from fixtures unless given)."""
    arg = {"person": arg} if isinstance(arg, int | str) else dict(arg or {})
    expect_on_page(ctx, "login-form", "the Gosuslugi login form")
    person = _person(ctx, arg.get("person"))
    login = arg.get("login") or person.get("mobile") or person.get("email")
    password = arg.get("password") or ctx.variables.get("passwords", {}).get(str(person["oid"]))
    if password is None:
        raise StepFailure(f"no password known for person {person['oid']}: give password:")
    ctx.driver.fill({"login-input": login, "password-input": password})
    ctx.driver.click("login-submit")


@step("enter_sms_code")
def enter_sms_code(ctx: Context, code: Any) -> None:
    """Type the SMS code: `from_outbox` (the real one), `wrong`, or the digits themselves."""
    expect_on_page(ctx, "sms-form", "the SMS code form")
    if code in (None, "from_outbox"):
        phone = ctx.variables.get("person", {}).get("mobile")
        if not phone:
            raise StepFailure("no phone known for the SMS code: log in with login_gosuslugi first")
        code = ctx.idp.sms_code(phone)
    elif code == "wrong":
        real = ctx.idp.sms_code(ctx.variables["person"]["mobile"])
        code = "".join(str((int(c) + 1) % 10) for c in real)
    ctx.driver.fill({"sms-code-input": str(code)})
    ctx.driver.click("sms-submit")


@step("resend_sms")
def resend_sms(ctx: Context, arg: Any = None) -> None:
    """Ask for the SMS code again.

    The page keeps «Отправить код повторно» disabled until a new code may be asked for; a
    person who waited comes back to the page (it is reopened). `resend_sms: early` presses it
    while it is still disabled — as someone with devtools would — to see the server refuse.
    """
    if arg not in (None, "early"):
        raise StepFailure(f"resend_sms takes nothing or `early`, not {arg!r}")
    expect_on_page(ctx, "sms-resend-form", "the SMS code page")
    if arg == "early":
        ctx.driver.unlock("sms-resend")
    elif not ctx.driver.is_enabled("sms-resend"):
        # the SMS page itself (after a refused resend the browser is at the resend URL)
        ctx.driver.open(urljoin(ctx.driver.url, ctx.driver.attribute("sms-form", "action") or ""))
        if not ctx.driver.is_enabled("sms-resend"):
            wait = ctx.driver.value("sms-resend-seconds")
            raise StepFailure("expected «Отправить код повторно» to be pressable", f"{wait} s left")
    ctx.driver.click("sms-resend")


@step("consent")
def consent(ctx: Context, decision: str) -> None:
    """Allow or deny the data transfer on the consent page."""
    if decision not in ("allow", "deny"):
        raise StepFailure(f"consent takes allow or deny, not {decision!r}")
    expect_on_page(ctx, "consent-form", "the consent page")
    ctx.driver.click(f"consent-{decision}")


@step("expect_report_card")
def expect_report_card(ctx: Context, arg: dict | str) -> None:
    """The IdP's report card of a client shows no failed check, and these checks passed."""
    arg = {"client": arg} if isinstance(arg, str) else dict(arg)
    card = ctx.idp.report(arg["client"])
    status = {check["id"]: check["status"] for check in card["checks"]}
    failed = [
        f"{check['id']}: {check['summary']}"
        for check in card["checks"]
        if check["status"] == "fail"
    ]
    if failed:
        raise StepFailure(f"expected {arg['client']} to fail no check", "; ".join(failed))
    for check in arg.get("pass", []):
        if status.get(check) != "pass":
            raise StepFailure(f"expected {check} to pass", f"{status.get(check, 'absent')}")
