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

from collections.abc import Iterable
from typing import Any

from flask import Flask, url_for
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from gosuslugi_sandbox.idp import browser, clock_offset
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.errors import InteractionError
from gosuslugi_sandbox.idp.interaction_reads import (
    get,
    load,
    load_with,
    load_with_every_person,
    preload,
)
from gosuslugi_sandbox.idp.models import IdpSession, Interaction, Person
from gosuslugi_sandbox.idp.runtime import db_session, now, random_token, runtime
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
    "load_with_every_person",
    "login_from_session",
    "mark_logged_in",
    "next_url",
    "preload",
    "previously_consented",
    "record_consent",
    "record_consent_once",
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


# the decision is recorded once, by one conditional UPDATE: on a live, logged-in interaction
# of this browser still waiting for it (expiry is checked on the row it returns, by the
# stand's clock, whose offset comes back with it)
_CONSENT = (
    update(Interaction)
    .where(
        Interaction.id == bindparam("b_id"),
        Interaction.browser_hash == bindparam("b_browser"),
        Interaction.finished_at.is_(None),
        Interaction.logged_in.is_(True),
        Interaction.needs_consent.is_(True),
        Interaction.consent.is_(None),
    )
    .values(consent=bindparam("b_consent"))
    .returning(Interaction, clock_offset.OFFSET)
    .execution_options(synchronize_session=False, populate_existing=True)
)


def record_consent_once(interaction_id: str | None, allow: bool) -> Interaction | None:
    """Record the person's decision if the interaction is waiting for it (not committed);
    None, with nothing changed, when it is not: `load` it to say why."""
    browser_hash = browser.current_hash()
    if not interaction_id or browser_hash is None:
        return None
    params = {"b_id": str(interaction_id), "b_browser": browser_hash}
    row = db_session().execute(_CONSENT, {**params, "b_consent": "allow" if allow else "deny"})
    row = row.first()
    if row is None:
        return None
    clock_offset.remember(row[1])
    if row[0].expires_at <= now():
        db_session().rollback()
        return None
    return row[0]


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
