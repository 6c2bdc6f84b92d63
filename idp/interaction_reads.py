"""Reading an interaction: one statement that brings what the page or endpoint needs along.

Its person and client and the clock offset come with every read; callers add columns
(`load_with`, `preload`: the fault hooks' stand state, the SMS page's block and resend time)
or every person (`load_with_every_person`: DEV's list on the login page). The API is
`gosuslugi_sandbox.idp.interactions`, which re-exports these.
"""

from __future__ import annotations

import functools

from sqlalchemy import Row, Select, bindparam, select, true
from sqlalchemy.orm import aliased

from gosuslugi_sandbox.idp import browser, clock_offset
from gosuslugi_sandbox.idp.errors import ForeignBrowserError, InteractionError
from gosuslugi_sandbox.idp.models import Client, Interaction, Person
from gosuslugi_sandbox.idp.runtime import db_session, hand_over, keep_for_request, now, take_over

# built once: building and cache-keying the statement would cost more than running it
_WITH_PERSON_AND_CLIENT = (
    select(Interaction, Person, Client, clock_offset.OFFSET)
    .outerjoin(Person, Person.oid == Interaction.person_oid)
    .outerjoin(Client, Client.client_id == Interaction.client_id)
    .where(Interaction.id == bindparam("id"))
)


def get(interaction_id: str | None) -> Interaction | None:
    """The interaction with that id whatever its state, or None.

    Its person and client and the clock offset come in the same statement: every page of a
    login needs them, and later `Session.get` calls find the rows in the identity map.
    """
    if not interaction_id:
        return None
    preloaded = take_over(("interaction", str(interaction_id)))
    if preloaded is not None:
        return preloaded
    row = _fetch(str(interaction_id), ())
    return row[0] if row is not None else None


@functools.cache
def _with_columns(columns: tuple) -> Select:
    # built once per set of extra columns (see _WITH_PERSON_AND_CLIENT)
    return _WITH_PERSON_AND_CLIENT.add_columns(*columns)


_LISTED = aliased(Person)
# the interaction once per person, with every person (the login page's DEV list) alongside
_WITH_EVERY_PERSON = (
    _WITH_PERSON_AND_CLIENT.add_columns(_LISTED).outerjoin(_LISTED, true()).order_by(_LISTED.oid)
)


def _fetch(interaction_id: str, columns: tuple) -> Row | None:
    rows = _rows(_with_columns(columns), interaction_id)
    return rows[0] if rows else None


def _rows(statement: Select, interaction_id: str) -> list[Row]:
    rows = db_session().execute(statement, {"id": interaction_id}).all()
    if rows:
        clock_offset.remember(rows[0][3])
        keep_for_request(rows[0][1], rows[0][2])
    return rows


def load_with_every_person(interaction_id: str | None) -> tuple[Interaction, list[Person]]:
    """`load`, with every person, by oid, read in the same statement (DEV's list)."""
    rows = _rows(_WITH_EVERY_PERSON, str(interaction_id)) if interaction_id else []
    if rows:
        hand_over(("interaction", str(interaction_id)), rows[0][0])
    persons = [row[4] for row in rows if row[4] is not None]
    keep_for_request(*persons)
    return load(interaction_id), persons


def preload(interaction_id: str | None, columns: tuple) -> tuple | None:
    """Load the interaction as `get` will, with extra columns in the same statement.

    The request's next `get` of that id is answered from it; returns the extra columns'
    values, or None when there is no such interaction.
    """
    row = _fetch(str(interaction_id), columns) if interaction_id else None
    if row is None:
        return None
    hand_over(("interaction", str(interaction_id)), row[0])
    return tuple(row[4:])


def load(interaction_id: str | None, protocol: str | None = None) -> Interaction:
    """A live interaction of this browser (not expired, not finished, of that protocol),
    else InteractionError (ForeignBrowserError when another browser started it)."""
    inter = get(interaction_id)
    if (
        inter is None
        or inter.finished_at is not None
        or inter.expires_at <= now()
        or (protocol is not None and inter.protocol != protocol)
    ):
        raise InteractionError()
    if not browser.belongs_here(inter.browser_hash):
        raise ForeignBrowserError()
    return inter


def load_with(
    interaction_id: str | None, columns: tuple, protocol: str | None = None
) -> tuple[Interaction, tuple]:
    """`load`, with extra columns read in the same statement: (interaction, their values)."""
    extra = preload(interaction_id, columns)
    return load(interaction_id, protocol), extra
