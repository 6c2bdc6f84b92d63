"""Claims about a person by scope (ID token and userinfo), as docs/contract.md lists them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.shared.formats import format_snils

SCOPES_SUPPORTED = [
    "openid",
    "profile",
    "fullname",
    "birthdate",
    "gender",
    "snils",
    "email",
    "mobile",
    "phone",
]
CLAIMS_SUPPORTED = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "trusted",
    "family_name",
    "given_name",
    "middle_name",
    "birthdate",
    "gender",
    "snils",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
]


def user_claims(person: Person, scopes: Iterable[str]) -> dict[str, Any]:
    """The claims the scopes allow (sub, trusted and acr always with openid)."""
    scopes = set(scopes)
    claims: dict[str, Any] = {"sub": str(person.oid)}
    if "openid" in scopes:
        claims["trusted"] = person.trusted
        claims["acr"] = person.level
    if scopes & {"profile", "fullname"}:
        claims["family_name"] = person.last_name
        claims["given_name"] = person.first_name
        if person.middle_name:
            claims["middle_name"] = person.middle_name
    if scopes & {"profile", "birthdate"}:
        claims["birthdate"] = person.birth_date.isoformat()
    if scopes & {"profile", "gender"}:
        claims["gender"] = "female" if person.gender == "F" else "male"
    if "snils" in scopes and person.snils:
        claims["snils"] = format_snils(person.snils)
    if "email" in scopes and person.email:
        claims["email"] = person.email
        claims["email_verified"] = True
    if scopes & {"mobile", "phone"} and person.mobile:
        claims["phone_number"] = person.mobile
        claims["phone_number_verified"] = True
    return claims
