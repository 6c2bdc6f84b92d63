"""The ESIA (Gosuslugi) protocol dialect of the fake IdP: `init_app(app)` plugs it in.

Endpoints: /aas/oauth2/ac, /aas/oauth2/v2/ac (authorization), /aas/oauth2/te,
/aas/oauth2/v3/te (token), /rs/prns/{oid}[/ctts|addrs|docs[/{id}]] (person REST),
/idp/ext/Logout, /esia/certs/{RS256,GOST3410_2012_256}.pem (token-signing certificates).
Settings (IDP_ESIA_* environment or test config): the esia_* ones of
gosuslugi_sandbox.idp.config.Settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.x509.oid import NameOID
from flask import Flask

from gosuslugi_sandbox.idp import interactions
from gosuslugi_sandbox.idp.clients import register_metadata_check
from gosuslugi_sandbox.idp.config import Settings
from gosuslugi_sandbox.idp.esia import authorize, rest, token_endpoint
from gosuslugi_sandbox.idp.esia.clients import registration_problem
from gosuslugi_sandbox.idp.esia.errors import AccessDenied
from gosuslugi_sandbox.idp.esia.jwt import GOST, RS256, GostSigner
from gosuslugi_sandbox.idp.esia.server import Server, create_server
from gosuslugi_sandbox.idp.faults.redirects import register_access_denied
from gosuslugi_sandbox.idp.pages import add_json_prefix
from gosuslugi_sandbox.shared import gost_x509
from gosuslugi_sandbox.shared.keys import SigningKeys


@dataclass
class EsiaRuntime:
    """Keys, published certificates and the AuthorizationServer of the dialect, once per app."""

    gost_signer: GostSigner
    certificates: dict[str, bytes] = field(default_factory=dict)
    server: Server | None = None
    rsa_certificates: dict[str, bytes] = field(default_factory=dict)  # kid → PEM, kept

    def certificate(self, alg: str, keys: SigningKeys) -> bytes | None:
        """The PEM certificate of the key that signs with alg now (RS256: follows rotation)."""
        if alg != RS256:
            return self.certificates.get(alg)
        key = keys.for_alg(RS256)
        if key.kid not in self.rsa_certificates:
            self.rsa_certificates[key.kid] = _rsa_certificate(key.private_key)
        return self.rsa_certificates[key.kid]


def _rsa_certificate(private: RSAPrivateKey) -> bytes:
    """A self-signed certificate for the core's RSA signing key (clients that pin a key)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake ESIA token signer (RS256)")])
    start = datetime(2025, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(0x256)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 20))
        .sign(private, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def register_hooks() -> None:
    """ESIA's part of shared mechanisms: its client fields' check and its access_denied text.

    Called before the database set-up, which validates the fixture clients' esia_* fields.
    """
    register_metadata_check(registration_problem)
    register_access_denied("esia", AccessDenied().description)


def init_app(app: Flask) -> None:
    """Register the ESIA blueprints, the `esia` protocol and its tables."""
    read = Settings.from_config(app.config)
    certificate = gost_x509.load_certificate(Path(read.esia_gost_cert_file).read_bytes())
    key = gost_x509.load_private_key(Path(read.esia_gost_key_file).read_bytes())
    if key.public_key != certificate.public_key or key.curve.size != 32:
        raise ValueError("ESIA_GOST_KEY_FILE: not the 256-bit key of ESIA_GOST_CERT_FILE")
    signer = GostSigner(key, certificate)
    app.extensions["esia"] = EsiaRuntime(
        gost_signer=signer,
        certificates={GOST: certificate.pem()},
        server=create_server(app),
    )
    app.register_blueprint(authorize.bp)
    app.register_blueprint(token_endpoint.bp)
    app.register_blueprint(rest.bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(token_endpoint.bp)
    for prefix in ("/rs/", "/aas/oauth2/te", "/aas/oauth2/v3/te", "/esia/certs/"):
        add_json_prefix(app, prefix)
    interactions.register_protocol(app, "esia", "esia_auth.resume")
