"""A tiny, deliberately misbehaving OIDC provider for testing the RP's checks in isolation.

It does what a test tells it: discovery with any issuer, any JWKS, an authorize endpoint that
redirects straight back with a code (or an error), a token endpoint that returns whatever ID
token the test crafted (or a 500, garbage, a slow answer), and a userinfo endpoint.
It checks what the RP sends (client_secret_basic, PKCE S256, redirect_uri) and records it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

ROSHCHINA = {
    "sub": "1000000001",
    "family_name": "Рощина",
    "given_name": "Елизавета",
    "middle_name": "Вадимовна",
    "gender": "female",
    "birthdate": "1990-04-23",
    "snils": "112-233-445 95",
    "trusted": True,
}


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_rsa() -> RSAKey:
    """A fresh RSA key with a kid."""
    key = RSAKey.generate_key(2048)
    key.ensure_kid()
    return key


def new_ec() -> ECKey:
    """A fresh P-256 key with a kid."""
    key = ECKey.generate_key("P-256")
    key.ensure_kid()
    return key


def public(key) -> dict:
    """A key's public JWK, with use=sig."""
    data = key.as_dict(private=False)
    data["use"] = "sig"
    return data


class FakeProvider:
    """Behaviour knobs (attributes) and the Flask app that obeys them."""

    client_id = "sferum"
    client_secret = "sferum-secret"

    def __init__(self) -> None:
        self.url = ""
        self.rsa = new_rsa()
        self.ec = new_ec()
        self.signing_key = self.rsa
        self.alg = "RS256"
        self.jwks: list[dict] | None = None  # None: the public part of signing_key
        self.header: dict = {}  # merged into the JOSE header; {"kid": None} drops the kid
        self.identity = dict(ROSHCHINA)
        self.claims: dict = {}  # merged into the ID token claims
        self.remove: set[str] = set()  # claims removed from the ID token
        self.raw_id_token = None  # callable(claims) -> str, replaces signing
        self.corrupt_signature = False
        self.discovery_issuer: str | None = None
        self.discovery_status = 200
        self.discovery_body: str | None = None
        self.jwks_status = 200
        self.authorize_error: str | None = None
        self.token_status = 200
        self.token_body: str | None = None  # raw body instead of the token JSON
        self.token_delay = 0.0
        self.userinfo: dict = {}  # merged into the userinfo answer
        self.userinfo_body: str | None = None
        self.codes: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.jwks_fetches = 0
        self.app = self._build()

    @property
    def issuer(self) -> str:
        return self.url

    def _build(self) -> Flask:
        app = Flask(__name__)
        app.add_url_rule("/.well-known/openid-configuration", view_func=self.discovery)
        app.add_url_rule("/jwks", view_func=self.jwks_view)
        app.add_url_rule("/authorize", view_func=self.authorize)
        app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        app.add_url_rule("/userinfo", view_func=self.userinfo_view)
        return app

    def discovery(self):
        if self.discovery_body is not None:
            return self.discovery_body, self.discovery_status
        doc = {
            "issuer": self.discovery_issuer or self.issuer,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "userinfo_endpoint": self.url + "/userinfo",
            "jwks_uri": self.url + "/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
        }
        return jsonify(doc), self.discovery_status

    def jwks_view(self):
        self.jwks_fetches += 1
        if self.jwks_status != 200:
            return "down", self.jwks_status
        keys = self.jwks if self.jwks is not None else [public(self.signing_key)]
        return jsonify({"keys": keys})

    def authorize(self):
        args = request.args.to_dict()
        self.authorize_requests.append(args)
        target = args["redirect_uri"]
        if self.authorize_error:
            query = {"error": self.authorize_error, "state": args.get("state", "")}
            return redirect(target + "?" + urlencode(query))
        code = secrets.token_urlsafe(16)
        self.codes[code] = args
        return redirect(target + "?" + urlencode({"code": code, "state": args["state"]}))

    def token(self):
        form = request.form.to_dict()
        self.token_requests.append({"form": form, "auth": request.authorization})
        if self.token_delay:
            time.sleep(self.token_delay)
        if self.token_body is not None:
            return self.token_body, self.token_status, {"Content-Type": "application/json"}
        auth = request.authorization
        if not auth or (auth.username, auth.password) != (self.client_id, self.client_secret):
            return jsonify(error="invalid_client"), 401
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return jsonify(error="invalid_grant"), 400
        verifier = form.get("code_verifier", "")
        challenge = b64(hashlib.sha256(verifier.encode()).digest())
        if grant.get("code_challenge_method") != "S256" or grant.get("code_challenge") != challenge:
            return jsonify(error="invalid_grant", error_description="PKCE failed"), 400
        return (
            jsonify(
                access_token="at-" + secrets.token_urlsafe(8),
                token_type="Bearer",
                expires_in=3600,
                id_token=self.id_token(grant.get("nonce")),
            ),
            self.token_status,
        )

    def id_claims(self, nonce: str | None) -> dict:
        """The claims the next ID token carries."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
            "nonce": nonce,
            **self.identity,
            **self.claims,
        }
        for name in self.remove:
            claims.pop(name, None)
        return claims

    def id_token(self, nonce: str | None) -> str:
        claims = self.id_claims(nonce)
        if self.raw_id_token is not None:
            return self.raw_id_token(claims)
        header = {"alg": self.alg, "kid": getattr(self.signing_key, "kid", None), **self.header}
        header = {k: v for k, v in header.items() if v is not None}
        token = jwt.encode(header, claims, self.signing_key, algorithms=[self.alg])
        if self.corrupt_signature:
            head, payload, sig = token.split(".")
            raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
            raw[0] ^= 0xFF
            token = f"{head}.{payload}.{b64(bytes(raw))}"
        return token

    def userinfo_view(self):
        if not request.headers.get("Authorization", "").startswith("Bearer at-"):
            abort(401)
        if self.userinfo_body is not None:
            return self.userinfo_body, 200, {"Content-Type": "application/json"}
        return jsonify({**self.identity, **self.userinfo})


def unsigned_token(claims: dict) -> str:
    """An ID token with alg none."""
    head = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{head}.{b64(json.dumps(claims).encode())}."


def hs256_token(claims: dict, secret: bytes) -> str:
    """An ID token signed with HS256 (a symmetric key the RP must never accept)."""
    key = OctKey.import_key(secret)
    return jwt.encode({"alg": "HS256"}, claims, key, algorithms=["HS256"])
