"""Time the GOST R 34.10-2012 verification options behind docs/performance.md ("GOST").

Usage: .venv/bin/python scripts/measure-gost.py
Each option verifies the same OpenSSL-made signature (checked first, so a fast but wrong option
cannot win): gostcrypto (pure Python, told the standard byte order), gosuslugi_sandbox.shared.gost
(fastecdsa's compiled curve arithmetic), and OpenSSL's GOST engine through a subprocess per
verification (a binding is not on PyPI). Also Streebog and certificate parsing, cached and not.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gostcrypto.gostsignature as gostcrypto_signature

from gosuslugi_sandbox.shared import gost, gost_x509

MESSAGE = b"esia-gostopenid fullname2025.09.02 13:00:29 +03000b1e6c2f-4f2b-4f6a-9d3c-3c1c6a0f8e11"


def ms(fn, runs: int) -> float:
    """Median milliseconds of fn over runs."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print one line per option."""
    work = Path(tempfile.mkdtemp(prefix="measure-gost-"))
    key_file, pub, sig, msg = work / "k.pem", work / "pub.pem", work / "sig", work / "msg"
    engine = ["-engine", "gost"]
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)  # noqa: E731
    run(
        "genpkey",
        *engine,
        "-algorithm",
        "gost2012_256",
        "-pkeyopt",
        "paramset:A",
        "-out",
        str(key_file),
    )
    run("pkey", *engine, "-in", str(key_file), "-pubout", "-out", str(pub))
    msg.write_bytes(MESSAGE)
    run("dgst", *engine, "-md_gost12_256", "-sign", str(key_file), "-out", str(sig), str(msg))
    signature = sig.read_bytes()
    public = gost_x509.load_private_key(key_file.read_bytes()).public_key

    params = gostcrypto_signature.CURVES_R_1323565_1_024_2019[
        "id-tc26-gost-3410-2012-256-paramSetB"
    ]
    point = public.x.to_bytes(32, "big") + public.y.to_bytes(32, "big")
    swapped = signature[32:] + signature[:32]

    def with_gostcrypto() -> bool:
        verifier = gostcrypto_signature.new(gostcrypto_signature.MODE_256, params)
        digest = gost.streebog256(MESSAGE)[::-1]
        return verifier.verify(bytearray(point), bytearray(digest), bytearray(swapped))

    def with_openssl() -> bool:
        args = ["dgst", *engine, "-md_gost12_256", "-verify", str(pub), "-signature", str(sig)]
        return subprocess.run(["openssl", *args, str(msg)], capture_output=True).returncode == 0

    options = {
        "gostcrypto (pure Python)": (with_gostcrypto, 10),
        "gosuslugi_sandbox.shared.gost (fastecdsa)": (
            lambda: public.verify(MESSAGE, signature),
            200,
        ),
        "openssl subprocess": (with_openssl, 30),
    }
    for name, (fn, runs) in options.items():
        assert fn(), f"{name} does not verify OpenSSL's signature"
        print(f"verify, {name:<28} {ms(fn, runs):8.2f} ms")
    small = ms(lambda: gost.streebog256(MESSAGE), 200)
    print(f"Streebog-256 of {len(MESSAGE)} B                {small:8.2f} ms")
    kb = b"x" * 1024
    print(f"Streebog-256 of 1 KiB (a token)   {ms(lambda: gost.streebog256(kb), 50):8.2f} ms")
    cert = (
        Path(__file__).resolve().parent.parent / "fixtures/esia/gost-client.crt.pem"
    ).read_bytes()
    der = gost_x509.unarmor(cert)

    def parse_uncached() -> None:
        gost_x509.load_certificate.cache_clear()
        gost_x509.certificate_hash.cache_clear()
        gost_x509.load_certificate(cert).hash  # noqa: B018

    print(f"certificate parse + hash, uncached {ms(parse_uncached, 50):8.2f} ms")
    gost_x509.load_certificate(cert)
    cached = ms(lambda: gost_x509.load_certificate(cert).hash, 200)
    print(f"certificate parse + hash, cached   {cached:8.3f} ms")
    assert gost_x509.load_certificate(cert).der == der


if __name__ == "__main__":
    main()
