"""A local test CA and a server certificate for HTTPS on demand (`TLS=1 make run`, tests).

The CA is made once per directory and kept (so a developer trusts it once); the server
certificate is remade when it misses a host name, nears its end or was not issued by that CA.
TEST ONLY: the CA's private key sits next to its certificate, unencrypted.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import certifi  # requests' own roots (requests depends on it)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
CERT_DAYS = 397  # browsers refuse longer-lived server certificates
RENEW_BEFORE = dt.timedelta(days=30)
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)  # fmt: skip


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA and the server certificate are."""

    directory: Path
    ca_cert: Path  # trust this (browser, NODE_EXTRA_CA_CERTS, RP_CA_BUNDLE)
    ca_key: Path
    cert: Path  # the servers' certificate (with the CA after it) and key
    key: Path
    bundle: Path  # the CA plus the usual public roots (REQUESTS_CA_BUNDLE, SSL_CERT_FILE)

    def server_context(self) -> ssl.SSLContext:
        """An ssl context serving the certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Write atomically (a reader never sees half a file); private files are 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _make_ca(files: TlsFiles) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gosuslugi sandbox (TEST ONLY)"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Gosuslugi sandbox test CA {os.urandom(4).hex()}"
            ),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(files.ca_key, _key_pem(key), private=True)
    _write(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM))


def _san(hosts: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _cert_is_current(files: TlsFiles, ca: x509.Certificate, hosts: list[str]) -> bool:
    if not (files.cert.exists() and files.key.exists()):
        return False
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    if cert.issuer != ca.subject or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    try:
        ca.public_key().verify(
            cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm)
        )
    except Exception:  # any failure means "not issued by this CA": make a new one
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return all(name in san for name in _san(hosts))


def _make_cert(files: TlsFiles, ca: x509.Certificate, hosts: list[str]) -> None:
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(_san(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(files.key, _key_pem(key), private=True)
    # the chain (certificate, then the CA): a client pinning the CA's key finds it presented
    chain = cert.public_bytes(serialization.Encoding.PEM) + files.ca_cert.read_bytes()
    _write(files.cert, chain)


def _public_roots() -> bytes:
    return Path(certifi.where()).read_bytes()


def ensure_tls(directory: str | Path, hosts: Iterable[str] = ()) -> TlsFiles:
    """The CA (made once) and a current server certificate for loopback and `hosts`."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(
        directory=root,
        ca_cert=root / "ca.pem",
        ca_key=root / "ca.key",
        cert=root / "server.pem",
        key=root / "server.key",
        bundle=root / "ca-bundle.pem",
    )
    if not (files.ca_cert.exists() and files.ca_key.exists()):
        _make_ca(files)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    wanted = [*LOOPBACK_HOSTS, *(h.strip().lower() for h in hosts if h.strip())]
    if not _cert_is_current(files, ca, wanted):
        _make_cert(files, ca, wanted)
    bundle = files.ca_cert.read_bytes() + b"\n" + _public_roots()
    if not files.bundle.exists() or files.bundle.read_bytes() != bundle:
        _write(files.bundle, bundle)
    return files


def spki_pins(pem_file: str | Path) -> list[str]:
    """base64 SHA-256 of each certificate's public key in a PEM file (Chromium's
    --ignore-certificate-errors-spki-list: a chain presenting one of them is accepted)."""
    pins = []
    for cert in x509.load_pem_x509_certificates(Path(pem_file).read_bytes()):
        der = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        pins.append(base64.b64encode(hashlib.sha256(der).digest()).decode())
    return pins


def trust_instructions(files: TlsFiles) -> str:
    """How to make clients trust the test CA (printed by `TLS=1 make run`)."""
    ca, bundle = files.ca_cert, files.bundle
    return "\n".join(
        [
            f"HTTPS with a local test CA: {ca}",
            "Trust it (TEST ONLY; remove it when done):",
            f"  Python requests:  export REQUESTS_CA_BUNDLE={bundle}",
            f"  Node.js:          export NODE_EXTRA_CA_CERTS={ca}",
            f"  curl, OpenSSL:    curl --cacert {ca} …  (or SSL_CERT_FILE={bundle})",
            f"  Java:             keytool -importcert -alias gosuslugi-sandbox -file {ca}",
            "  Chromium/Chrome:  Settings → Privacy and security → Security →",
            f"                    Manage certificates → Authorities → Import {ca}",
            "  Firefox:          Settings → Certificates → View Certificates →",
            f"                    Authorities → Import {ca}",
        ]
    )
