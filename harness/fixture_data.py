"""Fixture passwords the harness types (the control APIs never reveal passwords)."""

from __future__ import annotations

from functools import lru_cache

from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.fixtures import load_fixture


def certificate_pins() -> dict[str, str]:
    """The PIN of each «Эл. подпись» test certificate, by its id (fixtures/signature)."""
    listing = load_fixture(FIXTURES_DIR / "signature" / "certificates.yaml") or {}
    return {str(c["id"]): str(c["pin"]) for c in listing.get("certificates", [])}


def fixture_passwords() -> dict[str, str]:
    """Passwords by Gosuslugi oid ("1000000001") and by Sferum user ("user:123456")."""
    return dict(_read_passwords())


@lru_cache(maxsize=1)
def _read_passwords() -> dict[str, str]:
    passwords = {
        str(p["oid"]): p["password"] for p in load_fixture(FIXTURES_DIR / "persons.yaml")["persons"]
    }
    sferum = FIXTURES_DIR / "sferum.yaml"
    if sferum.exists():
        for u in load_fixture(sferum).get("users", []):
            passwords[f"user:{u['id']}"] = u["password"]
    return passwords
