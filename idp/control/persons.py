"""/_control/persons: list, create, read, update (fields given), delete."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp import persons as store
from gosuslugi_sandbox.idp.control import bad_body, bad_field, bodies, bp, not_found
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.runtime import db_session, runtime
from gosuslugi_sandbox.shared.sql import as_int


def _oid(raw: str) -> int | None:
    return as_int(raw)


@bp.get("/persons")
def list_persons():
    """Every person."""
    rows = db_session().scalars(select(Person).order_by(Person.oid))
    return jsonify([store.to_dict(p) for p in rows])


@bp.post("/persons")
@bodies.accepts("person-create", bad_body)
def create_person(body: dict):
    """Add a person (fields as in fixtures/persons.yaml, password in plain text)."""
    try:
        clean = store.validate(body)
    except store.ValidationError as exc:
        return bad_field(exc.field, exc.message)
    session = db_session()
    if session.get(Person, clean["oid"]) is not None:
        return bad_field("oid", "a person with this oid exists", 409)
    person = store.apply(Person(oid=clean["oid"]), clean, runtime().password_method)
    try:
        store.check_unique(session, person)
    except store.ValidationError as exc:
        return bad_field(exc.field, exc.message, 409)
    session.add(person)
    try:
        session.commit()
    except IntegrityError:  # the same person created by a parallel request: one wins
        session.rollback()
        return bad_field("oid", "a person with this oid, mobile, e-mail or SNILS exists", 409)
    return jsonify(store.to_dict(person)), 201


@bp.get("/persons/<oid>")
def get_person(oid: str):
    """One person."""
    person = db_session().get(Person, _oid(oid)) if _oid(oid) else None
    return jsonify(store.to_dict(person)) if person else not_found(f"person {oid}")


@bp.put("/persons/<oid>")
@bodies.accepts("person-update", bad_body)
def update_person(oid: str, body: dict):
    """Change the fields given (others stay); 'unlock': true clears a lockout."""
    session = db_session()
    person = session.get(Person, _oid(oid)) if _oid(oid) else None
    if person is None:
        return not_found(f"person {oid}")
    data = dict(body)
    unlock = data.pop("unlock", False)
    if "oid" in data and str(data["oid"]) != str(person.oid):
        return bad_field("oid", "cannot be changed")
    try:
        clean = store.validate(data, partial=True)
        store.apply(person, clean, runtime().password_method)
        store.check_unique(session, person)
    except store.ValidationError as exc:
        session.rollback()
        return bad_field(exc.field, exc.message)
    if unlock:
        limits.unlock_person(person.oid)
    session.commit()
    return jsonify(store.to_dict(person))


@bp.delete("/persons/<oid>")
def delete_person(oid: str):
    """Remove a person."""
    session = db_session()
    person = session.get(Person, _oid(oid)) if _oid(oid) else None
    if person is None:
        return not_found(f"person {oid}")
    session.delete(person)
    session.commit()
    return jsonify(status="deleted", oid=int(oid))
