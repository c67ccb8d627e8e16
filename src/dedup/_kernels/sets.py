"""Kernels on shingle-hash sets and signatures: sorted sets per item, exact
Jaccard of item pairs, content-key grouping, signature agreements, and the
flattening of LSH candidates into pairs.

Specs: :func:`reference_first_of_group` here; exact Jaccard and the
signature estimate are checked against ``tests/naive.py`` (plain-Python
sets and signatures).
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from .hashing import GOLDEN
from .shingling import (
    ROOM,
    S_DONE,
    S_UNSAFE,
    STATE_SIZE,
    fill_hashes,
    new_ring,
    reset_state,
)


@njit(cache=True, nogil=True)
def sorted_sets(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, sort=True):
    """Shingle hashes per item, concatenated, with offsets: sorted and unique
    with ``sort``, else as emitted (repeats included); ``unsafe[d]`` marks
    items left empty for CPython's normalisation."""
    m = starts.shape[0]
    total = 0
    for d in range(m):
        total += ends[d] - starts[d]
    flat = np.empty(total // 2 + 4 * ROOM, dtype=np.uint64)
    offs = np.zeros(m + 1, dtype=np.int64)
    unsafe = np.zeros(m, dtype=np.bool_)
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    ring = new_ring(n)
    pos = 0
    for d in range(m):
        reset_state(st, starts[d])
        begin = pos
        while st[S_DONE] == 0:
            if flat.shape[0] - pos < 2 * ROOM:
                grown = np.empty(2 * flat.shape[0], dtype=np.uint64)
                grown[:pos] = flat[:pos]
                flat = grown
            pos += fill_hashes(buf, ends[d], flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, flat[pos:])
        if st[S_UNSAFE] == 1:
            unsafe[d] = True
            pos = begin
        elif sort and pos > begin:
            seg = flat[begin:pos]
            seg.sort()
            w = begin + 1
            for i in range(begin + 1, pos):
                if flat[i] != flat[w - 1]:
                    flat[w] = flat[i]
                    w += 1
            pos = w
        offs[d + 1] = pos
    return flat[:pos], offs, unsafe


@njit(cache=True, inline="always")
def _slot(table, state, h, mask):
    """The slot of hash ``h`` in an open-addressing table: where it is, or
    the empty slot where it goes (linear probing)."""
    s = np.int64(h & np.uint64(mask))
    while state[s] != 0 and table[s] != h:
        s = (s + 1) & mask
    return s


@njit(cache=True, nogil=True)
def jaccard_pairs(aflat, aoffs, ia, bflat, boffs, ib):
    """Jaccard of the hash multisets ``a[ia[p]]`` and ``b[ib[p]]`` taken as sets.

    An open-addressing table holds ``a``'s set: O(|a| + |b|), no sorting.
    Consecutive pairs with the same ``a`` (an item and its candidates) build
    it once; only ``b``'s marks are undone between them.
    """
    out = np.empty(ia.shape[0], dtype=np.float64)
    size = 64
    table = np.zeros(size, dtype=np.uint64)
    state = np.zeros(size, dtype=np.uint8)  # 1: in a, 2: in a and b, 3: only in b
    used_a = np.empty(size, dtype=np.int64)
    used_b = np.empty(size, dtype=np.int64)
    na_used = 0
    na = 0
    cur = -1  # the a whose set the table holds
    for p in range(ia.shape[0]):
        a0, a1 = aoffs[ia[p]], aoffs[ia[p] + 1]
        b0, b1 = boffs[ib[p]], boffs[ib[p] + 1]
        need = 2 * (a1 - a0 + b1 - b0) + 16
        if need > size:
            while size < need:
                size *= 2
            table = np.zeros(size, dtype=np.uint64)
            state = np.zeros(size, dtype=np.uint8)
            used_a = np.empty(size, dtype=np.int64)
            used_b = np.empty(size, dtype=np.int64)
            na_used = 0
            cur = -1
        mask = size - 1
        if ia[p] != cur:
            for i in range(na_used):
                state[used_a[i]] = 0
            na_used = 0
            for i in range(a0, a1):
                h = aflat[i]
                s = _slot(table, state, h, mask)
                if state[s] == 0:
                    table[s] = h
                    state[s] = 1
                    used_a[na_used] = s
                    na_used += 1
            na = na_used
            cur = ia[p]
        inter = 0
        nb = 0
        nb_used = 0
        for i in range(b0, b1):
            h = bflat[i]
            s = _slot(table, state, h, mask)
            if state[s] == 1:
                state[s] = 2
                inter += 1
                nb += 1
                used_b[nb_used] = s
                nb_used += 1
            elif state[s] == 0:
                table[s] = h
                state[s] = 3
                used_b[nb_used] = s
                nb_used += 1
                nb += 1
        union = na + nb - inter
        out[p] = inter / union if union else 0.0
        # undo b's marks; a's entries stay (b's were placed after them, so
        # no probe chain of a's runs through a slot emptied here)
        for i in range(nb_used):
            s = used_b[i]
            state[s] = 1 if state[s] == 2 else 0
    return out


def reference_first_of_group(keys, groups, keyed) -> list[int]:
    """Spec of :func:`first_of_group`: for each item, the first item with the
    same key in the same group (itself when not ``keyed``)."""
    first: dict[tuple, int] = {}
    return [first.setdefault((k0, k1, g), i) if ok else i for i, ((k0, k1), g, ok) in
            enumerate(zip(keys.tolist(), groups.tolist(), keyed.tolist()))]


@njit(cache=True, nogil=True)
def first_of_group_nb(keys, groups, keyed):
    m = keys.shape[0]
    size = 16
    while size < 2 * m:
        size *= 2
    mask = size - 1
    slot = np.full(size, -1, dtype=np.int64)
    out = np.arange(m)
    for i in range(m):
        if not keyed[i]:
            continue
        k0, k1, g = keys[i, 0], keys[i, 1], groups[i]
        s = np.int64((k0 ^ (uint64(g) * uint64(GOLDEN))) & uint64(mask))
        while slot[s] >= 0:
            j = slot[s]
            if keys[j, 0] == k0 and keys[j, 1] == k1 and groups[j] == g:
                out[i] = j
                break
            s = (s + 1) & mask
        if slot[s] < 0:
            slot[s] = i
    return out


@njit(cache=True, nogil=True)
def flat_pairs(cand, ncand, sig, need):
    """(row, candidate) pairs of ``cand[d, :ncand[d]]`` whose signatures
    agree in at least ``need`` places (every pair when ``need`` is 0)."""
    total = 0
    for d in range(ncand.shape[0]):
        total += ncand[d]
    rows = np.empty(total, dtype=np.int64)
    cols = np.empty(total, dtype=np.int64)
    n = 0
    for d in range(ncand.shape[0]):
        for c in range(ncand[d]):
            o = np.int64(cand[d, c])
            if need > 0 and same_count(sig[d], sig[o]) < need:
                continue
            rows[n] = d
            cols[n] = o
            n += 1
    return rows[:n], cols[:n]


@njit(cache=True, nogil=True)
def agreements(sig, a, b):
    """Equal signature values of each pair ``(a[p], b[p])``: the kernel of
    :func:`signature_similarity` (times num_perm), without its temporaries."""
    out = np.empty(a.shape[0], dtype=np.int64)
    for p in range(a.shape[0]):
        out[p] = same_count(sig[a[p]], sig[b[p]])
    return out


@njit(cache=True, inline="always")
def same_count(x, y):
    """How many places two signatures agree in."""
    same = 0
    for j in range(x.shape[0]):
        same += x[j] == y[j]
    return same


@njit(cache=True, nogil=True)
def common_count(a, b):
    """How many values two sorted arrays of distinct values share: ``len(set(a) & set(b))``."""
    i = j = n = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            i += 1
        elif a[i] > b[j]:
            j += 1
        else:
            n += 1
            i += 1
            j += 1
    return n
