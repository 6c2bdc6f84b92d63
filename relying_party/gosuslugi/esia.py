"""Gosuslugi over the ESIA dialect: authorization, token exchange, /rs/prns/{oid}.

With a GOST key (RP_ESIA_KEY_FILE) the client speaks today's ESIA: /aas/oauth2/v2/ac and
/aas/oauth2/v3/te, a raw GOST R 34.10-2012 signature of client_id + scope + scope_org +
timestamp + state + redirect_uri (+ code at v3/te) and client_certificate_hash. With an RSA key
it speaks the legacy dialect: /aas/oauth2/ac and /te, a detached CMS signature of scope +
timestamp + client_id + state. The state is a UUID4 kept server-side (single use) like the OIDC
flow's. The token request goes through Authlib's OAuth 2 client with the signed client_secret
registered as its client authentication method (`esia_signed_secret`); it signs a fresh state
that the IdP must echo. Both tokens are verified against the IdP's published certificate for
their alg (esia_tokens), then the person is read over REST with the access token and mapped to
the same Identity as OIDC's.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_qs, url_decode

from gosuslugi_sandbox.relying_party.config import Settings, settings
from gosuslugi_sandbox.relying_party.gosuslugi import client
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.esia_signers import GOST, ClientSigner
from gosuslugi_sandbox.relying_party.gosuslugi.esia_tokens import (
    SUPPORTED_ALGS,
    timestamp,
    verify_tokens,
)
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity, PersonFields, map_identity
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip
from gosuslugi_sandbox.relying_party.gosuslugi.signed import TimeRules
from gosuslugi_sandbox.relying_party.web import now

log = logging.getLogger(__name__)

AUTHORIZE_PATH = "/aas/oauth2/ac"
TOKEN_PATH = "/aas/oauth2/te"
AUTHORIZE_PATH_V2 = "/aas/oauth2/v2/ac"  # GOST clients: the current endpoints
TOKEN_PATH_V3 = "/aas/oauth2/v3/te"
PERSON_PATH = "/rs/prns/{oid}"
SIGNED_SECRET = "esia_signed_secret"  # the client authentication method at the token endpoint
# ESIA error codes (error_description "ESIA-0070xx: ...") with a refusal of their own.
CALLBACK_CODES = {
    "ESIA-007004": "access_denied",
    "ESIA-007055": "not_trusted",
    "ESIA-007008": "idp_unavailable",
}
_ESIA_CODE = re.compile(r"ESIA-\d{6}")
# The person REST object: camelCase names, gender M or F only, birthDate as dd.MM.yyyy.
PERSON = PersonFields(
    "person",
    {
        "last_name": "lastName",
        "first_name": "firstName",
        "middle_name": "middleName",
        "birth_date": "birthDate",
    },
    birth_date_form=re.compile(r"^\d{2}\.\d{2}\.\d{4}$"),
)


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

    def _sign_token_request(self, auth, method: str, uri: str, headers: dict, body: str):
        """Authlib client auth method: add the signed client_secret to the token request."""
        sent = dict(url_decode(body))
        extra = self._signed(sent["state"], sent.get("code", ""))
        body = add_params_to_qs(body, [(k, v) for k, v in extra.items() if k not in sent])
        if "Content-Length" in headers:
            headers["Content-Length"] = str(len(body))
        return uri, headers, body

    def start(self, purpose: str, user_id: int | None) -> tuple[str, str]:
        """Persist a fresh UUID4 state and return the signed authorization URL."""
        state = str(uuid.uuid4())
        LinkAttempt.start(purpose, user_id, state)
        params = {
            **self._signed(state),
            "redirect_uri": self.redirect_uri(),
            "response_type": "code",
            "access_type": "online",
        }
        return self._endpoint(self.authorize_path) + "?" + urlencode(params), state

    def callback_refusal(self, args: Mapping[str, str]) -> str:
        """access_denied, or the refusal ESIA's error code in the description names."""
        if args.get("error") == "access_denied":
            return "access_denied"
        found = _ESIA_CODE.search(args.get("error_description") or "")
        return CALLBACK_CODES.get(found.group(0) if found else "", "idp_error")

    def exchange(self, attempt: LinkAttempt, code: str) -> dict:
        """The code for both tokens, signed with a fresh state that the IdP must echo."""
        state = str(uuid.uuid4())
        session = client.oauth_session(
            client_id=settings().esia_client_id,
            token_endpoint_auth_method=SIGNED_SECRET,
            redirect_uri=self.redirect_uri(),
        )
        session.register_client_auth_method((SIGNED_SECRET, self._sign_token_request))
        token = client.fetch_token(
            session,
            self._endpoint(self.token_path),
            body=urlencode({"state": state}),  # Authlib keeps its own `state` out of the body
            grant_type="authorization_code",
            code=code,
            token_type="Bearer",
        )
        if token.get("state") != state:
            raise GosuslugiError("esia_state", "token response does not echo the state")
        for name in ("access_token", "id_token"):
            if not isinstance(token.get(name), str):
                raise GosuslugiError("idp_garbage", f"token response without {name}")
        return token

    def verify(self, attempt: LinkAttempt, token: dict) -> tuple[int, bool]:
        """Both tokens; the person's oid and the ID token's is_tru."""
        cfg = settings()
        return verify_tokens(
            token,
            list(cfg.esia_token_algs),
            cfg.esia_issuer,
            cfg.esia_client_id,
            TimeRules.from_settings(cfg, now()),
        )

    def identity(self, token: dict, verified: tuple[int, bool]) -> Identity:
        """GET /rs/prns/{oid} with the bearer token (that oid and nothing else), mapped."""
        oid, trusted_in_token = verified
        url = self._endpoint(PERSON_PATH.format(oid=oid))
        headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}
        person = client.get_json(url, "person", headers=headers, refusal="esia_person")
        trusted = person.get("trusted")
        if not isinstance(trusted, bool):
            raise GosuslugiError("idp_garbage", "person: trusted is not a boolean")
        if trusted != trusted_in_token:
            raise GosuslugiError(
                "esia_trusted", f"person trusted={trusted}, is_tru={trusted_in_token}"
            )
        return map_identity(str(oid), person, PERSON, trusted)
