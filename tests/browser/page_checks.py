"""What a person would notice on a page, measured in the page: overflow, English, dead controls,
and accessibility basics (labels, accessible names, lang, title, own assets, the SMS field).

`survey(page)` runs SURVEY_JS in the browser and returns what it found; `PageChecker` turns that
into problems, following every control: a link must open (GET, with this browser's cookies), a
form button must reach a route that takes its method (POST without the CSRF token: the app's
CSRF refusal proves the route exists, and nothing is changed), any other button must change
the page when pressed — or the control must be marked inactive and say why.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Proper names the seed itself writes in Latin letters, and what Russian writes so too: UTC,
# «PIN-код» (Gosuslugi's own word on its signature pages).
ALLOWED_LATIN = {"VK", "ID", "Email", "Google", "Play", "App", "Store", "AppGallery", "RuStore"}
ALLOWED_LATIN |= {"beta", "OpenID", "Connect", "UTC", "PIN"}

SURVEY_JS = """
() => {
  const vw = window.innerWidth;
  const visible = (el) => el.checkVisibility({checkOpacity: false, checkVisibilityCSS: true})
      && el.getClientRects().length > 0;
  const exempt = (el) => !!el.closest('code, pre, script, style, noscript, [lang=en], '
      + '[data-testid=dev-details]');
  const describe = (el) => `<${el.tagName.toLowerCase()} data-testid="${el.dataset.testid || ''}">`
      + ` «${(el.innerText || el.value || '').trim().slice(0, 40)}»`;
  // English words in the visible text, titles and placeholders (e-mail addresses, domains and
  // paths are not words)
  const latin = [];
  const scan = (text, where) => {
    const cleaned = text.replace(/\\S+@\\S+/g, ' ').replace(/\\b[\\w.-]+\\.(ru|com|org)\\b/g, ' ')
        .replace(/(^|\\s)\\/\\S*/g, ' ');
    for (const word of cleaned.match(/[A-Za-z][A-Za-z]*/g) || []) latin.push([word, where]);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || exempt(el) || !visible(el)) continue;
    scan(node.textContent, describe(el));
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (exempt(el) || !visible(el)) continue;
    for (const attr of ['title', 'placeholder', 'aria-label'])
      if (el.getAttribute(attr)) scan(el.getAttribute(attr), `${describe(el)} ${attr}`);
  }
  // every control a person can see
  const controls = [];
  const pressable = 'a, button, summary, [role=button], input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(pressable)) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    const note = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id)).filter((n) => n && visible(n))
        .map((n) => n.innerText.trim()).join(' ');
    const form = el.form || null;
    controls.push({
      what: describe(el), testid: el.dataset.testid || '', tag: el.tagName.toLowerCase(),
      type: (el.type || '').toLowerCase(),
      href: el.tagName === 'A' ? el.href : null, rawHref: el.getAttribute('href'),
      inactive: el.disabled === true || el.getAttribute('aria-disabled') === 'true',
      note, cursor: getComputedStyle(el).cursor,
      method: form ? (form.getAttribute('method') || 'get').toLowerCase() : null,
      // getAttribute: a field named "action" shadows form.action
      action: form ? new URL(form.getAttribute('action') || location.href, location.href).href
                   : null,
      left: rect.left, right: rect.right,
    });
  }
  // things styled as clickable that are not controls at all
  const fakes = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(pressable + ', label, input, select, textarea, option')) continue;
    if (getComputedStyle(el).cursor === 'pointer' && visible(el)) fakes.push(describe(el));
  }
  for (const el of document.querySelectorAll('[aria-disabled=true], :disabled')) {
    if (el.matches(pressable) || !visible(el) || el.matches('input, select, textarea')) continue;
    const note = document.getElementById(el.getAttribute('aria-describedby') || '');
    controls.push({what: describe(el), tag: el.tagName.toLowerCase(), type: '', href: null,
      inactive: true, note: note && visible(note) ? note.innerText.trim() : '',
      cursor: getComputedStyle(el).cursor, left: 0, right: 0});
  }
  // accessibility basics: a label for every field, a name for every control, the page's
  // language and title, no asset from another host
  const access = [];
  const text = (el) => (el.innerText || el.textContent || '').trim();
  const named = (el) => `<${el.tagName.toLowerCase()} data-testid="${el.dataset.testid || ''}"`
      + ` name="${el.getAttribute('name') || ''}">`;
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    if (!((label && text(label)) || (el.getAttribute('aria-label') || '').trim()
          || el.getAttribute('aria-labelledby')))
      access.push(`field without a label: ${named(el)}`);
  }
  for (const el of document.querySelectorAll(pressable)) {
    if (!(el.getAttribute('aria-label') || text(el) || el.value || el.title || '').trim())
      access.push(`no accessible name: ${named(el)}`);
  }
  if (!document.documentElement.lang) access.push('no <html lang>');
  if (!document.title.trim()) access.push('no <title>');
  for (const el of document.querySelectorAll('link[href], script[src], img[src]')) {
    const url = new URL(el.getAttribute('href') || el.getAttribute('src'), location.href);
    if (url.host !== location.host) access.push(`external asset: ${url}`);
  }
  const sms = document.querySelector('[data-testid=sms-code-input]');
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                        return {left: r.left, right: r.right}; };
  const q = (sel) => document.querySelector(sel);
  const layoutRoot = q('[data-testid=auth-layout]')
      ? q('[data-testid=auth-layout]').firstElementChild : q('main');
  return {
    overflow: document.documentElement.scrollWidth - vw, vw, latin, controls, fakes, access,
    smsField: sms && [sms.getAttribute('autocomplete'), sms.getAttribute('inputmode')],
    sferumSignedIn: !!(q('[data-testid=header]') && q('[data-testid=menu]')),
    sferumSignedOut: !!q('[data-testid=auth-layout]'),
    gosuslugi: !!(q('[data-testid=home-link]') && q('main')),
    content: box(q('[data-testid=auth-layout] > :not(.flash)') || layoutRoot),
    settings: box(q('[data-testid=menu-settings]')),
    settingsVisible: !!q('[data-testid=menu-settings]')
        && visible(q('[data-testid=menu-settings]')),
  };
}
"""


def survey(page) -> dict:
    """What the current page shows (see SURVEY_JS)."""
    return page.evaluate(SURVEY_JS)


class PageChecker:
    """Checks pages of one browser context; remembers which targets it has already tried."""

    def __init__(self, context, playwright, origins: dict[str, str]) -> None:
        self.context = context
        self.playwright = playwright
        self.origins = origins  # origin -> "sferum" | "gosuslugi"
        self._tried: dict[tuple, str | None] = {}
        self._requesters: dict[tuple, object] = {}
        self._cookies: tuple = ()  # the browser's, read once per check (a round trip each)

    def check(self, page) -> list[str]:
        """Every problem on the page, one line each."""
        found = survey(page)
        # nothing below changes them: links are tried from a copy, summaries only toggle
        self._cookies = tuple(sorted((c["name"], c["value"]) for c in self.context.cookies()))
        problems = self._layout(page.url, found)
        if found["overflow"] > 1:
            problems.append(f"wider than the screen by {found['overflow']}px (sideways scrolling)")
        english: dict[str, list[str]] = {}
        for word, where in found["latin"]:
            if word not in ALLOWED_LATIN:
                english.setdefault(where, []).append(word)
        problems += [f"English {' '.join(words)!r} in {where}" for where, words in english.items()]
        problems += [f"looks clickable but is no control: {f}" for f in found["fakes"]]
        problems += found["access"]
        if found["smsField"] not in (None, ["one-time-code", "numeric"]):
            # phones offer the code from the SMS and a digit keyboard only with these two
            problems.append(f"the SMS code field has autocomplete/inputmode {found['smsField']}")
        for control in found["controls"]:
            problems += self._control(page, control, found["vw"])
        return problems

    def _layout(self, url: str, found: dict) -> list[str]:
        app = self.origins.get(_origin(url))
        if app == "sferum" and found["sferumSignedIn"]:
            if not found["settingsVisible"] or not _on_screen(found["settings"], found["vw"]):
                return ["«Настройки» is not on the screen"]
            return []
        centred_layout = (app == "sferum" and found["sferumSignedOut"]) or (
            app == "gosuslugi" and found["gosuslugi"]
        )
        if centred_layout:
            box = found["content"]
            off_centre = abs(box["left"] - (found["vw"] - box["right"])) if box else None
            if off_centre is None or off_centre > 2:
                return [f"the page is not centred in the site's layout (off by {off_centre}px)"]
            return []
        return [f"no layout of the site ({app or 'unknown app'})"]

    def _control(self, page, control: dict, vw: int) -> list[str]:
        what = control["what"]
        problems = []
        if control["tag"] != "summary" and not _on_screen(control, vw):
            problems.append(f"{what} is off the screen sideways")
        if control["inactive"]:
            if not control["note"]:
                problems.append(f"{what} is inactive without a visible note saying why")
            if control["cursor"] == "pointer":
                problems.append(f"{what} is inactive but has a pointing-hand cursor")
            return problems
        if not control["testid"]:
            problems.append(f"{what} has no data-testid")
        outcome = self._works(page, control)
        if outcome:
            problems.append(f"{what}: {outcome}")
        return problems

    def _works(self, page, control: dict) -> str | None:
        """None when pressing the control leads somewhere real, else what is wrong."""
        if control["tag"] == "a":
            href = control["href"] or ""
            if href.startswith("mailto:"):
                return None
            if not control["rawHref"] or control["rawHref"].startswith(("#", "javascript:")):
                return "a link that goes nowhere"
            return self._try(("GET", href), lambda: self._get(href))
        if control["tag"] == "summary":
            return self._toggles(page, control)
        if control["type"] == "submit" and control["action"]:
            key = (control["method"], control["action"])
            if control["method"] == "post":
                return self._try(key, lambda: self._post_without_csrf(control["action"]))
            return self._try(key, lambda: self._get(control["action"]))
        return "a button that does nothing (neither a link, nor a form button, nor marked inactive)"

    def _try(self, key: tuple, attempt) -> str | None:
        cookies = self._cookies
        if (key, cookies) not in self._tried:
            self._tried[(key, cookies)] = attempt()
        return self._tried[(key, cookies)]

    def _requests(self):
        """Requests with a copy of this browser's cookies: trying a link changes nothing here."""
        cookies = self._cookies
        if cookies not in self._requesters:
            state = self.context.storage_state()
            self._requesters[cookies] = self.playwright.request.new_context(storage_state=state)
        return self._requesters[cookies]

    def close(self) -> None:
        """Release the request contexts."""
        for requester in self._requesters.values():
            requester.dispose()
        self._requesters.clear()

    def _get(self, url: str) -> str | None:
        response = self._requests().get(url, max_redirects=10)
        return None if response.status < 400 else f"the link answers HTTP {response.status}"

    def _post_without_csrf(self, action: str) -> str | None:
        response = self._requests().post(action, form={}, max_redirects=0)
        text = response.text()
        if response.status == 400 and 'data-testid="error-code">csrf' in text:
            return None  # the route exists, takes POST, and refused only the missing token
        return f"its form posts to {action}, which answers HTTP {response.status}"

    @staticmethod
    def _toggles(page, control: dict) -> str | None:
        summary = page.locator(f'summary[data-testid="{control["testid"]}"]').first
        is_open = "el => el.parentElement.open"
        before = summary.evaluate(is_open)
        summary.click()
        after = summary.evaluate(is_open)
        summary.click()
        return None if before != after else "a summary that opens nothing"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _on_screen(box: dict | None, vw: int) -> bool:
    return bool(box) and box["left"] >= -1 and box["right"] <= vw + 1
