"""Regenerate fixtures/esia/: TEST-ONLY client certificates/keys and the IdP's GOST key.

Usage: .venv/bin/python scripts/make-esia-test-keys.py [--force]
Writes an RSA certificate + key for the legacy `esia-cms` fixture client, a GOST R 34.10-2012/256
certificate + key (CryptoPro-A curve) for the GOST clients, and the IdP's own GOST key +
certificate (signs GOST3410_2012_256 tokens). Keys are PKCS#8 as `openssl genpkey -engine gost`
writes them; certificates are self-signed CA certificates `openssl verify` accepts (checked in
tests/idp_esia/test_gost_openssl.py). Existing files are kept unless --force is given; the
script prints each GOST certificate's client_certificate_hash.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gosuslugi_sandbox.shared import gost, gost_x509

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "esia"
NOT_BEFORE = datetime(2025, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2045, 1, 1, tzinfo=UTC)


def write(name: str, data: bytes, force: bool) -> bool:
    """Write one file unless it exists (or force); return whether it was written."""
    path = OUT / name
    if path.exists() and not force:
        print(f"kept    {path}")
        return False
    path.write_bytes(data)
    print(f"written {path}")
    return True


def make_rsa(force: bool) -> None:
    """The `cms` client's RSA-2048 key and self-signed certificate."""
    if (OUT / "cms-client.key.pem").exists() and not force:
        print("kept    cms-client.*")
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "esia-test-cms (TEST ONLY)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST ONLY - gosuslugi sandbox"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0xC35)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write("cms-client.key.pem", pem_key, True)
    write("cms-client.crt.pem", cert.public_bytes(serialization.Encoding.PEM), True)


def make_gost(prefix: str, common_name: str, serial: int, force: bool) -> None:
    """A GOST R 34.10-2012/256 key and self-signed certificate."""
    if (OUT / f"{prefix}.key.pem").exists() and not force:
        print(f"kept    {prefix}.*")
        return
    key = gost.PrivateKey.generate(gost.CRYPTOPRO_A)
    der = gost_x509.build_self_signed(key, common_name, serial, NOT_BEFORE, NOT_AFTER)
    write(f"{prefix}.key.pem", gost_x509.dump_private_key(key), True)
    write(f"{prefix}.crt.pem", gost_x509.load_certificate(der).pem(), True)


def main() -> None:
    """Generate every missing file and print the GOST certificate hashes."""
    force = "--force" in sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    make_rsa(force)
    make_gost("gost-client", "esia-test-gost (TEST ONLY)", 0x6057, force)
    make_gost("idp-gost", "fake ESIA token signer (TEST ONLY)", 0x1D9, force)
    for prefix in ("gost-client", "idp-gost"):
        cert = gost_x509.load_certificate((OUT / f"{prefix}.crt.pem").read_bytes())
        print(f"{prefix}: client_certificate_hash = {cert.hash}")


if __name__ == "__main__":
    main()
