"""/_control/faults: arm (POST), list (GET), clear (DELETE) faults; JSON for QA and CI."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp.control import bodies, guard, not_found
from gosuslugi_sandbox.idp.faults import registry, store
from gosuslugi_sandbox.idp.faults.hooks import max_delay
from gosuslugi_sandbox.idp.models import Client, Person
from gosuslugi_sandbox.idp.runtime import db_session, now, runtime
from gosuslugi_sandbox.shared.control_api import json_error
from gosuslugi_sandbox.shared.control_bodies import BodyError
from gosuslugi_sandbox.shared.sql import BIGINT_MAX

bp = Blueprint("faults", __name__, url_prefix="/_control")
bp.before_request(guard)


def _invalid(message: str):
    return json_error(
        400,
        "invalid_fault",
        message,
        valid_faults=list(registry.SPECS),
        endpoints=list(registry.TRANSPORT_ENDPOINTS),
    )


def _bad_body(exc: BodyError):
    return _invalid(str(exc))


@bp.get("/faults")
def list_faults():
    """Armed faults and how many uses remain, plus the catalogue."""
    rows = store.armed(runtime().db)
    return jsonify(faults=[r.as_dict() for r in rows], available=registry.catalogue())


@bp.post("/faults")
@bodies.accepts("fault-arm", _bad_body)
def arm_fault(body: dict):
    """Arm a fault: {"fault", "client_id"?, "times"? (1), "endpoint"? , "params"?} (fault-arm)."""
    known = set(db_session().scalars(select(Client.client_id)))
    db_session().close()  # release the read before the separate write transaction
    try:
        clean = registry.validate(body, max_delay(), known)
    except registry.FaultError as exc:
        return _invalid(str(exc))
    if clean["fault"] in registry.PERSON_FAULTS:
        return _block_person(clean)
    row = store.arm(runtime().db, clean, now())
    return jsonify(row.as_dict()), 201


def _block_person(clean: dict):
    """A person fault is the real block the limits would set (lifted by unlock or reset)."""
    oid, seconds = clean["params"]["oid"], clean["params"]["seconds"]
    if oid > BIGINT_MAX or db_session().get(Person, oid) is None:
        return not_found(f"person {oid}")
    limits.block_person(oid, registry.PERSON_FAULTS[clean["fault"]], seconds)
    db_session().commit()
    body = {"fault": clean["fault"], "oid": str(oid), "person": limits.person_state(oid)}
    return jsonify(body), 201


@bp.delete("/faults")
def clear_faults():
    """Clear every armed fault (and the temporary JWKS shapes they left)."""
    return jsonify(status="cleared", removed=store.clear(runtime().db))


@bp.delete("/faults/<int:fault_id>")
def clear_fault(fault_id: int):
    """Clear one armed fault."""
    if store.clear(runtime().db, fault_id) == 0:
        return not_found(f"fault {fault_id}")
    return jsonify(status="cleared", removed=1)
