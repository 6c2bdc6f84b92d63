"""Named pages a scenario can `open:` — the words QA use, mapped to the apps' URLs."""

from __future__ import annotations

from gosuslugi_sandbox.harness.scenarios.context import Context, StepFailure

# name -> (app, path); {me} is the scenario user's id, {arg} the part after "name:".
PAGES = {
    "sferum_login": ("rp", "/login"),
    "main": ("rp", "/"),
    "home": ("rp", "/"),
    "settings": ("rp", "/settings"),
    "security": ("rp", "/settings/security"),
    "link": ("rp", "/gosuslugi/link"),
    "schools": ("rp", "/schools"),
    "my_profile": ("rp", "/profile/{me}"),
    "profile": ("rp", "/profile/{arg}"),
    "members": ("rp", "/schools/{arg}/members"),
    "requests": ("rp", "/schools/{arg}/requests"),
    "invites": ("rp", "/schools/{arg}/invites"),
    "classes": ("rp", "/schools/{arg}/classes"),
    "gosuslugi": ("idp", "/"),
    "sms_inbox": ("idp", "/_control/sms/inbox"),
}


def resolve_page(ctx: Context, page: str) -> str:
    """A full URL for a page name (`settings`, `profile: 123456`), an app path or a URL."""
    page = str(page).strip()
    if page.startswith(("http://", "https://")):
        return page
    if page.startswith("/"):
        return ctx.rp_url + page
    name, _, arg = (part.strip() for part in page.partition(":"))
    if name not in PAGES:
        raise StepFailure(f"unknown page {name!r}; known pages: {', '.join(sorted(PAGES))}")
    app, path = PAGES[name]
    if "{arg}" in path and not arg:
        raise StepFailure(f"page {name!r} needs an argument, e.g. `{name}: 1`")
    me = ctx.variables.get("user", {}).get("id", "")
    base = ctx.rp_url if app == "rp" else ctx.idp_url
    return base + path.format(arg=arg, me=me)
