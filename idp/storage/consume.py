"""Single use of codes and refresh tokens, decided by the database for both dialects.

Each redemption is one conditional UPDATE (`… WHERE used_at IS NULL … RETURNING`) whose
returned row names the one winner, however many workers, hosts or threads present the same
value at once. On PostgreSQL the losers wait on the winner's row lock and then see it used;
on SQLite they wait for the write lock. The endpoint commits on success and rolls back on a
refusal, so a request refused later (a wrong PKCE verifier, say) gives the code back rather
than burning it.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from gosuslugi_sandbox.idp.models import AuthorizationCode, Client, Person, Token
from gosuslugi_sandbox.idp.runtime import digest, hand_over, keep_for_request, take_over

# The hot statements, built once (building and cache-keying one costs more than running it).
_REDEEM_CODE = (
    update(AuthorizationCode)
    .where(
        AuthorizationCode.code_hash == bindparam("b_code_hash"),
        AuthorizationCode.client_id == bindparam("b_client"),
        AuthorizationCode.protocol == bindparam("b_protocol"),
        AuthorizationCode.used_at.is_(None),
        AuthorizationCode.expires_at > bindparam("b_moment"),
    )
    .values(used_at=bindparam("b_moment"))
    .returning(AuthorizationCode)
    .execution_options(synchronize_session=False, populate_existing=True)
)
_ACCESS_TOKEN = (
    select(Token, Client, Person)
    .outerjoin(Client, Client.client_id == Token.client_id)
    .outerjoin(Person, Person.oid == Token.person_oid)
    .where(
        Token.access_token_hash == bindparam("b_hash"),
        Token.protocol == bindparam("b_protocol"),
    )
    .order_by(Token.id.desc())
    .limit(1)
)


def redeem_code(
    session: Session, code: str, client_id: str, protocol: str, moment: float
) -> AuthorizationCode | None:
    """The code's row if this call is the one that used it; None if unknown, expired or used.

    A used code presented again revokes every token issued from it (RFC 6749 section 4.1.2);
    that revocation is committed at once, whatever happens to the request.
    """
    code_hash = digest(code or "")
    params = {"b_code_hash": code_hash, "b_client": client_id, "b_protocol": protocol}
    won = session.scalars(_REDEEM_CODE, {**params, "b_moment": moment}).first()
    if won is not None:
        return won
    mine = (
        AuthorizationCode.code_hash == code_hash,
        AuthorizationCode.client_id == client_id,
        AuthorizationCode.protocol == protocol,
    )
    used = session.scalar(
        select(AuthorizationCode.id).where(*mine, AuthorizationCode.used_at.is_not(None))
    )
    if used is not None:
        revoke_issued_from(session, code_hash, moment)
        session.commit()
    return None


def revoke_issued_from(session: Session, code_hash: str, moment: float) -> None:
    """Revoke the access and refresh tokens of every grant that came from the code."""
    session.execute(
        update(Token)
        .where(Token.code_hash == code_hash, Token.access_revoked_at.is_(None))
        .values(access_revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Token)
        .where(Token.code_hash == code_hash, Token.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=moment)
        .execution_options(synchronize_session=False)
    )


def redeem_refresh_token(
    session: Session, refresh_token: str, client_id: str, protocol: str, moment: float
) -> Token | None:
    """The grant's row if this call is the one that used its refresh token, else None.

    Rotation: the refresh token and its access token stop working here; the caller issues
    the new pair in the same transaction.
    """
    mine = (
        Token.refresh_token_hash == digest(refresh_token or ""),
        Token.client_id == client_id,
        Token.protocol == protocol,
    )
    return session.scalars(
        update(Token)
        .where(*mine, Token.refresh_revoked_at.is_(None))
        .values(
            refresh_revoked_at=moment,
            access_revoked_at=func.coalesce(Token.access_revoked_at, moment),
        )
        .returning(Token)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()


def find_access_token(session: Session, access_token: str, protocol: str) -> Token | None:
    """The grant of a presented access token (revocation and expiry are the caller's checks).

    Its client and person come in the same statement (every resource request needs both).
    """
    params = {"b_hash": digest(access_token), "b_protocol": protocol}
    preloaded = take_over(("access_token", params["b_hash"], protocol))
    if preloaded is not None:
        return preloaded
    row = session.execute(_ACCESS_TOKEN, params).first()
    if row is None:
        return None
    keep_for_request(row[1], row[2])
    return row[0]


@functools.cache
def _access_token_with(columns: tuple) -> Select:
    return _ACCESS_TOKEN.add_columns(*columns)  # built once per set of extra columns


def preload_access_token(
    session: Session, access_token: str, protocol: str, columns: tuple
) -> tuple | None:
    """Load the grant as `find_access_token` will, with extra columns in the same statement.

    The request's next lookup of that token is answered from it; returns the extra
    columns' values, or None when the token is unknown.
    """
    params = {"b_hash": digest(access_token), "b_protocol": protocol}
    row = session.execute(_access_token_with(columns), params).first()
    if row is None:
        return None
    keep_for_request(row[1], row[2])
    hand_over(("access_token", params["b_hash"], protocol), row[0])
    return tuple(row[3:])


def find_any_token(session: Session, value: str) -> Token | None:
    """The grant of an access or a refresh token of any dialect (revocation endpoint)."""
    value_hash = digest(value)
    return session.scalar(
        select(Token)
        .where(or_(Token.access_token_hash == value_hash, Token.refresh_token_hash == value_hash))
        .limit(1)
    )
