"""OpenSSL with its GOST engine as an outside oracle (scripts/ensure-openssl-gost.sh installs it).

Each helper runs the `openssl` command line exactly as the public ESIA client libraries do
(ilimurzin/esia's CliOpenSSLSigner, fr05t1k/esia's CliSignerPKCS7, ekapusta/oauth2-esia's
OpensslCli): nothing here computes a GOST signature itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ENGINE = ["-engine", "gost"]


def available() -> bool:
    """Whether `openssl engine gost` loads."""
    if shutil.which("openssl") is None:
        return False
    done = subprocess.run(["openssl", "engine", "gost"], capture_output=True, check=False)
    return done.returncode == 0


# `make test` installs the engine first (scripts/ensure-openssl-gost.sh); a bare `pytest` on a
# machine without it cannot run these oracle tests, which is a reason outside the project.
requires_engine = pytest.mark.skipif(
    not available(), reason="OpenSSL's GOST engine is not installed (make test installs it)"
)


def run(*args: str, data: bytes | None = None) -> bytes:
    """Run openssl with args; its stdout (raises with stderr on failure)."""
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return done.stdout


def ok(*args: str, data: bytes | None = None) -> bool:
    """Whether openssl with args exits 0."""
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    return done.returncode == 0


def genkey(directory: Path, name: str, algorithm: str = "gost2012_256", paramset: str = "A"):
    """A key pair and a self-signed certificate made by OpenSSL: (key path, cert path)."""
    key, cert = directory / f"{name}.key.pem", directory / f"{name}.crt.pem"
    run("genpkey", *ENGINE, "-algorithm", algorithm, "-pkeyopt", f"paramset:{paramset}",
        "-out", str(key))  # fmt: skip
    run("req", *ENGINE, "-x509", "-new", "-key", str(key), "-days", "30", "-subj",
        f"/CN={name}/O=TEST ONLY", "-out", str(cert))  # fmt: skip
    return key, cert


def dgst_sign(key: Path, message: bytes, digest: str = "md_gost12_256") -> bytes:
    """`openssl dgst -md_gost12_256 -sign` (ilimurzin/esia, go-api-epgu after reversal)."""
    return run("dgst", *ENGINE, f"-{digest}", "-sign", str(key), data=message)


def dgst_verify(pubkey_or_cert: Path, message: bytes, signature: bytes, tmp: Path) -> bool:
    """`openssl dgst -verify` with a public key (extracted from a certificate if given one)."""
    pub = tmp / "verify.pub.pem"
    if b"CERTIFICATE" in pubkey_or_cert.read_bytes():
        pub.write_bytes(run("x509", *ENGINE, "-in", str(pubkey_or_cert), "-pubkey", "-noout"))
    else:
        pub.write_bytes(pubkey_or_cert.read_bytes())
    sig = tmp / "verify.sig"
    sig.write_bytes(signature)
    return ok("dgst", *ENGINE, "-md_gost12_256", "-verify", str(pub), "-signature", str(sig),
              data=message)  # fmt: skip


def smime_sign(key: Path, cert: Path, message: bytes, attributes: bool = False) -> bytes:
    """Detached CMS, DER: `openssl smime -engine gost -sign -binary -outform DER [-noattr]`."""
    args = ["smime", *ENGINE, "-sign", "-binary", "-outform", "DER"]
    if not attributes:
        args.append("-noattr")
    return run(*args, "-signer", str(cert), "-inkey", str(key), data=message)


def verify_certificate(cert: Path) -> bool:
    """`openssl verify -check_ss_sig` of a self-signed certificate against itself."""
    return ok("verify", *ENGINE, "-check_ss_sig", "-CAfile", str(cert), str(cert))
