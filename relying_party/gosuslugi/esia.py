"""Gosuslugi over the ESIA dialect: authorization, token exchange, /rs/prns/{oid}.

With a GOST key (RP_ESIA_KEY_FILE) the client speaks today's ESIA: /aas/oauth2/v2/ac and
/aas/oauth2/v3/te, a raw GOST R 34.10-2012 signature of client_id + scope + scope_org +
timestamp + state + redirect_uri (+ code at v3/te) and client_certificate_hash. With an RSA key
it speaks the legacy dialect: /aas/oauth2/ac and /te, a detached CMS signature of scope +
timestamp + client_id + state. The state is a UUID4 kept server-side (single use) like the OIDC
flow's; the token request signs a fresh state that the IdP must echo. Both tokens are verified
against the IdP's published certificate for their alg, then the person is read over REST with
the access token and mapped to the same identity as OIDC's.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from urllib.parse import urlencode

import requests

from gosuslugi_sandbox.relying_party.config import Settings, settings
from gosuslugi_sandbox.relying_party.gosuslugi import client
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import store_attempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.esia_signers import GOST, ClientSigner
from gosuslugi_sandbox.relying_party.gosuslugi.esia_tokens import (
    SUPPORTED_ALGS,
    check_times,
    idp_public_key,
    timestamp,
    verify_jws,
)
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.web import now
from gosuslugi_sandbox.shared.formats import FormatError, parse_date

log = logging.getLogger(__name__)

AUTHORIZE_PATH = "/aas/oauth2/ac"
TOKEN_PATH = "/aas/oauth2/te"
AUTHORIZE_PATH_V2 = "/aas/oauth2/v2/ac"  # GOST clients: the current endpoints
TOKEN_PATH_V3 = "/aas/oauth2/v3/te"
PERSON_PATH = "/rs/prns/{oid}"
# ESIA error codes (error_description "ESIA-0070xx: ...") with a refusal of their own.
CALLBACK_CODES = {
    "ESIA-007004": "access_denied",
    "ESIA-007055": "not_trusted",
    "ESIA-007008": "idp_unavailable",
}
_ESIA_CODE = re.compile(r"ESIA-\d{6}")
_RU_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")


class EsiaProtocol(GosuslugiTrip):
    """The trip in ESIA's dialect (raw GOST, or legacy RSA CMS)."""

    name = "esia"

    def __init__(self, config: Mapping) -> None:
        read = Settings.from_config(config)
        algs = list(read.esia_token_algs)
        unsupported = [a for a in algs if a not in SUPPORTED_ALGS]
        if not algs or unsupported:
            raise ValueError(
                f"RP_ESIA_TOKEN_ALGS={algs!r}: the fake Sferum verifies ESIA tokens signed "
                f"with {sorted(SUPPORTED_ALGS)} only"
            )
        # Parsing keys is slow: once per app, never per request.
        self.signer = ClientSigner.from_files(read.esia_cert_file, read.esia_key_file)
        self.gost = self.signer.mode == GOST
        self.authorize_path = AUTHORIZE_PATH_V2 if self.gost else AUTHORIZE_PATH
        self.token_path = TOKEN_PATH_V3 if self.gost else TOKEN_PATH

    @staticmethod
    def _endpoint(path: str) -> str:
        return settings().idp_url.rstrip("/") + path

    def _signed(self, state: str, code: str = "") -> dict[str, str]:
        """client_id, scope, state, timestamp and the client_secret signing them."""
        cfg = settings()
        client_id, scope, moment = cfg.esia_client_id, cfg.esia_scope, timestamp(now())
        if self.gost:  # scope_org is empty: the fake Sferum asks for no organization scopes
            text = client_id + scope + moment + state + self.redirect_uri() + code
        else:
            text = scope + moment + client_id + state
        params = {
            "client_id": client_id,
            "client_secret": self.signer.sign(text),
            "scope": scope,
            "state": state,
            "timestamp": moment,
        }
        if self.gost:
            params["client_certificate_hash"] = self.signer.certificate_hash
        return params

    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh UUID4 state and return the signed authorization URL."""
        state = str(uuid.uuid4())
        store_attempt(state, purpose, user_id)
        params = {
            **self._signed(state),
            "redirect_uri": self.redirect_uri(),
            "response_type": "code",
            "access_type": "online",
        }
        return self._endpoint(self.authorize_path) + "?" + urlencode(params), state

    def identity(self, attempt, code: str) -> dict:
        """Exchange the code, verify both tokens, read the person."""
        token = self._exchange(code)
        oid, trusted_in_token = self._verify_tokens(token)
        person = self._person(oid, token["access_token"])
        return identity_of(oid, person, trusted_in_token)

    def callback_refusal(self, args: Mapping[str, str]) -> str:
        """access_denied, or the refusal ESIA's error code in the description names."""
        if args.get("error") == "access_denied":
            return "access_denied"
        found = _ESIA_CODE.search(args.get("error_description") or "")
        return CALLBACK_CODES.get(found.group(0) if found else "", "idp_error")

    def _exchange(self, code: str) -> dict:
        state = str(uuid.uuid4())  # a fresh one, which the IdP echoes
        form = {
            **self._signed(state, code),
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": self.redirect_uri(),
            "token_type": "Bearer",
        }
        try:
            response = requests.post(
                self._endpoint(self.token_path),
                data=form,
                timeout=client.timeouts(),
                allow_redirects=False,
                verify=client.tls_verify(),
            )
        except requests.RequestException as exc:
            raise client.translate_http_error(exc, "token") from exc
        if response.status_code >= 500:
            raise GosuslugiError("idp_unavailable", f"token: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise GosuslugiError("idp_garbage", "token: not JSON") from exc
        if not isinstance(body, dict):
            raise GosuslugiError("idp_garbage", "token: not a JSON object")
        if response.status_code != 200 or "error" in body:
            description = str(body.get("error_description", ""))[:200]
            raise GosuslugiError("token_error", f"token: {body.get('error')!r} {description}")
        if body.get("state") != state:
            raise GosuslugiError("esia_state", "token response does not echo the state")
        for name in ("access_token", "id_token"):
            if not isinstance(body.get(name), str):
                raise GosuslugiError("idp_garbage", f"token response without {name}")
        return body

    def _verify_tokens(self, token: dict) -> tuple[int, bool]:
        """Both tokens checked; the person's oid and the ID token's is_tru."""
        cfg = settings()
        algs = list(cfg.esia_token_algs)
        leeway, max_age = cfg.clock_leeway, cfg.id_token_max_age
        issuer, client_id, moment = cfg.esia_issuer, cfg.esia_client_id, now()

        id_claims = verify_jws(token["id_token"], "id_token", "id", algs, idp_public_key)
        if id_claims.get("iss") != issuer:
            raise GosuslugiError("id_token_iss", f"iss {id_claims.get('iss')!r}")
        if id_claims.get("aud") != client_id:
            raise GosuslugiError("id_token_aud", f"aud {id_claims.get('aud')!r}")
        check_times(id_claims, "id_token", moment, leeway, max_age)

        access = verify_jws(token["access_token"], "access_token", "access", algs, idp_public_key)
        if access.get("iss") != issuer:
            raise GosuslugiError("access_token_iss", f"iss {access.get('iss')!r}")
        if access.get("client_id") != client_id:
            raise GosuslugiError("access_token_client", f"client_id {access.get('client_id')!r}")
        check_times(access, "access_token", moment, leeway, max_age)

        sub = id_claims.get("sub")
        if not isinstance(sub, int) or isinstance(sub, bool) or sub <= 0:
            raise GosuslugiError("id_token_sub", f"sub {sub!r} is not a number")
        subject = id_claims.get("urn:esia:sbj")
        subject = subject if isinstance(subject, dict) else {}
        if not _same_number(subject.get("urn:esia:sbj:oid"), sub):
            raise GosuslugiError("esia_subject", "sub differs from urn:esia:sbj:oid")
        if not _same_number(access.get("urn:esia:sbj_id"), sub):
            raise GosuslugiError("esia_subject", "access token urn:esia:sbj_id differs from sub")
        return sub, subject.get("urn:esia:sbj:is_tru") is True

    def _person(self, oid: int, access_token: str) -> dict:
        """GET /rs/prns/{oid} with the bearer token (that oid and nothing else)."""
        url = self._endpoint(PERSON_PATH.format(oid=oid))
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        return client.get_json(url, "person", headers=headers, refusal="esia_person")


def _same_number(value: object, expected: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value == expected


def identity_of(oid: int, person: dict, trusted_in_token: bool) -> dict:
    """The identity dict the views use, from the person REST object and the ID token."""

    def text(name: str) -> str:
        value = person.get(name)
        return value.strip() if isinstance(value, str) else ""

    trusted = person.get("trusted")
    if not isinstance(trusted, bool):
        raise GosuslugiError("idp_garbage", "person: trusted is not a boolean")
    if trusted != trusted_in_token:
        raise GosuslugiError("esia_trusted", f"person trusted={trusted}, is_tru={trusted_in_token}")
    birth = text("birthDate")
    if birth:
        if not _RU_DATE.match(birth):
            raise GosuslugiError("idp_garbage", "person: birthDate is not dd.MM.yyyy")
        try:
            birth = parse_date(birth).isoformat()
        except FormatError as exc:
            raise GosuslugiError("idp_garbage", "person: birthDate unreadable") from exc
    gender = text("gender")
    if gender not in ("M", "F", ""):
        raise GosuslugiError("idp_garbage", "person: gender is not M or F")
    return {
        "oid": str(oid),
        "last_name": text("lastName"),
        "first_name": text("firstName"),
        "middle_name": text("middleName"),
        "gender": gender,
        "birth_date": birth,
        "snils": text("snils"),
        "trusted": trusted,
    }
