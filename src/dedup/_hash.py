"""64-bit hash primitives, each twice: a numba kernel and a plain-Python spec.

The Python versions use Python ints masked to 64 bits and are the reference
the kernels are tested against (``tests/test_hash.py``), so a silent uint64
overflow or a signed/unsigned mix-up in a kernel shows up as a mismatch.
"""

from __future__ import annotations

from numba import njit, uint64

MASK64 = (1 << 64) - 1

# xxHash64 primes (its round function mixes our shingle hashes).
P1 = 0x9E3779B185EBCA87
P2 = 0xC2B2AE3D27D4EB4F
P3 = 0x165667B19E3779F9
P4 = 0x85EBCA77C2B2AE63
P5 = 0x27D4EB2F165667C5

BASE = P1  # odd, so multiplying by it is a bijection modulo 2**64

_P1 = uint64(P1)
_P2 = uint64(P2)
_P5 = uint64(P5)
_M1 = uint64(0xFF51AFD7ED558CCD)
_M2 = uint64(0xC4CEB9FE1A85EC53)


# ---------------------------------------------------------------- reference


def rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & MASK64


def fmix64(x: int) -> int:
    """MurmurHash3's 64-bit finaliser (a bijection on 64-bit ints)."""
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    return x ^ (x >> 33)


def combine(values) -> int:
    """Hash of a sequence of 64-bit values: a polynomial in BASE modulo 2**64
    (so a sliding window updates in O(1)), then fmix64 with the length."""
    h = 0
    count = 0
    for v in values:
        h = (h * BASE + v) & MASK64
        count += 1
    return fmix64(h ^ count)


# ------------------------------------------------------------------ kernels


@njit(cache=True, inline="always")
def _rotl(x, r):
    return (x << uint64(r)) | (x >> uint64(64 - r))


@njit(cache=True, inline="always")
def _fmix64(x):
    x ^= x >> uint64(33)
    x *= _M1
    x ^= x >> uint64(33)
    x *= _M2
    return x ^ (x >> uint64(33))


@njit(cache=True, inline="always")
def _round(acc, value):
    return _rotl(acc + value * _P2, 31) * _P1
