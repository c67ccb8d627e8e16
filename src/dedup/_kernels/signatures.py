"""Signatures: a batch of texts -> a (documents x num_perm) uint32 matrix.

Three schemes, each a numba kernel with a plain-Python spec
(:func:`reference_signature`) that the tests compare by exact equality:

``fss`` (default)
    Fast similarity sketching (Dahlgaard, Knudsen and Thorup, 2017). In round
    ``r`` every shingle is thrown into one of the ``k`` bins with value
    ``r + u`` (``u`` uniform in [0, 1)); a bin keeps its smallest value. Rounds
    stop once every bin holds a value, since later rounds only bring larger
    values; after 8 rounds the few bins still empty (tiny documents only) get
    a classic min-hash value. Each bin's value comes from the union's minimum,
    so ``P[sig_a[i] == sig_b[i]] = J(a, b)`` (unbiased), and a document costs
    O(n + k log k) instead of min-hash's O(n k). Because each shingle lands in
    one bin per round, the bins sample the set nearly without replacement and
    the estimate's variance is at or below min-hash's binomial J(1-J)/k.
``datasketch``
    ``datasketch.MinHash`` 2.x (its ``affine32`` default): fmix32 of the 32-bit
    token hash, then ``a*h + b mod 2**32`` per permutation. O(n k).
``datasketch-legacy``
    datasketch before 2.0: ``(a*h + b) % (2**61 - 1) & (2**32 - 1)`` where
    ``a*h + b`` wraps modulo 2**64 as numpy's uint64 arithmetic does (an
    overflow datasketch shipped; reproduced here on purpose, for compatibility).

For the datasketch schemes the token hash is the low 32 bits of dedup's
64-bit shingle hash, so feeding those values to ``datasketch.MinHash`` with
an identity ``hashfunc`` gives identical signatures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numba import njit, uint64

from .hashing import GOLDEN, M1, MASK64, P1, P2, fmix64, fmix64_nb
from .shingling import (
    ROOM,
    S_DONE,
    S_UNSAFE,
    STATE_SIZE,
    fill_hashes,
    item_char_hashes,
    new_ring,
    reset_state,
    unit_table,
)

if TYPE_CHECKING:  # the specs take a Config; kernels never import it
    from ..config import Config

EMPTY = 0xFFFFFFFF  # a bin no shingle reached (all bins of an empty document)
ROUNDS = 8
MASK28 = (1 << 28) - 1
MERSENNE = (1 << 61) - 1
CHUNK = 4096  # shingle hashes buffered per document before streaming

THROW_MUL = M1



# ---------------------------------------------------------------- reference


def round_seed(seed: int, r: int) -> int:
    return fmix64((seed * P1 + r + 1) & MASK64)


def bin_seed(seed: int, j: int) -> int:
    return fmix64((seed * P2 + j + 1) & MASK64)


def throw_hash(h: int, rs: int) -> int:
    """Where a shingle (already a mixed 64-bit hash) lands in a round: one
    multiply and a shift; bin from the high bits, value from the low."""
    x = ((h ^ rs) * THROW_MUL) & MASK64
    return x ^ (x >> 29)


def fmix32(x: int) -> int:
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & 0xFFFFFFFF
    return x ^ (x >> 16)


def permutations(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of the datasketch schemes, drawn as datasketch draws them."""
    gen = np.random.RandomState(config.seed)
    k = config.num_perm
    if config.scheme == "datasketch-legacy":
        ab = np.array(
            [
                (gen.randint(1, MERSENNE, dtype=np.uint64), gen.randint(0, MERSENNE, dtype=np.uint64))
                for _ in range(k)
            ],
            dtype=np.uint64,
        ).T
        return ab[0].copy(), ab[1].copy()
    if config.scheme == "datasketch":
        a = gen.randint(0, 1 << 31, k, dtype=np.uint32).astype(np.uint64) * 2 + 1
        b = gen.randint(0, 1 << 32, k, dtype=np.uint32).astype(np.uint64)
        return a, b
    return np.zeros(k, np.uint64), np.zeros(k, np.uint64)


def reference_signature(hashes: Iterable[int], config: Config) -> list[int]:
    """The signature of a set of 64-bit shingle hashes, in plain Python ints."""
    hashes = set(hashes)
    k, seed = config.num_perm, config.seed
    sig = [EMPTY] * k
    if config.scheme == "fss":
        for r in range(ROUNDS):
            rs = round_seed(seed, r)
            for h in hashes:
                x = throw_hash(h, rs)
                j = ((x >> 32) * k) >> 32
                sig[j] = min(sig[j], (r << 28) | (x & MASK28))
        for j in range(k):
            if sig[j] == EMPTY and hashes:
                bs = bin_seed(seed, j)
                sig[j] = min((ROUNDS << 28) | (fmix64(h ^ bs) & MASK28) for h in hashes)
        return sig
    a, b = (list(map(int, p)) for p in permutations(config))
    for h in hashes:
        hv = h & 0xFFFFFFFF
        for i in range(k):
            if config.scheme == "datasketch":
                v = (a[i] * fmix32(hv) + b[i]) & 0xFFFFFFFF
            else:
                v = (((a[i] * hv + b[i]) & MASK64) % MERSENNE) & 0xFFFFFFFF
            sig[i] = min(sig[i], v)
    return sig


# ------------------------------------------------------------------ kernels


@njit(cache=True, inline="always")
def throw_hash_nb(h, rs):
    x = (h ^ rs) * uint64(THROW_MUL)
    return x ^ (x >> uint64(29))


@njit(cache=True, inline="always")
def _fss_round(hashes, cnt, r, rs, k, sig, filled):
    """One round over ``hashes[:cnt]``; returns how many bins hold a value.
    Branch-free: whether a bin improves is unpredictable early in a round."""
    for t in range(cnt):
        x = throw_hash_nb(hashes[t], rs)
        j = ((x >> uint64(32)) * uint64(k)) >> uint64(32)
        old = sig[j]
        filled += old == np.uint32(EMPTY)
        sig[j] = min(old, np.uint32((uint64(r) << uint64(28)) | (x & uint64(MASK28))))
    return filled


@njit(cache=True, inline="always")
def _fss_fallback(hashes, cnt, bs, j, sig):
    for t in range(cnt):
        v = np.uint32((uint64(ROUNDS) << uint64(28)) | (fmix64_nb(hashes[t] ^ bs[j]) & uint64(MASK28)))
        if v < sig[j]:
            sig[j] = v


@njit(cache=True, inline="always")
def _perm_update(hashes, cnt, scheme, a, b, sig):
    k = sig.shape[0]
    m32 = uint64(0xFFFFFFFF)
    for t in range(cnt):
        hv = hashes[t] & m32
        if scheme == 1:
            hv ^= hv >> uint64(16)
            hv = (hv * uint64(0x85EBCA6B)) & m32
            hv ^= hv >> uint64(13)
            hv = (hv * uint64(0xC2B2AE35)) & m32
            hv ^= hv >> uint64(16)
            for i in range(k):
                v = np.uint32((a[i] * hv + b[i]) & m32)
                if v < sig[i]:
                    sig[i] = v
        else:
            for i in range(k):
                v = np.uint32(((a[i] * hv + b[i]) % uint64(MERSENNE)) & m32)
                if v < sig[i]:
                    sig[i] = v


@njit(cache=True, nogil=True)
def seeds_nb(seed, k):
    """The per-round seeds and the per-bin fallback seeds (see round_seed, bin_seed)."""
    rs = np.empty(ROUNDS, dtype=np.uint64)
    for r in range(ROUNDS):
        rs[r] = fmix64_nb(uint64(seed) * uint64(P1) + uint64(r + 1))
    bs = np.empty(k, dtype=np.uint64)
    for j in range(k):
        bs[j] = fmix64_nb(uint64(seed) * uint64(P2) + uint64(j + 1))
    return rs, bs


@njit(cache=True, nogil=True)
def signatures_nb(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, scheme, seed, a, b, sig, counts):
    """Fill ``sig[d]`` and ``counts[d]`` (shingles emitted, repeats included; -1
    for a document that needs CPython's normalisation) per document."""
    k = sig.shape[1]
    rs, bs = seeds_nb(seed, k)
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    ring = new_ring(n)
    chunk = np.empty(CHUNK, dtype=np.uint64)
    for d in range(starts.shape[0]):
        row = sig[d]
        row[:] = np.uint32(EMPTY)
        start, end = starts[d], ends[d]
        reset_state(st, start)
        total = 0
        filled = 0
        cnt = 0
        first = True
        # Round 0 (or the whole min-hash for the datasketch schemes), streamed.
        while st[S_DONE] == 0:
            cnt = fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, chunk)
            total += cnt
            if scheme == 0:
                filled = _fss_round(chunk, cnt, 0, rs[0], k, row, filled)
            else:
                _perm_update(chunk, cnt, scheme, a, b, row)
            if st[S_DONE] == 0:
                first = False
        if st[S_UNSAFE] == 1:
            counts[d] = -1
            continue
        counts[d] = total
        if scheme != 0 or total == 0 or filled == k:
            continue
        # Later rounds: small documents still sit in the chunk; others re-scan.
        for r in range(1, ROUNDS):
            if first:
                filled = _fss_round(chunk, cnt, r, rs[r], k, row, filled)
            else:
                reset_state(st, start)
                while st[S_DONE] == 0:
                    c = fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, chunk)
                    filled = _fss_round(chunk, c, r, rs[r], k, row, filled)
            if filled == k:
                break
        if filled == k:
            continue
        for j in range(k):
            if row[j] != np.uint32(EMPTY):
                continue
            if first:
                _fss_fallback(chunk, cnt, bs, j, row)
            else:
                reset_state(st, start)
                while st[S_DONE] == 0:
                    c = fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, chunk)
                    _fss_fallback(chunk, c, bs, j, row)


@njit(cache=True, inline="always")
def row_signature(hashes, cnt, scheme, rs, bs, a, b, row):
    """Fill ``row`` (all EMPTY) with the signature of ``hashes[:cnt]``, held in memory."""
    if cnt == 0:
        return
    if scheme != 0:
        _perm_update(hashes, cnt, scheme, a, b, row)
        return
    k = row.shape[0]
    filled = 0
    for r in range(ROUNDS):
        filled = _fss_round(hashes, cnt, r, rs[r], k, row, filled)
        if filled == k:
            return
    for j in range(k):
        if row[j] == np.uint32(EMPTY):
            _fss_fallback(hashes, cnt, bs, j, row)


@njit(cache=True, nogil=True)
def signatures_of_hashes(flat, offs, scheme, seed, a, b, sig):
    """Signatures of items whose shingle hashes are already in memory
    (``flat[offs[d]:offs[d + 1]]``, repeats allowed): same result as
    :func:`signatures_nb` on their texts."""
    k = sig.shape[1]
    rs, bs = seeds_nb(seed, k)
    for d in range(offs.shape[0] - 1):
        row = sig[d]
        row[:] = np.uint32(EMPTY)
        seg = flat[offs[d] : offs[d + 1]]
        row_signature(seg, seg.shape[0], scheme, rs, bs, a, b, row)


KEY_MUL1 = GOLDEN
KEY_MUL2 = P2
OK, UNSAFE_ITEM, LONG = 0, 1, 2


def reference_content_key(hashes: Sequence[int]) -> tuple[int, int]:
    """Two 64-bit folds of a shingle hash *sequence*: equal for items whose
    normalised text gives the same shingles in the same order (so equal
    sets, Jaccard 1); 128 bits make a chance collision negligible."""
    k1, k2 = 0, 0
    for h in hashes:
        k1 = ((k1 ^ h) * KEY_MUL1) & MASK64
        k2 = ((k2 + h) * KEY_MUL2) & MASK64
    return fmix64(k1 ^ len(hashes)), fmix64(k2)


@njit(cache=True, nogil=True)
def sketches(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, scheme, seed, a, b, limit,
              sig, counts, keys, status):
    """Signatures, shingle counts and content keys of many short items, each
    hashed once into a scratch buffer that stays in cache. Items longer than
    ``limit`` bytes (status LONG) or needing CPython's normalisation
    (UNSAFE_ITEM) are left for the caller."""
    k = sig.shape[1]
    rs, bs = seeds_nb(seed, k)
    scratch = np.empty(2 * limit + 4 * ROOM, dtype=np.uint64)
    ring = new_ring(n)
    uval = unit_table(amap)
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    for d in range(starts.shape[0]):
        start, end = starts[d], ends[d]
        if end - start > limit:
            status[d] = LONG
            continue
        if char_mode:
            cnt, ok = item_char_hashes(buf, start, end, flags, moff, mlen, mdata, uval, raw, n, ring, scratch, 0, 0)
        else:
            reset_state(st, start)
            cnt = 0
            while st[S_DONE] == 0 and scratch.shape[0] - cnt >= 2 * ROOM:
                cnt += fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, scratch[cnt:])
            if st[S_DONE] == 0:  # no room left (expansions): stream it
                status[d] = LONG
                continue
            ok = st[S_UNSAFE] == 0
        if not ok:
            status[d] = UNSAFE_ITEM
            continue
        counts[d] = cnt
        k1 = uint64(0)
        k2 = uint64(0)
        for t in range(cnt):
            h = scratch[t]
            k1 = (k1 ^ h) * uint64(KEY_MUL1)
            k2 = (k2 + h) * uint64(KEY_MUL2)
        keys[d, 0] = fmix64_nb(k1 ^ uint64(cnt))
        keys[d, 1] = fmix64_nb(k2)
        row = sig[d]
        row[:] = np.uint32(EMPTY)
        row_signature(scratch, cnt, scheme, rs, bs, a, b, row)




@njit(cache=True, nogil=True)
def kept_sketches(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, scheme, seed, a, b,
                  sig, counts, keys, unsafe, flat, offs):
    """:func:`sketches` of items of any length that also keeps what it hashed:
    each item's shingle hashes (as emitted, repeats included) are written
    once, to ``flat`` from position ``offs[0]`` on, and its signature and
    content key are taken from them while they are still in cache. Item
    ``d``'s hashes end up at ``flat[offs[d]:offs[d + 1]]``. Returns ``flat``,
    or a larger copy of it when it was too short. An item needing CPython's
    normalisation is marked ``unsafe`` and left empty for the caller."""
    m = starts.shape[0]
    k = sig.shape[1]
    rs, bs = seeds_nb(seed, k)
    ring = new_ring(n)
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    pos = offs[0]
    for d in range(m):
        reset_state(st, starts[d])
        begin = pos
        while st[S_DONE] == 0:
            if flat.shape[0] - pos < 2 * ROOM:
                grown = np.empty(2 * flat.shape[0] + 4 * ROOM, dtype=np.uint64)
                grown[:pos] = flat[:pos]
                flat = grown
            pos += fill_hashes(buf, ends[d], flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, flat[pos:])
        if st[S_UNSAFE] == 1:
            unsafe[d] = True
            pos = begin
            offs[d + 1] = pos
            continue
        cnt = pos - begin
        counts[d] = cnt
        k1 = uint64(0)
        k2 = uint64(0)
        for t in range(begin, pos):
            h = flat[t]
            k1 = (k1 ^ h) * uint64(KEY_MUL1)
            k2 = (k2 + h) * uint64(KEY_MUL2)
        keys[d, 0] = fmix64_nb(k1 ^ uint64(cnt))
        keys[d, 1] = fmix64_nb(k2)
        row = sig[d]
        row[:] = np.uint32(EMPTY)
        row_signature(flat[begin:pos], cnt, scheme, rs, bs, a, b, row)
        offs[d + 1] = pos
    return flat
