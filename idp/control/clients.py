"""/_control/clients: RFC 7591 metadata in and out; unknown extra fields (esia_*) are kept."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gosuslugi_sandbox.idp import clients as store
from gosuslugi_sandbox.idp.control import bad_body, bad_field, bodies, bp, not_found
from gosuslugi_sandbox.idp.models import Client
from gosuslugi_sandbox.idp.runtime import db_session


@bp.get("/clients")
def list_clients():
    """Every client."""
    rows = db_session().scalars(select(Client).order_by(Client.client_id))
    return jsonify([c.as_dict() for c in rows])


@bp.post("/clients")
@bodies.accepts("client-create", bad_body)
def create_client(body: dict):
    """Register a client (schema: client-create)."""
    try:
        clean = store.validate(body)
    except store.ValidationError as exc:
        return bad_field(exc.field, exc.message)
    session = db_session()
    if session.get(Client, clean["client_id"]) is not None:
        return bad_field("client_id", "a client with this id exists", 409)
    client = store.build(clean)
    session.add(client)
    try:
        session.commit()
    except IntegrityError:  # created by a parallel request meanwhile: one wins
        session.rollback()
        return bad_field("client_id", "a client with this id exists", 409)
    return jsonify(client.as_dict()), 201


@bp.get("/clients/<client_id>")
def get_client(client_id: str):
    """One client."""
    client = db_session().get(Client, client_id)
    return jsonify(client.as_dict()) if client else not_found(f"client {client_id}")


@bp.put("/clients/<client_id>")
@bodies.accepts("client-update", bad_body)
def update_client(client_id: str, body: dict):
    """Replace a client's metadata (send the whole document; schema: client-update)."""
    session = db_session()
    client = session.get(Client, client_id)
    if client is None:
        return not_found(f"client {client_id}")
    try:
        clean = store.validate(body, client_id=client_id)
    except store.ValidationError as exc:
        return bad_field(exc.field, exc.message)
    store.update(client, clean)
    session.commit()
    return jsonify(client.as_dict())


@bp.delete("/clients/<client_id>")
def delete_client(client_id: str):
    """Remove a client."""
    session = db_session()
    client = session.get(Client, client_id)
    if client is None:
        return not_found(f"client {client_id}")
    session.delete(client)
    session.commit()
    return jsonify(status="deleted", client_id=client_id)
