"""Steps in the fake Sferum's words: VK ID login, the five linking steps, sync, mark, unlink.

Just over 300 lines: the app's whole vocabulary (twenty steps) in one place, as QA read it
next to docs/sferum-testids.md.
"""

from __future__ import annotations

from typing import Any

from gosuslugi_sandbox.harness.scenarios.context import Context, StepFailure
from gosuslugi_sandbox.harness.scenarios.pages import resolve_page
from gosuslugi_sandbox.harness.scenarios.steps import (
    consent,
    enter_sms_code,
    expect_on_page,
    login_gosuslugi,
    step,
)

# `expect: NAME` — what each name means on the page.
EXPECTATIONS = {
    "verified_mark": ("verified-mark", True),
    "no_verified_mark": ("verified-mark", False),
    "linked": ("settings-locked-message", True),
    "locked_fields": ("settings-locked-message", True),
    "banner": ("gosuslugi-banner", True),
    "no_banner": ("gosuslugi-banner", False),
    "sync_table": ("sync-table", True),
    "no_sync_table": ("sync-table", False),
    "gosuslugi_identity": ("gosuslugi-identity", True),
    "vkid_password_page": ("gosuslugi-password-form", True),
    "gosuslugi_login_page": ("login-form", True),
    "sms_page": ("sms-form", True),
    "consent_page": ("consent-form", True),
    "signature_page": ("signature-certificates", True),
    "signature_error": ("signature-error", True),
    "recovery_done": ("recovery-done", True),
}


def _user(ctx: Context, ref: Any = None) -> dict:
    if ref in (None, "", "me"):
        user = ctx.variables.get("user")
        if not user:
            raise StepFailure("no Sferum user named (given.sferum_user or user:)")
        return user
    user = dict(ctx.rp.user(int(ref)))
    user["password"] = ctx.variables.get("passwords", {}).get(f"user:{user['id']}")
    return user


@step("login_sferum")
def login_sferum(ctx: Context, arg: dict | int | None) -> None:
    """Log into Sferum as VK ID does: login → Продолжить → password."""
    arg = {"user": arg} if isinstance(arg, int | str) else dict(arg or {})
    user = _user(ctx, arg.get("user"))
    if arg.get("user") not in (None, "", "me"):
        ctx.variables.setdefault("users", {})[str(user["id"])] = user
    password = arg.get("password") or user.get("password")
    ctx.driver.open(resolve_page(ctx, "sferum_login"))
    ctx.driver.fill({"login-input": arg.get("login") or user.get("phone") or user.get("email")})
    ctx.driver.click("login-continue")
    ctx.driver.fill({"password-input": password})
    ctx.driver.click("password-submit")
    if arg.get("expect_failure"):
        return
    if not ctx.driver.has("logout-button"):
        raise StepFailure(
            f"expected to be logged into Sferum as user {user['id']}", ctx.driver.text()[:300]
        )


@step("logout")
def logout(ctx: Context, _arg: Any = None) -> None:
    """Log out of Sferum (the button in the header)."""
    if not ctx.driver.has("logout-button"):
        ctx.driver.open(resolve_page(ctx, "main"))
    ctx.driver.click("logout-button")


@step("start_link")
def start_link(ctx: Context, _arg: Any = None) -> None:
    """Settings → Перейти на Госуслуги → Продолжить: the browser arrives at Gosuslugi."""
    ctx.driver.open(resolve_page(ctx, "settings"))
    ctx.driver.click("settings-gosuslugi-link")
    ctx.driver.click("gosuslugi-continue")


@step("through_gosuslugi")
def through_gosuslugi(ctx: Context, arg: dict | int | None) -> None:
    """Answer whatever Gosuslugi shows (login, SMS code, consent) until back at Sferum."""
    arg = {"person": arg} if isinstance(arg, int | str) else dict(arg or {})
    for _ in range(5):
        if not ctx.driver.url.startswith(ctx.idp_url):
            return
        if ctx.driver.has("login-form"):
            login_gosuslugi(ctx, arg)
        elif ctx.driver.has("sms-form"):
            enter_sms_code(ctx, "from_outbox")
        elif ctx.driver.has("consent-form"):
            consent(ctx, arg.get("consent", "allow"))
        else:
            raise StepFailure("an unexpected Gosuslugi page", ctx.driver.text()[:300])
    raise StepFailure("Gosuslugi did not send the browser back to Sferum")


@step("enter_vkid_password")
def enter_vkid_password(ctx: Context, password: str | None) -> None:
    """Step 5: re-enter the VK ID password (the scenario user's own unless given)."""
    expect_on_page(ctx, "gosuslugi-password-form", "the VK ID password page")
    password = password or ctx.variables.get("user", {}).get("password")
    ctx.driver.fill({"gosuslugi-password-input": password})
    ctx.driver.click("gosuslugi-password-submit")


@step("expect_mismatch")
def expect_mismatch(ctx: Context, fields: dict) -> None:
    """The sync table shows these fields differing: {field: [Sferum value, Gosuslugi value]}."""
    expect_on_page(ctx, "sync-table", "the table of mismatched data")
    for name, (sferum_value, gosuslugi_value) in fields.items():
        if ctx.driver.attribute(f"sync-row-{name}", "data-differs") != "true":
            raise StepFailure(f"expected {name} to differ in the sync table", ctx.driver.text())
        seen = (ctx.driver.value(f"sync-sferum-{name}"), ctx.driver.value(f"sync-gosuslugi-{name}"))
        if seen != (str(sferum_value), str(gosuslugi_value)):
            raise StepFailure(
                f"expected {name}: Сферум {sferum_value!r}, Госуслуги {gosuslugi_value!r}",
                f"Сферум {seen[0]!r}, Госуслуги {seen[1]!r}",
            )


@step("expect")
def expect(ctx: Context, what: str) -> None:
    """A named expectation (see EXPECTATIONS), `refused`, `saved` or `error: CODE`."""
    what = str(what)
    if what == "refused":
        status = ctx.driver.status()
        if not (ctx.driver.has("settings-error") or (status is not None and status >= 400)):
            raise StepFailure("expected the change to be refused", ctx.driver.text()[:300])
        return
    if what == "saved":
        if "Изменения сохранены" not in (ctx.driver.value("flash-message") or ""):
            raise StepFailure("expected «Изменения сохранены»", ctx.driver.text()[:300])
        return
    if what not in EXPECTATIONS:
        raise StepFailure(f"unknown expectation {what!r}; known: {', '.join(EXPECTATIONS)}")
    testid, present = EXPECTATIONS[what]
    if ctx.driver.has(testid) != present:
        raise StepFailure(
            f"expected {what} ({testid} {'shown' if present else 'absent'})",
            f"{ctx.driver.url}: {ctx.driver.text()[:300]}",
        )


@step("expect_error")
def expect_error(ctx: Context, code: str) -> None:
    """The page is a refusal with this error code (data-testid=error-code, data-code=CODE).

    The code sits in the collapsed «Подробности для разработчиков», so it is read from the
    attribute (a browser does not show the text of a closed block).
    """
    actual = ctx.driver.attribute("error-code", "data-code") or ctx.driver.value("error-code")
    if actual != str(code):
        raise StepFailure(
            f"expected a refusal with code {code!r}", f"{actual!r}: {ctx.driver.text()[:300]}"
        )


@step("submit_profile")
def submit_profile(ctx: Context, fields: dict) -> None:
    """Settings → change fields → Сохранить (read-only ones are sent anyway, as a forger would)."""
    ctx.driver.open(resolve_page(ctx, "settings"))
    ctx.driver.fill({f"settings-{k.replace('_', '-')}": v for k, v in fields.items()})
    ctx.driver.click("settings-save")


@step("expect_profile")
def expect_profile(ctx: Context, fields: dict) -> None:
    """The user's stored profile (control API) has these values."""
    user = ctx.rp.user(int(fields.pop("user", None) or ctx.variables["user"]["id"]))
    for name, value in fields.items():
        if str(user.get(name)) != str(value):
            raise StepFailure(f"expected {name} = {value!r} in the profile", f"{user.get(name)!r}")


@step("unlink")
def unlink(ctx: Context, _arg: Any = None) -> None:
    """Settings → Отвяжите профиль → Безопасность → ⋯ → Отключить → confirm."""
    ctx.driver.open(resolve_page(ctx, "settings"))
    ctx.driver.click("settings-unlink-link")
    ctx.driver.click("security-gosuslugi-menu")
    ctx.driver.click("security-gosuslugi-disable")
    ctx.driver.click("unlink-confirm")


@step("expect_events")
def expect_events(ctx: Context, kinds: list[str]) -> None:
    """The RP's event log has exactly these kinds among link/sync/unlink/login, in order."""
    wanted = {"link", "sync", "unlink", "login"}
    seen = [e["kind"] for e in ctx.rp.events() if e["kind"] in wanted]
    if seen != list(kinds):
        raise StepFailure(f"expected events {kinds}", str(seen))


# ---- schools: join requests, invite links, members -------------------------------------


@step("apply_to_school")
def apply_to_school(ctx: Context, school_id: int) -> None:
    """Организации → «Подать заявку» to a school."""
    ctx.driver.open(resolve_page(ctx, "schools"))
    ctx.driver.click(f"school-apply-{school_id}")


@step("open_invite")
def open_invite(ctx: Context, token: str) -> None:
    """Open an invite link and join by it."""
    ctx.driver.open(f"{ctx.rp_url}/invite/{token}")
    ctx.driver.click("invite-join")


def _request_of(ctx: Context, school: int, applicant: str) -> str:
    ctx.driver.open(resolve_page(ctx, f"requests: {school}"))
    for testid in ctx.driver.testids("request-applicant-"):
        request_id = testid.removeprefix("request-applicant-")
        if applicant.casefold() in (ctx.driver.value(testid) or "").casefold():
            return request_id
    raise StepFailure(
        f"no join request from {applicant!r}", ctx.driver.value("requests-list") or ""
    )


@step("expect_request")
def expect_request(ctx: Context, arg: dict) -> None:
    """Заявки (administrator): a request from `applicant`, `verified` or not, `via` invite."""
    request_id = _request_of(ctx, int(arg["school"]), str(arg["applicant"]))
    if "verified" in arg:
        marked = ctx.driver.has_within(f"request-{request_id}", "verified-mark")
        if marked != bool(arg["verified"]):
            raise StepFailure(
                f"expected the request of {arg['applicant']} "
                f"{'with' if arg['verified'] else 'without'} the verification mark",
                ctx.driver.value(f"request-{request_id}") or "",
            )
    if arg.get("via") == "invite" and "приглашению" not in (
        ctx.driver.value(f"request-{request_id}") or ""
    ):
        raise StepFailure("expected the request to come from an invite link")


@step("accept_request")
def accept_request(ctx: Context, arg: dict) -> None:
    """Заявки (administrator): accept the request of `applicant`."""
    ctx.driver.click(f"request-accept-{_request_of(ctx, int(arg['school']), arg['applicant'])}")


@step("decline_request")
def decline_request(ctx: Context, arg: dict) -> None:
    """Заявки (administrator): decline the request of `applicant`."""
    ctx.driver.click(f"request-decline-{_request_of(ctx, int(arg['school']), arg['applicant'])}")


@step("expect_member_verified")
def expect_member_verified(ctx: Context, arg: dict) -> None:
    """Участники: the member `user` carries the mark (or not, with verified: false)."""
    ctx.driver.open(resolve_page(ctx, f"members: {arg['school']}"))
    wanted = bool(arg.get("verified", True))
    if ctx.driver.has_within(f"member-{arg['user']}", "verified-mark") != wanted:
        raise StepFailure(
            f"expected member {arg['user']} {'with' if wanted else 'without'} the mark",
            ctx.driver.value(f"member-{arg['user']}") or "not a member",
        )


@step("expect_profile_verified")
def expect_profile_verified(ctx: Context, arg: int | dict) -> None:
    """A public profile shows the mark next to the name (verified: false → no mark)."""
    arg = {"user": arg} if isinstance(arg, int | str) else dict(arg)
    ctx.driver.open(resolve_page(ctx, f"profile: {arg['user']}"))
    wanted = bool(arg.get("verified", True))
    if ctx.driver.has_within("profile-name", "verified-mark") != wanted:
        raise StepFailure(
            f"expected profile {arg['user']} {'with' if wanted else 'without'} the mark",
            ctx.driver.value("profile-name") or "",
        )


@step("reset_sferum_password")
def reset_sferum_password(ctx: Context, arg: dict | None) -> None:
    """«Забыли пароль»: ask for a code, read it from the RP's outbox, set a new password."""
    arg = dict(arg or {})
    user = ctx.variables.get("user", {})
    login = arg.get("login") or user.get("phone") or user.get("email")
    if not ctx.driver.has("forgot-form"):
        ctx.driver.open(f"{ctx.rp_url}/login/forgot")
    ctx.driver.fill({"forgot-login-input": login})
    ctx.driver.click("forgot-submit")
    messages = ctx.rp.outbox(login)
    if not messages:
        raise StepFailure(f"no reset code in the outbox for {login}")
    ctx.driver.fill(
        {"reset-code-input": messages[0]["code"], "reset-password-input": arg["new_password"]}
    )
    ctx.driver.click("reset-submit")
    if user:
        user["password"] = arg["new_password"]
