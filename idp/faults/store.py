"""Armed faults in the database: arm, list, clear, and atomic consume / refund.

Consuming is a conditional UPDATE (`remaining = remaining - 1 WHERE remaining > 0`) in its
own short transaction, so two workers never both consume the last use of a fault.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Row, delete, exists, insert, select, update

from gosuslugi_sandbox.idp.faults.models import ArmedFault, FaultEffect
from gosuslugi_sandbox.shared.storage import Database


def arm(db: Database, clean: dict, moment: float) -> ArmedFault:
    """Store a validated fault (gosuslugi_sandbox.idp.faults.registry.validate) and return it."""
    with db.transaction() as session:
        row = ArmedFault(
            fault=clean["fault"],
            client_id=clean["client_id"],
            endpoint=clean["endpoint"],
            params=clean["params"],
            times=clean["times"],
            remaining=clean["times"],
            created_at=moment,
        )
        session.add(row)
        session.flush()
        return row


def armed(db: Database) -> list[ArmedFault]:
    """Faults with uses left, oldest first (detached rows)."""
    with db.sessions() as session:
        query = select(ArmedFault).where(ArmedFault.remaining > 0).order_by(ArmedFault.id)
        return list(session.scalars(query))


# SQL: is any fault armed / any effect stored (columns of the hot path's one state read)
ANY_ARMED = exists().where(ArmedFault.__table__.c.remaining > 0)
ANY_EFFECT = exists().where(FaultEffect.__table__.c.id.is_not(None))


def armed_rows(conn: Connection) -> list[Row]:
    """The hot path's armed faults: Core rows (same attribute names), oldest first."""
    table = ArmedFault.__table__
    return list(conn.execute(select(table).where(table.c.remaining > 0).order_by(table.c.id)))


def effect_rows(conn: Connection) -> list[Row]:
    """The hot path's fault effects: Core rows (same attribute names), oldest first."""
    table = FaultEffect.__table__
    return list(conn.execute(select(table).order_by(table.c.id)))


def add_effects(conn: Connection, effects: list[FaultEffect]) -> None:
    """Insert new (transient) effect objects with a Core statement."""
    if effects:
        columns = [c.key for c in FaultEffect.__table__.columns if c.key != "id"]
        rows = [{key: getattr(effect, key) for key in columns} for effect in effects]
        conn.execute(insert(FaultEffect.__table__), rows)


def effects(db: Database) -> list[FaultEffect]:
    """Every fault effect (JWKS shapes), oldest first (detached rows)."""
    with db.sessions() as session:
        return list(session.scalars(select(FaultEffect).order_by(FaultEffect.id)))


def clear(db: Database, fault_id: int | None = None) -> int:
    """Remove faults (one, or all plus the temporary JWKS effects); how many had uses left."""
    with db.transaction() as session:
        query = delete(ArmedFault)
        if fault_id is not None:
            query = query.where(ArmedFault.id == fault_id)
        else:
            session.execute(delete(FaultEffect))
        armed_ids = select(ArmedFault.id).where(ArmedFault.remaining > 0)
        if fault_id is not None:
            armed_ids = armed_ids.where(ArmedFault.id == fault_id)
        count = len(list(session.scalars(armed_ids)))
        session.execute(query)
        return count


def take(session, fault_id: int) -> bool:
    """Consume one use of a fault inside session's transaction; False if none was left."""
    result = session.execute(
        update(ArmedFault)
        .where(ArmedFault.id == fault_id, ArmedFault.remaining > 0)
        .values(remaining=ArmedFault.remaining - 1)
    )
    return result.rowcount == 1


def take_all(db: Database, fault_ids: Iterable[int]) -> set[int]:
    """Consume one use of each fault in one transaction; the ids actually consumed."""
    ids = list(fault_ids)
    if not ids:
        return set()
    with db.transaction() as session:
        return {fault_id for fault_id in ids if take(session, fault_id)}


def refund(session, fault_ids: Iterable[int]) -> None:
    """Give back uses consumed for a response the fault did not end up altering."""
    ids = list(fault_ids)
    if ids:
        session.execute(
            update(ArmedFault)
            .where(ArmedFault.id.in_(ids))
            .values(remaining=ArmedFault.remaining + 1)
        )
