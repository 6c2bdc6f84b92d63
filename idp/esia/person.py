"""ESIA person REST shapes (docs/esia-protocol.md "Person REST API") built from a Person row.

Element ids are stable per person (1-based positions; contacts: 1 = MBT, 2 = EML), so each
element has its own URL under /rs/prns/{oid}/. Which fields and collections a token may read
depends on its scopes (see SCOPES_*).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gosuslugi_sandbox.shared.formats import (
    format_date_ru,
    format_phone_esia,
    format_snils,
    parse_date,
)

# Scopes that open the person root, and which root field each one reveals.
ROOT_FIELDS = {
    "fullname": ("firstName", "lastName", "middleName"),
    "birthdate": ("birthDate",),
    "gender": ("gender",),
    "snils": ("snils",),
    "inn": ("inn",),
    "birthplace": ("birthPlace",),
    "id_doc": (),
    "usr_inf": ("firstName", "lastName", "middleName", "birthDate", "gender", "snils", "inn"),
}
ALWAYS = ("stateFacts", "trusted", "citizenship", "status", "verifying", "updatedOn", "eTag")
COLLECTION_SCOPES = {
    "ctts": {"contacts", "mobile", "email"},
    "addrs": {"addresses"},
    "docs": {"id_doc"},
}
CONTACT_SCOPES = {"MBT": {"contacts", "mobile"}, "EML": {"contacts", "email"}}
EMBED_NAMES = {"contacts": "ctts", "documents": "docs", "addresses": "addrs"}
# Person rows carry no modification time; ESIA's updatedOn is informational for clients.
UPDATED_ON = 1735689600


def etag(data: dict) -> str:
    """A stable entity tag: SHA-1 of the element's JSON, upper-case hex."""
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha1(raw).hexdigest().upper()


def _with_etag(data: dict) -> dict:
    data["eTag"] = etag(data)
    return data


def can_read_root(scopes: set[str]) -> bool:
    """Whether a token with these scopes may read /rs/prns/{oid}."""
    return bool(scopes & set(ROOT_FIELDS))


def can_read_collection(name: str, scopes: set[str]) -> bool:
    """Whether a token with these scopes may read the collection."""
    return bool(scopes & COLLECTION_SCOPES.get(name, set()))


def root(person: Any, scopes: set[str]) -> dict:
    """The person root object, with the fields the scopes allow."""
    full = {
        "stateFacts": ["EntityRoot"],
        "firstName": person.first_name,
        "lastName": person.last_name,
        "middleName": person.middle_name,
        "birthDate": format_date_ru(person.birth_date),
        "birthPlace": person.birth_place,
        "gender": person.gender,
        "trusted": bool(person.trusted),
        "citizenship": person.citizenship or "RUS",
        "snils": format_snils(person.snils) if person.snils else None,
        "inn": person.inn,
        "status": "REGISTERED",
        "verifying": False,
        "updatedOn": UPDATED_ON,
    }
    allowed = set(ALWAYS)
    for scope in scopes:
        allowed.update(ROOT_FIELDS.get(scope, ()))
    data = {k: v for k, v in full.items() if k in allowed and v is not None}
    return _with_etag(data)


def contacts(person: Any, scopes: set[str]) -> list[dict]:
    """The contact elements the scopes allow (MBT, EML)."""
    items = []
    if person.mobile:
        items.append((1, "MBT", format_phone_esia(person.mobile)))
    if person.email:
        items.append((2, "EML", person.email))
    return [
        _with_etag(
            {"stateFacts": ["Identifiable"], "id": i, "type": t, "vrfStu": "VERIFIED", "value": v}
        )
        for i, t, v in items
        if scopes & CONTACT_SCOPES[t]
    ]


def documents(person: Any) -> list[dict]:
    """Identity documents; verified only for a confirmed account."""
    result = []
    for index, doc in enumerate(person.documents or [], start=1):
        item = {
            "stateFacts": ["Identifiable"],
            "id": index,
            "type": doc.get("type", "RF_PASSPORT"),
            "vrfStu": "VERIFIED" if person.trusted else "NOT_VERIFIED",
            "series": doc.get("series"),
            "number": doc.get("number"),
            "issueDate": format_date_ru(parse_date(doc["issue_date"]))
            if doc.get("issue_date")
            else None,
            "issueId": doc.get("issue_id"),
            "issuedBy": doc.get("issued_by"),
        }
        result.append(_with_etag({k: v for k, v in item.items() if v is not None}))
    return result


def addresses(person: Any) -> list[dict]:
    """Registration (PRG) and residence (PLV) addresses."""
    result = []
    for index, addr in enumerate(person.addresses or [], start=1):
        parts = [addr.get("region"), addr.get("city"), addr.get("street")]
        if addr.get("city") == addr.get("region"):
            parts.pop(1)
        item = {
            "stateFacts": ["Identifiable"],
            "id": index,
            "type": addr.get("type", "PRG"),
            "addressStr": ", ".join(p for p in parts if p),
            "countryId": addr.get("country_id", "RUS"),
            "zipCode": addr.get("zip_code"),
            "region": addr.get("region"),
            "city": addr.get("city"),
            "street": addr.get("street"),
            "house": addr.get("house"),
            "flat": addr.get("flat"),
        }
        result.append(_with_etag({k: v for k, v in item.items() if v is not None}))
    return result


def elements(name: str, person: Any, scopes: set[str]) -> list[dict]:
    """The elements of a collection (ctts, addrs, docs)."""
    if name == "ctts":
        return contacts(person, scopes)
    if name == "addrs":
        return addresses(person)
    return documents(person)


def collection(name: str, person: Any, scopes: set[str], base_url: str, embed: bool) -> dict:
    """A collection: element URLs, or the elements inline when embed is set."""
    items = elements(name, person, scopes)
    body: dict[str, Any] = {"stateFacts": ["hasSize"], "size": len(items)}
    if embed:
        body["elements"] = items
    else:
        body["elements"] = [f"{base_url}/rs/prns/{person.oid}/{name}/{it['id']}" for it in items]
    body["eTag"] = etag({"elements": items})
    return body


def parse_embed(value: str | None) -> set[str]:
    """Parse `(elements)` or `(contacts.elements,documents.elements)` into a set of names."""
    text = (value or "").strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return {part.strip() for part in text.split(",") if part.strip()}


def root_with_embed(person: Any, scopes: set[str], base_url: str, embed: set[str]) -> dict:
    """The root plus the embedded collections that were asked for and the scopes allow."""
    body = root(person, scopes)
    for field, name in EMBED_NAMES.items():
        if f"{field}.elements" in embed and can_read_collection(name, scopes):
            body[field] = collection(name, person, scopes, base_url, embed=True)
        elif field in embed and can_read_collection(name, scopes):
            body[field] = collection(name, person, scopes, base_url, embed=False)
    return body
