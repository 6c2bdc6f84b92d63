"""ESIA's token set for the ESIA AuthorizationServer: the generator and `save_token`.

The access and ID tokens have ESIA's shapes (gosuslugi_sandbox.idp.esia.jwt); both are signed
through the faults (`esia_access_token`, `esia_id_token`), so the token faults apply to ESIA
too. The login's facts (sid, auth_time, amr, the code) carry over from the code or refresh
token redeemed (`origin`).
"""

from __future__ import annotations

import uuid

from flask import current_app

from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.esia import jwt
from gosuslugi_sandbox.idp.esia.clients import EsiaClient
from gosuslugi_sandbox.idp.faults.tokens import esia_access_token, esia_id_token
from gosuslugi_sandbox.idp.models import AuthorizationCode, Person, Token
from gosuslugi_sandbox.idp.runtime import db_session, digest, now, runtime


def generate_token(esia: EsiaClient, person: Person, origin: AuthorizationCode | Token) -> dict:
    """The token response body (without state) for a redeemed code or refresh token."""
    scopes, sid, auth_time = origin.scope.split(), origin.extra["sid"], origin.auth_time
    moment = int(now())
    access_ttl = settings().esia_access_token_ttl
    issuer = settings().esia_issuer
    rsa_key = runtime().keys.for_alg(jwt.RS256)
    gost_signer = current_app.extensions["esia"].gost_signer

    def sign(header: dict, claims: dict, alg: str) -> str:
        return jwt.encode(header, claims, alg, rsa_key, gost_signer)

    access = esia_access_token(  # sign(), with access-token-claims-override applied
        jwt.ACCESS_HEADER,
        jwt.access_claims(
            issuer=issuer, client_id=esia.client_id, scopes=scopes, oid=person.oid, sid=sid,
            now=moment, lifetime=access_ttl,
        ),
        esia.token_alg, sign,
    )  # fmt: skip
    id_token = esia_id_token(  # sign(), with the armed ID token faults applied
        jwt.ID_HEADER,
        jwt.id_claims(
            issuer=issuer, client_id=esia.client_id, oid=person.oid, trusted=person.trusted,
            sid=sid, now=moment, auth_time=auth_time, lifetime=settings().esia_id_token_ttl,
            amr=jwt.amd_for(origin.amr),
        ),
        esia.token_alg, jwt.ALGORITHMS, sign,
    )  # fmt: skip
    return {
        "access_token": access,
        "refresh_token": str(uuid.uuid4()),
        "id_token": id_token,
        "token_type": "Bearer",
        "expires_in": access_ttl,
    }


def save_token(token: dict, request) -> None:
    """Store the new grant as digests, with the login's facts of the redeemed origin."""
    origin = request.authorization_code or request.refresh_token
    db_session().add(
        Token(
            protocol="esia", client_id=request.client.client_id, person_oid=request.user.oid,
            scope=" ".join(origin.scope.split()), auth_time=origin.auth_time,
            access_token_hash=digest(token["access_token"]),
            refresh_token_hash=digest(token["refresh_token"]), code_hash=origin.code_hash,
            issued_at=int(now()), expires_in=token["expires_in"], amr=list(origin.amr or []),
            extra={"sid": origin.extra["sid"]},
        )
    )  # fmt: skip
