"""Verification of candidate pairs, the keep decision, and clusters.

The rule, for documents taken in priority order (input order by default):
a document is a duplicate when at least one of its LSH candidates (earlier
documents) is verified at ``similarity >= threshold``; it is matched to the
most similar such candidate (the earliest on ties) and joins that
candidate's cluster, whose kept member is the earliest document of the chain.
Everything else is kept. The same rule, applied one document at a time, is
what :class:`dedup.Index` does, so both give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numba import njit, uint64

from .config import Config
from .lsh import _band_keys, _lookup_banded, _lookup_grouped
from .shingling import (
    _DONE,
    _UNSAFE,
    ROOM,
    STATE_SIZE,
    Scanner,
    _char_hashes,
    _fill,
    _ring,
    _start,
    shingle_hashes,
)


class Duplicate(NamedTuple):
    """A dropped document: its position, the cluster's kept document, the
    document it matched directly and their similarity."""

    position: int
    kept: int
    matched: int
    similarity: float


def pairs_of(cand: np.ndarray, ncand: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten per-row candidates into (doc id, candidate id) arrays."""
    rows = np.repeat(np.arange(len(ncand)), ncand)
    firsts = np.cumsum(ncand) - ncand
    cols = np.arange(len(rows)) - np.repeat(firsts, ncand)
    return ids[rows].astype(np.int64), cand[rows, cols].astype(np.int64)


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values: the Jaccard estimate."""
    return (sig_a == sig_b).mean(axis=1) if len(sig_a) else np.zeros(0)


@njit(cache=True)
def _sorted_sets(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, sort=True):
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
    ring = _ring(n)
    pos = 0
    for d in range(m):
        _start(st, starts[d])
        begin = pos
        while st[_DONE] == 0:
            if flat.shape[0] - pos < 2 * ROOM:
                grown = np.empty(2 * flat.shape[0], dtype=np.uint64)
                grown[:pos] = flat[:pos]
                flat = grown
            pos += _fill(buf, ends[d], flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, flat[pos:])
        if st[_UNSAFE] == 1:
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


@njit(cache=True)
def _jaccard_pairs(aflat, aoffs, ia, bflat, boffs, ib):
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


@njit(cache=True)
def _first_of_group(keys, groups, keyed):
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
        s = np.int64((k0 ^ (uint64(g) * uint64(0x9E3779B97F4A7C15))) & uint64(mask))
        while slot[s] >= 0:
            j = slot[s]
            if keys[j, 0] == k0 and keys[j, 1] == k1 and groups[j] == g:
                out[i] = j
                break
            s = (s + 1) & mask
        if slot[s] < 0:
            slot[s] = i
    return out


def first_of_group(keys: np.ndarray, groups: np.ndarray, keyed: np.ndarray) -> np.ndarray:
    """int64[m]: each item's first item with the same content key in the same group."""
    return _first_of_group(keys, np.ascontiguousarray(groups, dtype=np.int64), keyed)


def hash_sets(scanner: Scanner, ngram: int, unit: str, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of every item of ``scanner`` (flat, offsets), items the
    kernel found unsafe redone through CPython's normalisation."""
    if unit == "char" and not sort:
        flat, offs, unsafe = _char_hashes(*scanner.args(), ngram)
    else:
        flat, offs, unsafe = _sorted_sets(*scanner.args(), ngram, unit == "char", sort)
    if unsafe.any():
        parts = [
            shingle_hashes(scanner.text_of(d), ngram, unit) if unsafe[d] else flat[offs[d] : offs[d + 1]]
            for d in range(len(scanner))
        ]
        offs = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=offs[1:])
        flat = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    return flat, offs


def exact_similarity(scanner: Scanner, a: np.ndarray, b: np.ndarray, ngram: int, unit: str) -> np.ndarray:
    """Exact Jaccard of the shingle sets of items ``a[p]`` and ``b[p]`` of ``scanner``."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = hash_sets(scanner.take(involved), ngram, unit)
    return _jaccard_pairs(flat, offs, inverse[: len(a)], flat, offs, inverse[len(a) :])


def exact_for_texts(texts, a: np.ndarray, b: np.ndarray, ngram: int, unit: str) -> np.ndarray:
    """:func:`exact_similarity` for positions of a list of texts (encodes only those involved)."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    scanner = Scanner([texts[i] for i in involved])
    return exact_similarity(scanner, inverse[: len(a)], inverse[len(a) :], ngram, unit)


def _salt(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Band keys made distinct per group, so candidates stay inside a group."""
    x = keys ^ (groups.astype(np.uint64)[:, None] * np.uint64(0x9E3779B97F4A7C15))
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x[x == 0] = 1
    return x


def candidate_pairs(
    sig: np.ndarray, counts: np.ndarray, config: Config, groups: np.ndarray | None = None, filtered: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(item, earlier candidate) pairs by LSH, items taken in order.

    With ``groups``, only items of the same group are candidates of each other.
    Items without shingles take no part. With ``filtered``, the pairs
    :func:`prefilter` would drop are left out (in the same kernel that
    flattens the pairs: no intermediate arrays).
    """
    live = np.flatnonzero(counts > 0)
    sig_live = sig[live]
    keys = _band_keys(sig_live, config.bands, config.rows)
    cand = np.empty((len(live), 2 * config.bands), dtype=np.int32)
    ncand = np.zeros(len(live), dtype=np.int64)
    if groups is not None and np.all(groups[live][1:] >= groups[live][:-1]):
        # groups in runs: a small table per group
        _lookup_grouped(keys, np.arange(len(live), dtype=np.int32), groups[live], cand, ncand)
    else:
        if groups is not None:
            keys = _salt(keys, groups[live])
        _lookup_banded(keys, np.arange(len(live), dtype=np.int32), cand, ncand)
    need = _prefilter_floor(config) * config.num_perm if filtered else 0.0
    rows, cols = _flat_pairs(cand, ncand, sig_live, need)
    return live[rows], live[cols]


@njit(cache=True)
def _flat_pairs(cand, ncand, sig, need):
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
            if need > 0 and _same(sig[d], sig[o]) < need:
                continue
            rows[n] = d
            cols[n] = o
            n += 1
    return rows[:n], cols[:n]


PREFILTER_SIGMAS = 4.5


def prefilter(sig: np.ndarray, doc: np.ndarray, other: np.ndarray, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Drop candidate pairs whose signature estimate is far below the threshold.

    Before exact verification: a pair is dropped when its estimate is more
    than 4.5 binomial standard deviations (at the threshold) below it. A pair
    truly at the threshold is dropped with probability under 1e-5, far less
    than LSH itself misses; most chance band collisions go.
    """
    floor = _prefilter_floor(config)
    if floor <= 0 or len(doc) == 0:
        return doc, other
    keep = _agreements(sig, doc, other) >= floor * sig.shape[1]
    return doc[keep], other[keep]


def _prefilter_floor(config: Config) -> float:
    """The signature estimate below which :func:`prefilter` drops a pair (0: none)."""
    t = config.threshold
    return max(0.0, t - PREFILTER_SIGMAS * float(np.sqrt(t * (1 - t) / config.num_perm)))


@njit(cache=True)
def _agreements(sig, a, b):
    """Equal signature values of each pair ``(a[p], b[p])``: the kernel of
    :func:`signature_similarity` (times num_perm), without its temporaries."""
    out = np.empty(a.shape[0], dtype=np.int64)
    for p in range(a.shape[0]):
        out[p] = _same(sig[a[p]], sig[b[p]])
    return out


@njit(cache=True, inline="always")
def _same(x, y):
    """How many places two signatures agree in."""
    same = 0
    for j in range(x.shape[0]):
        same += x[j] == y[j]
    return same


def best_matches(
    doc: np.ndarray, cand: np.ndarray, sim: np.ndarray, threshold: float
) -> dict[int, tuple[int, float]]:
    """For each doc with a verified candidate: (best candidate, similarity).

    Best is the highest similarity, then the smallest candidate id.
    """
    ok = sim >= threshold
    doc, cand, sim = doc[ok], cand[ok], sim[ok]
    order = np.lexsort((cand, -sim, doc))
    doc, cand, sim = doc[order], cand[order], sim[order]
    first = np.ones(len(doc), dtype=bool)
    first[1:] = doc[1:] != doc[:-1]
    return dict(zip(doc[first].tolist(), zip(cand[first].tolist(), sim[first].tolist())))


def best_confirmed(
    doc: np.ndarray, cand: np.ndarray, sim: np.ndarray, threshold: float,
    confirm: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> dict[int, tuple[int, float]]:
    """:func:`best_matches` where a pair counts only when ``confirm(docs,
    cands, sims)`` (a bool array) says so: each doc's candidates are tried
    in the same order (most similar, then smallest id) until one is
    confirmed."""
    ok = sim >= threshold
    doc, cand, sim = doc[ok], cand[ok], sim[ok]
    order = np.lexsort((cand, -sim, doc))
    doc, cand, sim = doc[order], cand[order], sim[order]
    best: dict[int, tuple[int, float]] = {}
    pending = np.ones(len(doc), dtype=bool)
    while pending.any():
        idx = np.flatnonzero(pending)
        first = idx[np.r_[True, doc[idx][1:] != doc[idx][:-1]]]
        good = np.asarray(confirm(doc[first], cand[first], sim[first]), dtype=bool)
        won = first[good]
        best.update(zip(doc[won].tolist(), zip(cand[won].tolist(), sim[won].tolist())))
        pending[first] = False
        if len(won):
            pending &= ~np.isin(doc, doc[won])
    return dict(sorted(best.items()))


def build_clusters(
    n: int, order: np.ndarray, best: dict[int, tuple[int, float]]
) -> tuple[list[list[int]], dict[int, Duplicate]]:
    """Clusters (kept first, then positions ascending) and the Duplicate records.

    ``order[r]`` is the input position of rank ``r``; ``best`` maps a rank to
    (earlier rank, similarity).
    """
    root = np.arange(n)
    matches: dict[int, Duplicate] = {}
    members: dict[int, list[int]] = {}
    for r in sorted(best):
        c, s = best[r]
        root[r] = root[c]
        pos, kept = int(order[r]), int(order[root[r]])
        matches[pos] = Duplicate(pos, kept, int(order[c]), s)
        members.setdefault(kept, []).append(pos)
    clusters = [[kept, *sorted(rest)] for kept, rest in sorted(members.items())]
    return clusters, dict(sorted(matches.items()))


@njit(cache=True)
def _roots(n, idx, partner):
    """Cluster root of every item, from (item, earlier partner) in item order."""
    root = np.arange(n)
    for q in range(idx.shape[0]):
        root[idx[q]] = root[partner[q]]
    return root
