"""A walk through every page of both apps, as people reach them, checking each page on arrival."""

from __future__ import annotations

from pathlib import Path

from tests.browser.page_checks import PageChecker

ROSHCHINA = ("+7 911 111-11-11", "Roshchina-Sferum1")  # teacher, Gosuslugi person 1000000001
DMITRIEVA = ("+7 913 222-33-44", "Dmitrieva-Sferum1")  # administrator of school 2
VOLKOV = ("volkov@example.ru", "Volkov-Sferum1")  # no school yet
PERSON = {"login": "+7 965 123-45-75", "password": "Roshchina-2024", "phone": "+79651234575"}


class Tour:
    """One person's browser on a stand; `look` checks the page it is on under a name, at every
    viewport (the page is resized in place: one walk, its flows and link checks done once)."""

    def __init__(
        self,
        playwright,
        browser,
        stand,
        viewports: list[tuple[int, int]],
        shots: Path | None = None,
    ) -> None:
        self.viewports = viewports
        width, height = viewports[0]
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="ru-RU"
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.stand = stand
        self.rp, self.idp = stand.rp_url(), stand.idp_url
        self.checker = PageChecker(
            self.context, playwright, {self.rp: "sferum", self.idp: "gosuslugi"}
        )
        self.shots = shots
        self.pages: dict[str, list[str]] = {}

    def look(self, name: str) -> None:
        """Check the current page and remember what is wrong with it."""
        assert name not in self.pages, f"two pages named {name}"
        self.pages[name] = []
        for width, height in self.viewports:
            if len(self.viewports) > 1:
                self.page.set_viewport_size({"width": width, "height": height})
            found = self.checker.check(self.page)
            self.pages[name] += [f"{width}x{height}: {problem}" for problem in found]
            if self.shots is not None:
                shot = self.shots / f"{width}x{height}" / f"{len(self.pages):02d}-{name}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                self.page.screenshot(path=str(shot), full_page=True)
        if len(self.viewports) > 1:
            width, height = self.viewports[0]
            self.page.set_viewport_size({"width": width, "height": height})

    def go(self, url: str, name: str | None = None) -> None:
        """Open a URL (an app path of the fake Sferum, or a full URL)."""
        self.page.goto(url if url.startswith("http") else self.rp + url)
        if name:
            self.look(name)

    def press(self, testid: str, name: str | None = None) -> None:
        """Press a link or a form button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(f'[data-testid="{testid}"]')
        if name:
            self.look(name)

    def type(self, **fields: str) -> None:
        """Type into fields by data-testid (underscores for dashes)."""
        for testid, value in fields.items():
            self.page.fill(f'[data-testid="{testid.replace("_", "-")}"]', value)

    def sferum_login(self, who: tuple[str, str]) -> None:
        self.go("/login")
        self.type(login_input=who[0])
        self.press("login-continue")
        self.type(password_input=who[1])
        self.press("password-submit")

    def sferum_logout(self) -> None:
        self.press("logout-button")

    def sms_code(self) -> str:
        return self.stand.idp.sms_code(PERSON["phone"])

    def close(self) -> None:
        self.checker.close()
        self.context.close()


def walk(tour: Tour) -> None:
    """Every page: signed out, at Gosuslugi, as a teacher who links and unlinks, as admins."""
    signed_out(tour)
    at_gosuslugi(tour)
    teacher(tour)
    linking(tour)
    administrator(tour)
    without_school(tour)


def signed_out(t: Tour) -> None:
    t.go("/login", "sferum-login")
    for topic in ("transferred-data", "vk-id", "privacy", "terms", "help"):
        t.go(f"/about/{topic}", f"sferum-about-{topic}")
    t.go("/login")
    t.type(login_input=ROSHCHINA[0])
    t.press("login-continue", "sferum-password")
    t.type(password_input="wrong-password")
    t.press("password-submit", "sferum-password-wrong")
    t.press("forgot-password", "sferum-forgot")
    t.press("forgot-submit", "sferum-reset")
    t.go("/no-such-page", "sferum-not-found")
    t.go("/gosuslugi/callback?state=stale", "sferum-stale-callback")


def at_gosuslugi(t: Tour) -> None:
    t.go("/login")
    t.press("gosuslugi-login-button", "gosuslugi-login")
    login_url = t.page.url
    t.press("login-help", "gosuslugi-help")
    t.press("help-restore", "gosuslugi-recovery")
    t.type(recovery_login_input="volkov.igor@example.ru")  # not a login the walk uses later
    t.press("recovery-submit", "gosuslugi-recovery-code")
    t.type(recovery_code_input="000000", recovery_password_input="weak")
    t.press("recovery-code-submit", "gosuslugi-recovery-code-rejected")
    code = t.stand.idp.email_code("volkov.igor@example.ru")
    t.type(recovery_code_input=code, recovery_password_input="Volkov-2025!")
    t.type(recovery_password_repeat_input="Volkov-2025!")
    t.press("recovery-code-submit", "gosuslugi-recovery-done")
    t.go(login_url)
    t.press("login-signature", "gosuslugi-signature")
    t.press("signature-choose-roshchina-expired", "gosuslugi-signature-pin")
    t.type(signature_pin_input="00000000")
    t.press("signature-pin-submit", "gosuslugi-signature-wrong-pin")
    t.go(login_url)
    t.type(login_input=PERSON["login"], password_input="wrong-password")
    t.press("login-submit", "gosuslugi-login-wrong")
    t.type(login_input=PERSON["login"], password_input=PERSON["password"])
    t.press("login-submit", "gosuslugi-sms")
    t.type(sms_code_input="000000" if t.sms_code() != "000000" else "111111")
    t.press("sms-submit", "gosuslugi-sms-wrong")
    t.type(sms_code_input=t.sms_code())
    t.press("sms-submit", "gosuslugi-consent")
    t.press("consent-allow", "sferum-refused-not-linked")
    t.go(t.idp + "/", "gosuslugi-landing")
    t.go(t.idp + "/cabinet", "gosuslugi-cabinet")
    t.go(t.idp + "/_control/sms/inbox", "gosuslugi-sms-inbox")
    t.go(t.idp + "/_control/email/inbox", "gosuslugi-email-inbox")
    t.go(t.idp + "/_control/report", "gosuslugi-report-card")
    t.go(t.idp + "/login?interaction=stale", "gosuslugi-error")
    t.go(t.idp + "/login/help", "gosuslugi-help-alone")
    t.go(t.idp + "/cabinet")
    t.press("cabinet-logout", "gosuslugi-landing-after-logout")
    t.go(t.idp + "/logout", "gosuslugi-logged-out")


def teacher(t: Tour) -> None:
    t.sferum_login(ROSHCHINA)
    t.look("sferum-home")
    t.go("/settings", "sferum-settings")
    t.type(settings_contact_phone="12345", settings_birth_date="31.02.1990")
    t.press("settings-save", "sferum-settings-rejected")
    t.go("/settings/security", "sferum-security")
    t.go("/profile/123456", "sferum-profile-own")
    t.go("/profile/123457", "sferum-profile-other")
    t.go("/schools/1/members", "sferum-members")
    t.go("/schools/1/classes", "sferum-classes")
    t.go("/schools", "sferum-schools")
    t.go("/invite/sosh1029-teachers", "sferum-invite")
    for topic in ("privacy", "help"):
        t.go(f"/about/{topic}", f"sferum-about-{topic}-signed-in")
    t.go("/login/forgot", "sferum-forgot-signed-in")
    t.go("/no-such-page", "sferum-not-found-signed-in")


def linking(t: Tour) -> None:
    t.go("/gosuslugi/link", "sferum-link-intro")
    t.press("gosuslugi-continue")
    if t.page.url.startswith(t.idp + "/login?"):
        t.type(login_input=PERSON["login"], password_input=PERSON["password"])
        t.press("login-submit")
        t.type(sms_code_input=t.sms_code())
        t.press("sms-submit")
    if t.page.url.startswith(t.idp):
        t.press("consent-allow")
    t.look("sferum-link-identity")
    t.press("gosuslugi-link-button", "sferum-vkid-password")
    t.type(gosuslugi_password_input="wrong-password")
    t.press("gosuslugi-password-submit", "sferum-vkid-password-wrong")
    t.type(gosuslugi_password_input=ROSHCHINA[1])
    t.press("gosuslugi-password-submit", "sferum-sync")
    t.press("sync-submit", "sferum-settings-verified")
    t.go("/", "sferum-home-verified")
    t.go("/profile/123456", "sferum-profile-own-verified")
    t.go("/gosuslugi/link", "sferum-refused-profile-linked")
    t.go("/settings/security", "sferum-security-verified")
    t.press("security-gosuslugi-menu", "sferum-security-menu")
    t.press("security-gosuslugi-disable", "sferum-unlink-confirm")
    t.press("unlink-confirm", "sferum-unlinked")
    t.sferum_logout()


def administrator(t: Tour) -> None:
    t.sferum_login(DMITRIEVA)
    t.look("sferum-home-administrator")
    t.go("/schools/2/requests", "sferum-requests")
    t.go("/schools/2/invites", "sferum-invites")
    t.go("/schools/2/members", "sferum-members-administrator")
    t.sferum_logout()


def without_school(t: Tour) -> None:
    t.sferum_login(VOLKOV)
    t.look("sferum-home-without-school")
    t.go("/profile/123462", "sferum-profile-without-school")
    t.sferum_logout()
