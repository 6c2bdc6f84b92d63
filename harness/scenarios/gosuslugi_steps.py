"""Steps at the fake Gosuslugi beyond the password: «Эл. подпись» and «Восстановить»."""

from __future__ import annotations

from typing import Any

from gosuslugi_sandbox.harness.fixture_data import certificate_pins
from gosuslugi_sandbox.harness.scenarios.context import Context, StepFailure
from gosuslugi_sandbox.harness.scenarios.steps import _person, expect_on_page, step


def _wrong(value: str) -> str:
    return "".join(str((int(c) + 1) % 10) if c.isdigit() else "0" for c in value) or "0000"


@step("login_by_signature")
def login_by_signature(ctx: Context, arg: dict | str) -> None:
    """«Эл. подпись» from the Gosuslugi login page: choose a certificate, enter its PIN.

    `login_by_signature: roshchina` or `{certificate: roshchina-expired, pin: wrong}`; the PIN
    is the fixture's (fixtures/signature/certificates.yaml) unless given.
    """
    arg = {"certificate": arg} if isinstance(arg, str) else dict(arg)
    certificate = str(arg["certificate"])
    if ctx.driver.has("login-signature"):
        ctx.driver.click("login-signature")
    expect_on_page(ctx, "signature-certificates", "the certificates of «Эл. подпись»")
    ctx.driver.click(f"signature-choose-{certificate}")
    pin = arg.get("pin")
    known = certificate_pins().get(certificate)
    if pin in (None, "wrong"):
        if known is None:
            raise StepFailure(f"no PIN known for certificate {certificate!r}: give pin:")
        pin = _wrong(known) if pin == "wrong" else known
    ctx.driver.fill({"signature-pin-input": str(pin)})
    ctx.driver.click("signature-pin-submit")


@step("request_recovery_code")
def request_recovery_code(ctx: Context, arg: dict | None) -> None:
    """«Восстановить»: name the account by `phone`, `email` or `snils` (the person's own)."""
    arg = dict(arg or {})
    by = arg.get("by", "phone")
    if by not in ("phone", "email", "snils"):
        raise StepFailure(f"request_recovery_code by phone, email or snils, not {by!r}")
    if ctx.driver.has("login-restore"):
        ctx.driver.click("login-restore")
    expect_on_page(ctx, "recovery-form", "the password recovery page")
    person = _person(ctx, arg.get("person"))
    login = arg.get("login") or {"phone": person.get("mobile"), "email": person.get("email"),
                                 "snils": person.get("snils")}[by]  # fmt: skip
    if not login:
        raise StepFailure(f"person {person['oid']} has no {by}")
    ctx.variables["recovery_by"] = by
    ctx.driver.fill({"recovery-login-input": str(login)})
    ctx.driver.click("recovery-submit")


def _outbox_code(ctx: Context) -> str:
    person = ctx.variables.get("person") or {}
    by = ctx.variables.get("recovery_by", "phone")
    if by == "email" or not person.get("mobile"):
        return ctx.idp.email_code(person["email"])
    return ctx.idp.sms_code(person["mobile"])


@step("enter_recovery_code")
def enter_recovery_code(ctx: Context, arg: dict | None) -> None:
    """The code (`from_outbox`, `wrong` or digits) and a new `password`, typed twice.

    The new password is remembered: later `login_gosuslugi` steps type it.
    """
    arg: dict[str, Any] = dict(arg or {})
    expect_on_page(ctx, "recovery-code-form", "the new password page")
    code = arg.get("code", "from_outbox")
    if code in ("from_outbox", "wrong"):
        real = _outbox_code(ctx)
        code = _wrong(real) if code == "wrong" else real
    password = str(arg.get("password", "Sandbox-2025!"))
    ctx.driver.fill(
        {
            "recovery-code-input": str(code),
            "recovery-password-input": password,
            "recovery-password-repeat-input": str(arg.get("repeat", password)),
        }
    )
    ctx.driver.click("recovery-code-submit")
    if ctx.driver.has("recovery-done"):
        oid = str(ctx.variables.get("person", {}).get("oid"))
        ctx.variables.setdefault("passwords", {})[oid] = password
