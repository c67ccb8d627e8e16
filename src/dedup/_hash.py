"""64-bit hash primitives, each twice: a numba kernel and a plain-Python spec.

The Python versions use Python ints masked to 64 bits and are the reference
the kernels are tested against (``tests/test_hash.py``), so a silent uint64
overflow or a signed/unsigned mix-up in a kernel shows up as a mismatch.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

MASK64 = (1 << 64) - 1

# xxHash64 primes.
P1 = 0x9E3779B185EBCA87
P2 = 0xC2B2AE3D27D4EB4F
P3 = 0x165667B19E3779F9
P4 = 0x85EBCA77C2B2AE63
P5 = 0x27D4EB2F165667C5

_P1 = uint64(P1)
_P2 = uint64(P2)
_P3 = uint64(P3)
_P4 = uint64(P4)
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
    """Hash of a sequence of 64-bit values: xxHash64 rounds, then fmix64."""
    h = P5
    count = 0
    for v in values:
        h = (rotl((h + v * P2) & MASK64, 31) * P1) & MASK64
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


@njit(cache=True, inline="always")
def _read64(buf, i):
    v = uint64(0)
    for j in range(8):
        v |= uint64(buf[i + j]) << uint64(8 * j)
    return v


@njit(cache=True, inline="always")
def _read32(buf, i):
    v = uint64(0)
    for j in range(4):
        v |= uint64(buf[i + j]) << uint64(8 * j)
    return v


@njit(cache=True)
def _xxh64(buf, start, end, seed):
    """xxHash64 of ``buf[start:end]`` (a uint8 array); equals ``xxhash.xxh64_intdigest``."""
    length = end - start
    i = start
    s = uint64(seed)
    if length >= 32:
        v1 = s + _P1 + _P2
        v2 = s + _P2
        v3 = s
        v4 = s - _P1
        limit = end - 32
        while i <= limit:
            v1 = _round(v1, _read64(buf, i))
            v2 = _round(v2, _read64(buf, i + 8))
            v3 = _round(v3, _read64(buf, i + 16))
            v4 = _round(v4, _read64(buf, i + 24))
            i += 32
        h = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)
        h = (h ^ _round(uint64(0), v1)) * _P1 + _P4
        h = (h ^ _round(uint64(0), v2)) * _P1 + _P4
        h = (h ^ _round(uint64(0), v3)) * _P1 + _P4
        h = (h ^ _round(uint64(0), v4)) * _P1 + _P4
    else:
        h = s + _P5
    h += uint64(length)
    while i + 8 <= end:
        h ^= _round(uint64(0), _read64(buf, i))
        h = _rotl(h, 27) * _P1 + _P4
        i += 8
    if i + 4 <= end:
        h ^= _read32(buf, i) * _P1
        h = _rotl(h, 23) * _P2 + _P3
        i += 4
    while i < end:
        h ^= uint64(buf[i]) * _P5
        h = _rotl(h, 11) * _P1
        i += 1
    h ^= h >> uint64(33)
    h *= _P2
    h ^= h >> uint64(29)
    h *= _P3
    h ^= h >> uint64(32)
    return h


@njit(cache=True)
def _combine_ring(ring, total, count):
    """``combine`` of the last ``count`` values pushed into the ring buffer."""
    n = ring.shape[0]
    h = _P5
    for j in range(total - count, total):
        h = _round(h, ring[j % n])
    return _fmix64(h ^ uint64(count))


@njit(cache=True)
def _combine_array(values):
    h = _P5
    for j in range(values.shape[0]):
        h = _round(h, values[j])
    return _fmix64(h ^ uint64(values.shape[0]))


def xxh64_array(data: bytes, seed: int = 0) -> int:
    """Run the xxHash64 kernel on ``data`` (testing helper)."""
    buf = np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, np.uint8)
    return int(_xxh64(buf, 0, len(data), seed))
