"""before_request / after_request of every protocol request: consume and apply faults at the
edges, record what the client sent for the report card, give back unused fault uses."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from gosuslugi_sandbox.idp import clock_offset, keys
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.faults import registry, store
from gosuslugi_sandbox.idp.faults.answers import (
    alter_token_answer,
    override_document,
    unauthorized,
)
from gosuslugi_sandbox.idp.faults.edge import EDGES, Edge, current
from gosuslugi_sandbox.idp.faults.redirects import alter_redirect
from gosuslugi_sandbox.idp.models import AuthorizationCode
from gosuslugi_sandbox.idp.runtime import digest, now, runtime

log = logging.getLogger(__name__)

OUTAGE_PAGE = (
    "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)
# what every protocol request reads first: clock offset, any fault armed, any effect stored,
# the signing keys' generation
STATE_COLUMNS = (clock_offset.OFFSET, store.ANY_ARMED, store.ANY_EFFECT, keys.GENERATION)
STAND_STATE = select(*STATE_COLUMNS)  # built once: see idp/interaction_reads.py
RECORDERS = "idp.request_recorders"  # app.extensions key: observers of each protocol request
PRELOADS = "idp.state_preloads"  # app.extensions key: endpoint → its first statement
# runs the endpoint's first statement with STATE_COLUMNS appended: their values, or None
# when it found no row (then the state is read on its own)
Preload = Callable[[], "tuple | None"]
# (connection of the hook's transaction, the request's edge, its response, the moment)
Recorder = Callable[[Connection, Edge, Response, float], None]
MALFORMED = '{"error": "tempor'  # cut off mid-string, as a proxy timing out would


def _pick(edge: Edge) -> list:
    """The armed faults to consume for this request: one per name, one terminal at most."""
    chosen, names, terminal = [], set(), False
    for row in edge.armed:
        if row.fault in names or row.fault == "code-reuse-allowed" or not edge.matches(row):
            continue
        if row.fault in registry.TERMINAL:
            if terminal:
                continue
            terminal = True
        names.add(row.fault)
        chosen.append(row)
    return chosen


def _allow_code_reuse(edge: Edge) -> None:
    """code-reuse-allowed: a used code presented again is made usable once more."""
    if edge.grant_type() != "authorization_code" or not request.form.get("code"):
        return
    rows = [r for r in edge.armed if r.fault == "code-reuse-allowed" and edge.matches(r)]
    if not rows:
        return
    with runtime().db.transaction() as session:
        code = session.scalar(
            select(AuthorizationCode).where(
                AuthorizationCode.code_hash == digest(request.form["code"]),
                AuthorizationCode.protocol == edge.dialect,
            )
        )
        if code is None or code.used_at is None or code.client_id != edge.client_id:
            return
        for row in rows:
            if store.take(session, row.id):
                code.used_at = None
                edge.taken[row.fault] = row
                edge.applied.add(row.fault)
                return


def _drop_connection() -> Response:
    """Close the client's connection without an answer (werkzeug or gunicorn socket)."""
    sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            log.info("drop: the connection was already gone")
    return Response(b"", status=200)


def _transport(edge: Edge) -> Response | None:
    """Apply delay, then one terminal transport fault, if consumed."""
    if edge.use("delay"):
        seconds = min(float(edge.taken["delay"].params.get("seconds", 0)), max_delay())
        time.sleep(max(seconds, 0.0))
    if edge.use("drop"):
        return _drop_connection()
    for name, status in (("http-500", 500), ("http-503", 503)):
        if edge.use(name):
            text = "500 Internal Server Error" if status == 500 else "503 Service Unavailable"
            response = Response(OUTAGE_PAGE.format(status=text), status=status)
            response.mimetype = "text/html"
            if status == 503:
                response.headers["Retry-After"] = "1"
            return response
    if edge.use("malformed-json"):
        return Response(MALFORMED, status=200, mimetype="application/json")
    return None


def max_delay() -> float:
    """The longest delay a fault may ask for (IDP_FAULT_MAX_DELAY)."""
    return settings().fault_max_delay


def before() -> Response | None:
    """Build the Edge, consume the matching faults, apply transport faults."""
    target = EDGES.get(request.endpoint or "")
    if target is None:
        return None
    db = runtime().db
    edge = Edge(target[0], target[1], uuid.uuid4().hex[:16])
    # One statement answers the common case (no fault armed, no effect) and brings the
    # clock offset along: the endpoint's own first statement where one is registered, else
    # a read of its own. The fault rows are read only when there are some, as Core rows on
    # one pooled connection (no ORM session or identity map for them).
    preload = current_app.extensions.get(PRELOADS, {}).get(request.endpoint)
    try:
        state = preload() if preload is not None else None
    except SQLAlchemyError:
        # a value the database refuses is the view's to answer, as it was before the state
        # rode along; the state is then read on its own (NUL, the case that made this, is
        # refused earlier now, by gosuslugi_sandbox.shared.web_security)
        db.session.rollback()
        state = None
    if state is None:
        with db.engine.connect() as conn:
            state = conn.execute(STAND_STATE).one()
    offset, armed, effects, generation = state
    clock_offset.remember(offset)
    # another worker (or a control call) rotated a key: reload the keys before signing
    runtime().keyring.follow(generation, db, now(), settings().key_rotation_grace)
    effects = effects and edge.name in ("token", "jwks")
    if armed or effects:
        with db.engine.connect() as conn:
            edge.armed = store.armed_rows(conn) if armed else []
            edge.effects = store.effect_rows(conn) if effects else []
    g.fault_edge = edge
    if not edge.armed:
        return None
    picked = _pick(edge)
    taken = store.take_all(db, [row.id for row in picked])
    edge.taken.update({row.fault: row for row in picked if row.id in taken})
    if edge.name == "token":
        _allow_code_reuse(edge)
    return _transport(edge) or unauthorized(edge)


def preload(app: Flask, endpoint: str, loader: Preload) -> None:
    """Have the stand state ride on the first statement an endpoint runs anyway."""
    app.extensions.setdefault(PRELOADS, {})[endpoint] = loader


def observe(app: Flask, recorder: Recorder) -> None:
    """Have recorder see every protocol request's edge and answer (the report card does)."""
    app.extensions.setdefault(RECORDERS, []).append(recorder)


def after(response: Response) -> Response:
    """Alter the redirect or the answer, then record, refund and store effects in one go."""
    edge = current()
    if edge is None:
        return response
    if edge.name == "redirect" and edge.taken:
        alter_redirect(edge, response)
    elif edge.name == "token" and edge.taken:
        alter_token_answer(edge, response)
    if edge.taken:
        override_document(edge, response)
    response.headers["X-Request-Id"] = edge.request_id
    refunds = edge.unapplied()
    effects = edge.new_effects if response.status_code == 200 else []
    moment = now()
    try:
        # Core statements on their own short connection: the request's session may hold a
        # failed or finished transaction by now, and this write must not depend on it.
        with runtime().db.engine.begin() as conn:
            for recorder in current_app.extensions.get(RECORDERS, ()):
                recorder(conn, edge, response, moment)
            store.refund(conn, refunds)
            store.add_effects(conn, effects)
    except Exception:
        # The answer itself is ready; losing one report line must not turn it into a 500.
        log.exception("could not record %s request %s", edge.name, edge.request_id)
    if response.status_code == 200:
        _rotate(edge, moment)
    return response


def _rotate(edge: Edge, moment: float) -> None:
    """signing-key-rotation: the IdP's own rotation, after the answer signed with the old key."""
    for kty in edge.rotations:
        try:
            keys.rotate_now(runtime().db, runtime().keyring, kty, moment)
        except Exception:
            # the answer is ready; a rotation that could not happen is logged, not a 500
            log.exception("could not rotate the %s key (request %s)", kty, edge.request_id)


def init_app(app: Flask) -> None:
    """Install the hooks (they return at once for anything but protocol endpoints)."""
    app.before_request(before)
    app.after_request(after)
