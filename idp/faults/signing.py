"""token-header-override: a token re-signed with its header members set or removed and a key of
the arming test's choice; and certificates for those keys (document-override's `certificate`).

Keys: `idp` the IdP's current RSA key (RS256), `other` a TEST-ONLY RSA key the IdP never
publishes (a fixture file, so every worker signs with the same one), `none` an empty signature
(`alg` left as it was), `public` HMAC-SHA256 keyed with the IdP's RSA modulus as its JWKS
publishes it (base64url): the key-confusion attack. The claims are the token's own, byte for
byte, so claim faults armed alongside still show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from gosuslugi_sandbox.idp.faults.edge import Edge
from gosuslugi_sandbox.idp.runtime import now, runtime
from gosuslugi_sandbox.shared.config import FIXTURES_DIR

HEADER_OVERRIDE = "token-header-override"
OTHER_KEY_FILE = FIXTURES_DIR / "faults" / "other-rsa.key.pem"
# the header's alg for each key unless the fault sets one (none keeps the token's)
SIGNING_ALG = {"idp": "RS256", "other": "RS256", "public": "HS256"}


def b64(data: bytes) -> str:
    """base64url without padding (JOSE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """base64url, padding optional."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=1)
def other_key() -> rsa.RSAPrivateKey:
    """The key the IdP never publishes (parsed once: an RSA key costs tens of ms to load)."""
    return serialization.load_pem_private_key(OTHER_KEY_FILE.read_bytes(), password=None)


def _private(name: str) -> rsa.RSAPrivateKey:
    if name == "other":
        return other_key()
    # the RSA key that signs now (the newest current one, rotated or not)
    return runtime().keys.for_alg("RS256").private_key


def _signature(name: str, signing_input: bytes) -> bytes:
    if name == "none":
        return b""
    if name == "public":
        modulus = _private("idp").public_key().public_numbers().n
        secret = b64(modulus.to_bytes((modulus.bit_length() + 7) // 8, "big")).encode()
        return hmac.new(secret, signing_input, hashlib.sha256).digest()
    return _private(name).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def reheadered(edge: Edge | None, which: str, token: str) -> str:
    """token (which: id | access) as an armed token-header-override has it, else unchanged."""
    row = edge.taken.get(HEADER_OVERRIDE) if edge is not None else None
    if row is None or row.params["token"] not in (which, "both"):
        return token
    params = row.params
    head, body, _signature_part = token.split(".")
    header = {**json.loads(unb64(head)), **params["set"]}
    for member in params["remove"]:
        header.pop(member, None)
    if params["key"] in SIGNING_ALG and "alg" not in params["set"]:
        header["alg"] = SIGNING_ALG[params["key"]]
    encoded = b64(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{encoded}.{body}"
    edge.use(HEADER_OVERRIDE)
    return f"{signing_input}.{b64(_signature(params['key'], signing_input.encode()))}"


def certificate_pem(key: str = "idp", days: int = 365) -> str:
    """A self-signed certificate for key (idp | other), valid until `days` from now (negative:
    expired that long ago), from a day before then at the latest."""
    private = _private(key)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"fake ESIA token signer ({key})")])
    moment = datetime.fromtimestamp(now(), UTC)
    end = moment + timedelta(days=days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(moment, end) - timedelta(days=1))
        .not_valid_after(end)
        .sign(private, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
