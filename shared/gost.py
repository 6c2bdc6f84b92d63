"""GOST R 34.10-2012 signatures and Streebog (GOST R 34.11-2012) as RFC 7091/9215 and OpenSSL.

Byte order, the trap this module exists to get right (docs/esia-gost.md has the evidence):
- the digest e is the Streebog output read as a LITTLE-endian integer (mod q, 0 becomes 1);
- a signature is `s || r`, each big-endian and as long as the key (32 or 64 bytes): what
  OpenSSL's GOST engine, BouncyCastle and X.509/CMS (RFC 9215 section 3.2) write. CryptoPro's
  raw output is the same bytes fully reversed.
Curve arithmetic runs in fastecdsa (compiled, ~1 ms per scalar multiplication); Streebog is
gostcrypto's. Private keys are injectable (`PrivateKey(curve, d)`), and so is `k` for tests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cached_property

import gostcrypto.gosthash
import gostcrypto.gostsignature as _params
from fastecdsa.curve import Curve as _EcCurve
from fastecdsa.point import Point

_TC26 = _params.CURVES_R_1323565_1_024_2019


class UnsupportedKey(ValueError):
    """A key, curve or signature algorithm this module cannot verify."""


@dataclass(frozen=True)
class Curve:
    """A GOST curve in short Weierstrass form; size is the key (and half-signature) length."""

    name: str
    size: int
    p: int
    a: int
    b: int
    q: int
    x: int
    y: int

    @cached_property
    def ec(self) -> _EcCurve:
        """fastecdsa's curve, built on first use: ~2 ms each, for the eight curves named below."""
        return _EcCurve(self.name, self.p, self.a, self.b, self.q, self.x, self.y)

    @cached_property
    def generator(self) -> Point:
        """The base point P."""
        return Point(self.x, self.y, self.ec)


def _tc26(name: str, size: int) -> Curve:
    c = _TC26[name]
    return Curve(name, size, c["p"], c["a"], c["b"], c["q"], c["x"], c["y"])


# The test curve of GOST R 34.10-2012 (RFC 7091 appendix A.1, id-GostR3410-2001-TestParamSet).
TEST_256 = Curve(
    "id-GostR3410-2001-TestParamSet", 32,
    p=0x8000000000000000000000000000000000000000000000000000000000000431, a=7,
    b=0x5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E,
    q=0x8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3, x=2,
    y=0x08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8,
)  # fmt: skip
CRYPTOPRO_A = _tc26("id-tc26-gost-3410-2012-256-paramSetB", 32)  # = CryptoPro-A, XchA
CRYPTOPRO_B = _tc26("id-tc26-gost-3410-2012-256-paramSetC", 32)
CRYPTOPRO_C = _tc26("id-tc26-gost-3410-2012-256-paramSetD", 32)  # = XchB
TC26_256_A = _tc26("id-tc26-gost-3410-2012-256-paramSetA", 32)  # twisted Edwards, as Weierstrass
TC26_512_A = _tc26("id-tc26-gost-3410-12-512-paramSetA", 64)
TC26_512_B = _tc26("id-tc26-gost-3410-12-512-paramSetB", 64)
TC26_512_C = _tc26("id-tc26-gost-3410-2012-512-paramSetC", 64)

# publicKeyParamSet OIDs (RFC 4357, RFC 7836, RFC 9215) → curve
CURVES: dict[str, Curve] = {
    "1.2.643.2.2.35.0": TEST_256,
    "1.2.643.2.2.35.1": CRYPTOPRO_A,
    "1.2.643.2.2.35.2": CRYPTOPRO_B,
    "1.2.643.2.2.35.3": CRYPTOPRO_C,
    "1.2.643.2.2.36.0": CRYPTOPRO_A,
    "1.2.643.2.2.36.1": CRYPTOPRO_C,
    "1.2.643.7.1.2.1.1.1": TC26_256_A,
    "1.2.643.7.1.2.1.1.2": CRYPTOPRO_A,
    "1.2.643.7.1.2.1.1.3": CRYPTOPRO_B,
    "1.2.643.7.1.2.1.1.4": CRYPTOPRO_C,
    "1.2.643.7.1.2.1.2.1": TC26_512_A,
    "1.2.643.7.1.2.1.2.2": TC26_512_B,
    "1.2.643.7.1.2.1.2.3": TC26_512_C,
}
OID_CRYPTOPRO_A = "1.2.643.2.2.35.1"


def curve_for(oid: str) -> Curve:
    """The curve of a publicKeyParamSet OID; UnsupportedKey for any other."""
    try:
        return CURVES[oid]
    except KeyError:
        raise UnsupportedKey(f"unknown GOST parameter set {oid}") from None


def streebog(data: bytes, size: int = 32) -> bytes:
    """Streebog (GOST R 34.11-2012) of data, 32 or 64 bytes, as OpenSSL prints it."""
    name = "streebog256" if size == 32 else "streebog512"
    return bytes(gostcrypto.gosthash.new(name, data=data).digest())


def streebog256(data: bytes) -> bytes:
    """The Streebog-256 digest of data."""
    return streebog(data, 32)


def _e(curve: Curve, digest: bytes) -> int:
    # RFC 7091 section 6.1 step 2: e = alpha mod q, alpha the digest as a little-endian integer
    return int.from_bytes(digest, "little") % curve.q or 1


@dataclass(frozen=True)
class PublicKey:
    """A GOST public key: the point Q on its curve (validated on construction)."""

    curve: Curve
    x: int
    y: int
    point: Point = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            point = Point(self.x, self.y, self.curve.ec)
        except ValueError as exc:
            raise UnsupportedKey("the public key is not a point of its curve") from exc
        object.__setattr__(self, "point", point)

    def verify_digest(self, digest: bytes, signature: bytes) -> bool:
        """Whether signature (`s || r`) is valid for this digest (RFC 7091 section 6.2)."""
        size, q = self.curve.size, self.curve.q
        if len(signature) != 2 * size:
            return False
        s, r = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        if not (0 < r < q and 0 < s < q):
            return False
        v = pow(_e(self.curve, digest), -1, q)
        c = self.curve.generator * (s * v % q) + self.point * (-r * v % q)
        if c.z == 0:  # the point at infinity (fastecdsa's projective z)
            return False
        return c.x % q == r

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether signature (`s || r`) is valid for data (hashed with Streebog of the key size)."""
        return self.verify_digest(streebog(data, self.curve.size), signature)


@dataclass(frozen=True)
class PrivateKey:
    """A GOST private key d on its curve."""

    curve: Curve
    d: int = field(repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.d < self.curve.q:
            raise UnsupportedKey("a private key must be in 1..q-1")

    @classmethod
    def generate(cls, curve: Curve = CRYPTOPRO_A) -> PrivateKey:
        """A fresh random key."""
        return cls(curve, secrets.randbelow(curve.q - 1) + 1)

    @cached_property
    def public_key(self) -> PublicKey:
        """Q = dP."""
        point = self.curve.generator * self.d
        return PublicKey(self.curve, point.x, point.y)

    def sign_digest(self, digest: bytes, k: int | None = None) -> bytes:
        """The signature `s || r` of a digest (RFC 7091 section 6.1); k only for test vectors."""
        curve, q = self.curve, self.curve.q
        e = _e(curve, digest)
        while True:
            nonce = k if k is not None else secrets.randbelow(q - 1) + 1
            r = (curve.generator * nonce).x % q
            s = (r * self.d + nonce * e) % q
            if r and s:
                return s.to_bytes(curve.size, "big") + r.to_bytes(curve.size, "big")
            if k is not None:
                raise ValueError("this k gives r = 0 or s = 0")

    def sign(self, data: bytes) -> bytes:
        """The signature `s || r` of data (hashed with Streebog of the key size)."""
        return self.sign_digest(streebog(data, self.curve.size))


def cryptopro_order(signature: bytes) -> bytes:
    """CryptoPro's raw signature layout: the standard `s || r` fully byte-reversed (and back)."""
    return signature[::-1]
