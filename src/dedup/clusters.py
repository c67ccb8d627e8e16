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

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numba import njit

from .config import Config
from .lsh import BucketTable, _band_keys
from .shingling import Scanner, _all_hashes, shingle_hashes


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
    cols = np.concatenate([np.arange(c) for c in ncand]) if len(ncand) else np.zeros(0, np.int64)
    return ids[rows].astype(np.int64), cand[rows, cols].astype(np.int64)


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values: the Jaccard estimate."""
    return (sig_a == sig_b).mean(axis=1) if len(sig_a) else np.zeros(0)


@njit(cache=True)
def _sorted_sets(buf, starts, ends, flags, moff, mlen, mdata, raw, n, char_mode):
    """Sorted unique shingle hashes per document, concatenated, with offsets;
    ``unsafe[d]`` marks documents left empty for CPython's normalisation."""
    m = starts.shape[0]
    parts = []
    offs = np.zeros(m + 1, dtype=np.int64)
    unsafe = np.zeros(m, dtype=np.bool_)
    for d in range(m):
        h = _all_hashes(buf, starts[d], ends[d], flags, moff, mlen, mdata, raw, n, char_mode)
        if h is None:
            unsafe[d] = True
            u = np.zeros(0, dtype=np.uint64)
        else:
            u = np.unique(h)
        parts.append(u)
        offs[d + 1] = offs[d] + u.shape[0]
    flat = np.empty(offs[m], dtype=np.uint64)
    for d in range(m):
        flat[offs[d] : offs[d + 1]] = parts[d]
    return flat, offs, unsafe


@njit(cache=True)
def _jaccard_pairs(flat, offs, a, b):
    out = np.empty(a.shape[0], dtype=np.float64)
    for p in range(a.shape[0]):
        i, iend = offs[a[p]], offs[a[p] + 1]
        j, jend = offs[b[p]], offs[b[p] + 1]
        na, nb = iend - i, jend - j
        inter = 0
        while i < iend and j < jend:
            x, y = flat[i], flat[j]
            if x == y:
                inter += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        union = na + nb - inter
        out[p] = inter / union if union else 0.0
    return out


def exact_similarity(scanner: Scanner, a: np.ndarray, b: np.ndarray, ngram: int, unit: str) -> np.ndarray:
    """Exact Jaccard of the shingle sets of items ``a[p]`` and ``b[p]`` of ``scanner``."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    sub = scanner.take(involved)
    flat, offs, unsafe = _sorted_sets(*sub.args(), ngram, unit == "char")
    if unsafe.any():
        parts = [
            shingle_hashes(sub.text_of(d), ngram, unit) if unsafe[d] else flat[offs[d] : offs[d + 1]]
            for d in range(len(involved))
        ]
        offs = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=offs[1:])
        flat = np.concatenate(parts)
    return _jaccard_pairs(flat, offs, inverse[: len(a)], inverse[len(a) :])


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
    sig: np.ndarray, counts: np.ndarray, config: Config, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(item, earlier candidate) pairs by LSH, items taken in order.

    With ``groups``, only items of the same group are candidates of each other.
    Items without shingles take no part.
    """
    live = np.flatnonzero(counts > 0)
    keys = _band_keys(sig[live], config.bands, config.rows)
    if groups is not None:
        keys = _salt(keys, groups[live])
    table = BucketTable(capacity=len(live) * config.bands * 2)
    cand, ncand = table.candidates(keys, live, insert=True)
    return pairs_of(cand, ncand, live)


def best_matches(
    doc: np.ndarray, cand: np.ndarray, sim: np.ndarray, threshold: float
) -> dict[int, tuple[int, float]]:
    """For each doc with a verified candidate: (best candidate, similarity).

    Best is the highest similarity, then the smallest candidate id.
    """
    ok = sim >= threshold
    doc, cand, sim = doc[ok], cand[ok], sim[ok]
    order = np.lexsort((cand, -sim, doc))
    best: dict[int, tuple[int, float]] = {}
    for d, c, s in zip(doc[order].tolist(), cand[order].tolist(), sim[order].tolist()):
        if d not in best:
            best[d] = (c, s)
    return best


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
