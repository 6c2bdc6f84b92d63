"""Signing keys: generated once into the instance directory, parsed once, published as JWKS."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, KeySet, RSAKey


def write_secret_file(path: Path, data: bytes) -> bool:
    """Write a secret atomically with mode 0600 unless the file already exists.

    Returns True when this call created the file. Two workers starting together both
    generate, and the first rename wins; the loser reads the winner's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.close(fd)
        os.link(tmp, path)  # fails if another process got there first
        return True
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)


def generate_pem(kind: str) -> bytes:
    """A new RSA-2048 or P-256 private key as unencrypted PKCS#8 PEM."""
    if kind == "RSA":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "EC":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"unknown key type {kind}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_or_create_pem(path: Path, kind: str) -> bytes:
    """Return the PEM private key at path, generating an RSA-2048 or P-256 key on first use."""
    if not path.exists():  # generating an RSA key costs 30-300 ms: only when missing
        write_secret_file(path, generate_pem(kind))
    return path.read_bytes()


def import_private_key(pem: bytes) -> RSAKey | ECKey:
    """Parse a PEM private key into a joserfc key whose kid is its RFC 7638 thumbprint."""
    # The keys are our own (generated here or shipped as fixtures), so the slow RSA
    # consistency check (tens of ms per key, on every start) buys nothing.
    private = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    cls = RSAKey if isinstance(private, rsa.RSAPrivateKey) else ECKey
    key = cls.import_key(private)
    key.ensure_kid()
    return key


def public_jwk(key: RSAKey | ECKey) -> dict:
    """The public JWK of a key with `use` and `alg` (RS256 for RSA, ES256 for EC)."""
    data = key.as_dict(private=False)
    data["use"] = "sig"
    data["alg"] = "RS256" if data["kty"] == "RSA" else "ES256"
    return data


class SigningKeys:
    """The provider's private keys, parsed once at start and kept."""

    def __init__(self, keys: list[RSAKey | ECKey]) -> None:
        self.keys = list(keys)
        self.key_set = KeySet(self.keys)
        self._public_jwks = {"keys": [self._public_dict(k) for k in self.keys]}

    @staticmethod
    def _public_dict(key: RSAKey | ECKey) -> dict:
        return public_jwk(key)

    @classmethod
    def from_directory(cls, directory: Path) -> SigningKeys:
        """Load rsa.pem and ec.pem from directory, generating them when missing."""
        return cls(
            [
                import_private_key(load_or_create_pem(directory / "rsa.pem", "RSA")),
                import_private_key(load_or_create_pem(directory / "ec.pem", "EC")),
            ]
        )

    def for_alg(self, alg: str) -> RSAKey | ECKey:
        """The first key that can sign with alg (RS256 → RSA, ES256 → EC)."""
        kty = "RSA" if alg.startswith(("RS", "PS")) else "EC"
        for key in self.keys:
            if key.key_type == kty:
                return key
        raise LookupError(f"no signing key for {alg}")

    def public_jwks(self) -> dict:
        """The JWKS document (public parts only), built once."""
        return self._public_jwks
