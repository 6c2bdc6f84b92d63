"""Both apps live in this process, wired to each other over HTTP, for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser, Page
from gosuslugi_sandbox.harness.servers import LiveServer, free_port
from gosuslugi_sandbox.harness.sign_in import sign_in
from gosuslugi_sandbox.idp import create_app as create_idp
from gosuslugi_sandbox.relying_party import create_app as create_rp
from tests.relying_party.conftest import Sferum

PERSONS = {
    "roshchina": ("+7 965 123-45-75", "Roshchina-2024"),
    "dmitrieva": ("+7 913 222-33-44", "Dmitrieva-2024"),
    "smirnov": ("+7 916 333-44-55", "Smirnov-2024"),
    "kuznetsova": ("+7 917 444-55-66", "Kuznetsova-2024"),
}


class Stack:
    """The IdP and the RP, live, wired to each other."""

    def __init__(self, idp: LiveServer, rp: Sferum) -> None:
        self.idp = idp
        self.rp = rp

    def sms_code(self, phone: str) -> str:
        """The newest SMS code the IdP sent to that phone."""
        response = requests.get(self.idp.url + "/_control/sms", params={"phone": phone}, timeout=5)
        response.raise_for_status()
        return response.json()[0]["code"]

    def answer_idp(
        self, browser: HttpBrowser, page: Page, person: str, consent: str = "allow"
    ) -> Page:
        """Answer whatever the IdP shows (login, SMS code, consent) until the browser leaves it
        (or stops at one of browser.stop_at)."""
        login, password = PERSONS[person]
        return sign_in(browser, page, login, password, lambda: self.sms_code(login),
                       consent=consent, idp_url=self.idp.url)  # fmt: skip

    def link(self, browser: HttpBrowser, person: str) -> Page:
        """Settings → Перейти на Госуслуги → Продолжить → IdP; the RP page after the callback."""
        browser.open(self.rp.url + "/settings")
        browser.click("settings-gosuslugi-link")
        page = browser.click("gosuslugi-continue")
        assert page.url.startswith(self.idp.url), page.url
        return self.answer_idp(browser, page, person)


@contextmanager
def running_stack(
    tmp_path: Path, keys_dir: Path, protocol: str = "oidc", rp_config: dict | None = None
) -> Iterator[Stack]:
    """Start the IdP and an RP speaking `protocol` on free ports; stop both afterwards."""
    idp_port, rp_port = free_port(), free_port()
    idp_url, rp_url = f"http://127.0.0.1:{idp_port}", f"http://127.0.0.1:{rp_port}"
    idp_app = create_idp(
        {
            "INSTANCE_PATH": str(tmp_path / "idp"),
            "KEYS_DIR": str(keys_dir),
            "ISSUER": idp_url,
            "SFERUM_URL": rp_url,
            "SECRET_KEY": f"idp-e2e-{protocol}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    rp_app = create_rp(
        {
            "INSTANCE_PATH": str(tmp_path / "rp"),
            "SECRET_KEY": f"rp-e2e-{protocol}",
            "IDP_URL": idp_url,
            "PUBLIC_URL": rp_url,
            "PROTOCOL": protocol,
            **(rp_config or {}),
        }
    )
    idp = LiveServer(idp_app, idp_port).start()
    rp = LiveServer(rp_app, rp_port).start()
    try:
        yield Stack(idp, Sferum(rp_app, rp))
    finally:
        rp.stop()
        idp.stop()
        idp_app.extensions["idp"].db.dispose()
