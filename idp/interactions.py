"""Interactions: the hand-over between a protocol endpoint and the login/SMS/consent pages.

The API is stable (the OIDC core and the ESIA dialect both code against it):

1. At start-up a protocol registers itself::

       register_protocol(app, "esia", "esia.resume")   # endpoint taking ?interaction=ID

2. Its authorization endpoint validates the request, then::

       inter = create("esia", client_id=..., scopes=[...], params=dict(request.args))
       sso = current_sso_session()                      # None without a valid IdP session
       if sso and not force_login and is_fresh(sso, max_age):
           login_from_session(inter, sso)               # skips password and SMS
       commit()
       return redirect(next_url(inter))                 # login, SMS, consent or resume

3. The pages (idp/login) drive the person through password → SMS → consent, calling
   `set_password_ok`, `mark_logged_in` and `record_consent`, then redirect to
   `resume_url(inter)`, i.e. the registered endpoint with ?interaction=ID.

4. The resume endpoint::

       inter = load(request.args["interaction"], protocol="esia")  # InteractionError if bad
       if inter.consent == "deny": ... error=access_denied ...
       person = db_session().get(Person, inter.person_oid); ... issue the code ...
       finish(inter); commit()

An Interaction has: id, protocol, client_id, scopes (list), params (the original request
parameters, a dict of str), needs_consent, person_oid, password_ok, logged_in, auth_time, amr,
session_id, consent ("allow" | "deny" | None), created_at, expires_at, finished_at.
None of these functions commit: the caller commits (db_session().commit() or `commit()`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from flask import Flask, url_for
from sqlalchemy import Row, Select, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from gosuslugi_sandbox.idp import browser, clock_offset
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.errors import ForeignBrowserError, InteractionError
from gosuslugi_sandbox.idp.models import Client, IdpSession, Interaction, Person
from gosuslugi_sandbox.idp.runtime import (
    db_session,
    hand_over,
    keep_for_request,
    now,
    random_token,
    runtime,
    take_over,
)
from gosuslugi_sandbox.idp.sso import current_session, is_fresh
from gosuslugi_sandbox.shared.sql import claimed

__all__ = [
    "Interaction",
    "InteractionError",
    "commit",
    "create",
    "current_sso_session",
    "finish",
    "get",
    "is_fresh",
    "load",
    "load_with",
    "login_from_session",
    "mark_logged_in",
    "next_url",
    "preload",
    "previously_consented",
    "record_consent",
    "register_protocol",
    "resume_url",
    "set_password_ok",
]

current_sso_session = current_session


def register_protocol(app: Flask, name: str, resume_endpoint: str) -> None:
    """Register a protocol whose interactions end at resume_endpoint (takes ?interaction=ID)."""
    app.extensions["idp"].protocols[name] = resume_endpoint


def create(
    protocol: str,
    *,
    client_id: str | None,
    scopes: Iterable[str],
    params: dict[str, Any],
    needs_consent: bool = True,
) -> Interaction:
    """Store a new pending interaction (added to the session, not committed) and return it."""
    if protocol not in runtime().protocols:
        raise ValueError(f"protocol {protocol!r} is not registered")
    inter = Interaction(
        id=random_token(24),
        browser_hash=browser.current_hash(create=True),
        protocol=protocol,
        client_id=client_id,
        scopes=list(scopes),
        params={k: str(v) for k, v in params.items()},
        needs_consent=needs_consent,
        created_at=now(),
        expires_at=now() + settings().interaction_seconds,
        amr=[],
    )
    db_session().add(inter)
    return inter


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


def _fetch(interaction_id: str, columns: tuple) -> Row | None:
    row = db_session().execute(_with_columns(columns), {"id": interaction_id}).first()
    if row is None:
        return None
    clock_offset.remember(row[3])
    keep_for_request(row[1], row[2])
    return row


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


def set_password_ok(inter: Interaction, person: Person) -> None:
    """The password was right: remember who is logging in (the SMS step still follows)."""
    inter.person_oid = person.oid
    inter.password_ok = True
    inter.logged_in = False


def mark_logged_in(
    inter: Interaction,
    person_oid: int,
    amr: list[str],
    auth_time: int | None = None,
    session_id: str | None = None,
) -> None:
    """Every factor passed: record the person, how (RFC 8176 amr) and when they logged in."""
    inter.person_oid = person_oid
    inter.password_ok = True
    inter.logged_in = True
    inter.amr = list(amr)
    inter.auth_time = int(auth_time if auth_time is not None else now())
    inter.session_id = session_id


def login_from_session(inter: Interaction, sso: IdpSession) -> None:
    """Log the interaction in from an existing SSO session (no password, no SMS)."""
    mark_logged_in(inter, sso.person_oid, sso.amr, sso.auth_time, sso.id)


def record_consent(inter: Interaction, allow: bool) -> None:
    """Store the person's decision on the consent page."""
    inter.consent = "allow" if allow else "deny"


def previously_consented(person_oid: int, client_id: str, scopes: Iterable[str]) -> bool:
    """Whether the person already allowed this client at least these scopes (for prompt=none)."""
    wanted = set(scopes)
    rows = db_session().scalars(
        select(Interaction).where(
            Interaction.person_oid == person_oid,
            Interaction.client_id == client_id,
            Interaction.consent == "allow",
            Interaction.finished_at.is_not(None),
        )
    )
    return any(wanted <= set(row.scopes or []) for row in rows)


def finish(inter: Interaction) -> None:
    """Close the interaction so it cannot be resumed twice (InteractionError for the loser).

    One conditional UPDATE decides: of two resumes at once, one gets the code.
    """
    moment = now()
    won = claimed(
        db_session(),
        update(Interaction)
        .where(Interaction.id == inter.id, Interaction.finished_at.is_(None))
        .values(finished_at=moment)
        .execution_options(synchronize_session=False),
    )
    if not won:
        db_session().rollback()
        raise InteractionError()
    # the row has it already: record it on the object without a second UPDATE
    set_committed_value(inter, "finished_at", moment)


def resume_url(inter: Interaction) -> str:
    """The registered resume endpoint of the interaction's protocol."""
    endpoint = runtime().protocols[inter.protocol]
    return url_for(endpoint, interaction=inter.id)


def step_left(inter: Interaction) -> str | None:
    """The login page the person has still to pass (password, SMS, consent), or None.

    Every protocol's resume asks this first: a browser that skips to the resume URL is sent
    back to the step it skipped, never handed a code.
    """
    if not inter.password_ok:
        return url_for("login.login", interaction=inter.id)
    if not inter.logged_in:
        return url_for("login.sms", interaction=inter.id)
    if inter.needs_consent and inter.consent is None:
        return url_for("login.consent", interaction=inter.id)
    return None


def next_url(inter: Interaction) -> str:
    """Where the browser goes next: login, SMS, consent, or back to the protocol."""
    return step_left(inter) or resume_url(inter)


def commit() -> None:
    """Commit the request's database session."""
    db_session().commit()
