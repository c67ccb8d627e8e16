"""64-bit hash primitives and every hash constant, each primitive twice: a
plain-Python spec (``fmix64``) and its numba kernel (``fmix64_nb``).

The Python versions use Python ints masked to 64 bits and are the reference
the kernels are tested against (``tests/test_shingling.py``), so a silent
uint64 overflow or a signed/unsigned mix-up in a kernel shows up as a mismatch.
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

# MurmurHash3's fmix64 multipliers; GOLDEN is 2**64 / phi, odd (a bijection too).
M1 = 0xFF51AFD7ED558CCD
M2 = 0xC4CEB9FE1A85EC53
GOLDEN = 0x9E3779B97F4A7C15

# FNV-1a (64-bit): the unit hash of words and characters.
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3

_P1 = uint64(P1)
_P2 = uint64(P2)
_P5 = uint64(P5)
_M1 = uint64(M1)
_M2 = uint64(M2)


# ---------------------------------------------------------------- reference


def rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & MASK64


def fmix64(x: int) -> int:
    """MurmurHash3's 64-bit finaliser (a bijection on 64-bit ints)."""
    x ^= x >> 33
    x = (x * M1) & MASK64
    x ^= x >> 33
    x = (x * M2) & MASK64
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
def rotl_nb(x, r):
    return (x << uint64(r)) | (x >> uint64(64 - r))


@njit(cache=True, inline="always")
def fmix64_nb(x):
    x ^= x >> uint64(33)
    x *= _M1
    x ^= x >> uint64(33)
    x *= _M2
    return x ^ (x >> uint64(33))


@njit(cache=True, inline="always")
def round_nb(acc, value):
    return rotl_nb(acc + value * _P2, 31) * _P1
