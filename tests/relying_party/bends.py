"""Changes for Stack.bend: the real IdP's answer, reshaped where no fault of its catalogue makes
the shape (another token header, access-token claims, a token or person document the RP must
refuse). Tokens are re-signed with the IdP's own RSA key unless the test says otherwise."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

Change = Callable[[int, dict, bytes], tuple[int, dict, bytes]]
JSON = {"Content-Type": "application/json"}


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """base64url, padding optional."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def patched(data: dict, patch: dict) -> dict:
    """data with patch applied; a value of None removes the key."""
    return {k: v for k, v in {**data, **patch}.items() if v is not None}


def idp_key(stack) -> rsa.RSAPrivateKey:
    """The IdP's RSA signing key (the stand's KEYS_DIR)."""
    return _private_key(stack.keys_dir / "rsa.pem")


@lru_cache(maxsize=4)
def _private_key(path: Path) -> rsa.RSAPrivateKey:
    # parsed once per key file: an RSA private key takes tens of milliseconds to load
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def certificate_pem(key: rsa.RSAPrivateKey, days: int = 30) -> str:
    """A self-signed certificate for key (PEM), valid from yesterday for days (or expired)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESIA test")])
    start = datetime.now(UTC) - timedelta(days=1 if days > 0 else 10)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(datetime.now(UTC) + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def sign(header: dict, claims: dict, key: rsa.RSAPrivateKey | bytes | None) -> str:
    """A compact JWS: RS256 with an RSA key, HS256 with bytes, an empty signature with None."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    if isinstance(key, bytes):
        signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    else:
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def resign(key, header: dict | None = None, claims: dict | None = None) -> Callable[[str], str]:
    """A token change: the same token with header/claims patched, signed with key."""

    def change(token: str) -> str:
        head, body, _signature = token.split(".")
        new_header = patched(json.loads(unb64(head)), header or {})
        return sign(new_header, patched(json.loads(unb64(body)), claims or {}), key)

    return change


def hs256_with_public_modulus(stack) -> Callable[[str], str]:
    """The confusion attack: HS256 keyed with the IdP's RSA public modulus (as in its JWKS)."""
    modulus = idp_key(stack).public_key().public_numbers().n
    secret = b64(modulus.to_bytes((modulus.bit_length() + 7) // 8, "big")).encode()
    return resign(secret, header={"alg": "HS256", "kid": None})


def signed_by_unknown_key(token: str) -> str:
    """The same claims signed by a key the IdP never published (its own kid)."""
    return resign(rsa.generate_private_key(65537, 2048), header={"kid": "unknown-kid"})(token)


def replace_json(name: str, make: Callable) -> Change:
    """A JSON answer with one member replaced by make(old value)."""

    def change(status: int, headers: dict, body: bytes):
        data = json.loads(body)
        data[name] = make(data.get(name))
        return status, headers, json.dumps(data, ensure_ascii=False).encode()

    return change


def patch_json(**patch) -> Change:
    """A JSON answer with members set or (None) removed."""

    def change(status: int, headers: dict, body: bytes):
        data = patched(json.loads(body), patch)
        return status, headers, json.dumps(data, ensure_ascii=False).encode()

    return change


def with_status(status: int, text: str) -> Change:
    """Another status and body (JSON content type)."""
    return lambda _status, headers, _body: (status, {**headers, **JSON}, text.encode())


def with_body(text: str) -> Change:
    """The same status, another body (JSON content type)."""
    return lambda status, headers, _body: (status, {**headers, **JSON}, text.encode())
