"""LSH banding: the parameters (bands x rows), band keys, the bucket-table
kernels and candidate lookup (the table itself: :mod:`dedup._engine.buckets`).

A bucket remembers only the first and the latest document that fell in it.
A new document becomes a candidate of those two (a star on the first member
plus a chain through the members), so a template shared by 100,000 documents
costs two candidates per document and band, never all pairs. Each document's
candidates depend only on the documents before it, so a batch gives exactly
what adding the documents one by one gives.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from .hashing import GOLDEN, fmix64_nb, round_nb

RECALL_MARGIN = 0.02
RECALL_TARGET = 0.99


def candidate_probability(j: float, bands: int, rows: int) -> float:
    """P[two documents of Jaccard ``j`` share a band]: 1 - (1 - j**rows)**bands.

    >>> round(candidate_probability(0.82, 18, 7), 3)
    0.994
    >>> round(candidate_probability(0.82, 9, 13), 4)  # datasketch's 9 x 13 at 0.8
    0.508
    """
    return 1.0 - (1.0 - j**rows) ** bands


def choose_bands(
    threshold: float, num_perm: int, margin: float = RECALL_MARGIN, recall: float = RECALL_TARGET
) -> tuple[int, int]:
    """(bands, rows) for ``threshold``: recall >= ``recall`` at ``threshold + margin``.

    Among the layouts that meet the recall target, take the one with the least
    candidate probability integrated over [0, threshold] (fewest false
    candidates); if none meets it, the one with the best recall there.

    >>> choose_bands(0.8, 128)
    (18, 7)
    >>> choose_bands(0.5, 128)
    (42, 3)
    """
    target = min(1.0, threshold + margin)
    grid = np.linspace(0.0, threshold, 201)
    best, best_key = None, None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        p = candidate_probability(target, bands, rows)
        fp = float(np.trapezoid(1.0 - (1.0 - grid**rows) ** bands, grid))
        key = (0, fp, bands) if p >= recall else (1, -p, bands)
        if best_key is None or key < best_key:
            best, best_key = (bands, rows), key
    assert best is not None
    return best


# ------------------------------------------------------------------ kernels


@njit(cache=True, nogil=True)
def band_keys(sig, bands, rows):
    """uint64[docs, bands]: a hash of each band's values and its index (never 0)."""
    m = sig.shape[0]
    out = np.empty((m, bands), dtype=np.uint64)
    for d in range(m):
        for i in range(bands):
            h = round_nb(uint64(GOLDEN), uint64(i + 1))
            for t in range(i * rows, (i + 1) * rows):
                h = round_nb(h, uint64(sig[d, t]))
            h = fmix64_nb(h)
            if h == uint64(0):
                h = uint64(1)
            out[d, i] = h
    return out


# A bucket is one row of a uint64[capacity, 2] table: its band key (0: an
# empty slot) and its first and latest members as two uint32 halves, so a
# probe touches one cache line.
LOW32 = 0xFFFFFFFF


@njit(cache=True, inline="always")
def _members(word):
    return np.int64(word >> uint64(32)), np.int64(word & uint64(LOW32))


@njit(cache=True, inline="always")
def _add_candidates(cand, d, c, first, last):
    """Append ``first`` and ``last`` to ``cand[d, :c]`` unless already there; returns the new count."""
    for who in (first, last):
        seen = False
        for q in range(c):
            if cand[d, q] == who:
                seen = True
                break
        if not seen:
            cand[d, c] = who
            c += 1
    return c


@njit(cache=True, nogil=True)
def lookup(table, bandkeys, ids, insert, cand, ncand):
    """Candidates of each row of ``bandkeys``; with ``insert``, add it after.

    ``cand[d, :ncand[d]]`` gets the distinct first/last members of row d's
    buckets, in band order. Returns how many new buckets were created.
    """
    mask = table.shape[0] - 1
    created = 0
    for d in range(bandkeys.shape[0]):
        c = 0
        me = uint64(ids[d])
        for i in range(bandkeys.shape[1]):
            key = bandkeys[d, i]
            s = np.int64(key & uint64(mask))
            while table[s, 0] != uint64(0) and table[s, 0] != key:
                s = (s + 1) & mask
            if table[s, 0] == key:
                first, last = _members(table[s, 1])
                c = _add_candidates(cand, d, c, first, last)
                if insert:
                    table[s, 1] = (uint64(first) << uint64(32)) | me
            elif insert:
                table[s, 0] = key
                table[s, 1] = (me << uint64(32)) | me
                created += 1
        ncand[d] = c
    return created


@njit(cache=True, nogil=True)
def lookup_banded(bandkeys, ids, cand, ncand):
    """:func:`lookup` with insertion into a fresh table, one band at a time:
    a table holds one band's keys only, so it stays in cache. Each row's
    candidates still come in band order, so the result is the same."""
    m, b = bandkeys.shape
    size = 16
    while size < 2 * m + 16:
        size *= 2
    table = np.zeros((size, 2), dtype=np.uint64)
    mask = size - 1
    ncand[:] = 0
    for i in range(b):
        if i > 0:
            table[:] = 0
        for d in range(m):
            key = bandkeys[d, i]
            s = np.int64(key & uint64(mask))
            while table[s, 0] != uint64(0) and table[s, 0] != key:
                s = (s + 1) & mask
            me = uint64(ids[d])
            if table[s, 0] == key:
                first, last = _members(table[s, 1])
                ncand[d] = _add_candidates(cand, d, ncand[d], first, last)
                table[s, 1] = (uint64(first) << uint64(32)) | me
            else:
                table[s, 0] = key
                table[s, 1] = (me << uint64(32)) | me


@njit(cache=True, nogil=True)
def rehash(table, grown):
    mask = grown.shape[0] - 1
    for s in range(table.shape[0]):
        key = table[s, 0]
        if key == uint64(0):
            continue
        t = np.int64(key & uint64(mask))
        while grown[t, 0] != uint64(0):
            t = (t + 1) & mask
        grown[t, 0] = key
        grown[t, 1] = table[s, 1]


@njit(cache=True, nogil=True)
def lookup_grouped(bandkeys, ids, groups, cand, ncand):
    """:func:`lookup` with insertion, run separately on each run of equal
    ``groups`` (a small table per group, so it stays in cache)."""
    m, b = bandkeys.shape
    size = 64
    table = np.zeros((size, 2), dtype=np.uint64)
    g0 = 0
    while g0 < m:
        g1 = g0
        while g1 < m and groups[g1] == groups[g0]:
            g1 += 1
        need = 2 * (g1 - g0) * b + 16
        if need > size:
            while size < need:
                size *= 2
            table = np.zeros((size, 2), dtype=np.uint64)
        lookup(table, bandkeys[g0:g1], ids[g0:g1], True, cand[g0:g1], ncand[g0:g1])
        forget(table, bandkeys[g0:g1])
        g0 = g1


@njit(cache=True, nogil=True)
def forget(table, bandkeys):
    """Empty the slots these band keys took, leaving the table empty again."""
    mask = table.shape[0] - 1
    slots = np.empty(bandkeys.size, dtype=np.int64)
    n = 0
    for d in range(bandkeys.shape[0]):
        for i in range(bandkeys.shape[1]):
            key = bandkeys[d, i]
            s = np.int64(key & uint64(mask))
            while table[s, 0] != key:
                s = (s + 1) & mask
            slots[n] = s
            n += 1
    for q in range(n):  # only now: emptying earlier would cut later probe chains
        table[slots[q], 0] = uint64(0)


