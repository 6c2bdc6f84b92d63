"""Regenerate fixtures/signature/: the sandbox's TEST-ONLY «Эл. подпись» certificates.

Usage: .venv/bin/python scripts/make-signature-certs.py [--force]
A test certification authority (RSA-2048, self-signed) issues one certificate per entry of
fixtures/signature/certificates.yaml: the person's name (CN, SN, GN) and SNILS (OID
1.2.643.100.3, NumericString, as in Russian qualified certificates), the dates given there,
and an RSA-2048 key stored as encrypted PKCS#8 whose password is the entry's PIN. Entries
marked `revoked` are listed in the CA's CRL (ca.crl.pem). Existing files are kept unless
--force is given (then everything is regenerated, the CA too).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "signature"
SNILS = ObjectIdentifier("1.2.643.100.3")
CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Песочница Госуслуг (TEST ONLY)"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Тестовый УЦ песочницы"),
    ]
)
CA_VALID = (datetime(2015, 1, 1, tzinfo=UTC), datetime(2050, 1, 1, tzinfo=UTC))


def _moment(value) -> datetime:
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _persons() -> dict[int, dict]:
    data = yaml.safe_load((ROOT / "fixtures" / "persons.yaml").read_text(encoding="utf-8"))
    return {int(p["oid"]): p for p in data["persons"]}


def _subject(person: dict) -> x509.Name:
    full = " ".join(p for p in (person["last_name"], person["first_name"],
                                person.get("middle_name")) if p)  # fmt: skip
    given = " ".join(p for p in (person["first_name"], person.get("middle_name")) if p)
    snils = "".join(c for c in str(person["snils"]) if c.isdigit())
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.COMMON_NAME, full),
            x509.NameAttribute(NameOID.SURNAME, person["last_name"]),
            x509.NameAttribute(NameOID.GIVEN_NAME, given),
            x509.NameAttribute(SNILS, snils, _type=_ASN1Type.NumericString),
        ]
    )


def _certificate(entry: dict, person: dict, serial: int, ca_key, key) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_subject(person))
        .issuer_name(CA_NAME)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(_moment(entry["not_before"]))
        .not_valid_after(_moment(entry["not_after"]))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def main() -> None:
    """Write the CA, every certificate with its PIN-protected key, and the CRL."""
    force = "--force" in sys.argv[1:]
    if (OUT / "ca.crt.pem").exists() and not force:
        print(f"kept    {OUT} (use --force to regenerate)")
        return
    entries = yaml.safe_load((OUT / "certificates.yaml").read_text(encoding="utf-8"))
    persons = _persons()
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(CA_NAME)
        .issuer_name(CA_NAME)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(CA_VALID[0])
        .not_valid_after(CA_VALID[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (OUT / "ca.crt.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(CA_NAME)
        .last_update(datetime(2025, 6, 1, tzinfo=UTC))
        .next_update(CA_VALID[1])
    )
    for serial, entry in enumerate(entries["certificates"], start=0x5100):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _certificate(entry, persons[int(entry["person"])], serial, ca_key, key)
        pem_key = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(str(entry["pin"]).encode()),
        )
        (OUT / f"{entry['id']}.crt.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (OUT / f"{entry['id']}.key.pem").write_bytes(pem_key)
        if entry.get("revoked"):
            revoked = (
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(_moment(entry["revoked"]))
                .build()
            )
            crl = crl.add_revoked_certificate(revoked)
        print(f"written {entry['id']}: serial {serial:#x}")
    signed = crl.sign(ca_key, hashes.SHA256())
    (OUT / "ca.crl.pem").write_bytes(signed.public_bytes(serialization.Encoding.PEM))
    print(f"written {OUT}/ca.crt.pem, ca.crl.pem")


if __name__ == "__main__":
    main()
