"""Candidate pairs: LSH over signatures (each item against earlier items,
optionally only within its group), and the prefilter that drops pairs whose
signature estimate is far below the threshold before exact verification.

Spec: ``tests/naive.py`` (``candidates``: a dict per band of band values).
"""

from __future__ import annotations

import numpy as np

from .._kernels.hashing import GOLDEN, M1
from .._kernels.lsh import band_keys, lookup_banded, lookup_grouped
from .._kernels.sets import agreements, flat_pairs
from ..config import Config
from .checks import banding


def pairs_of(cand: np.ndarray, ncand: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten per-row candidates into (doc id, candidate id) arrays."""
    rows = np.repeat(np.arange(len(ncand)), ncand)
    firsts = np.cumsum(ncand) - ncand
    cols = np.arange(len(rows)) - np.repeat(firsts, ncand)
    return ids[rows].astype(np.int64), cand[rows, cols].astype(np.int64)


def _salt(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Band keys made distinct per group, so candidates stay inside a group."""
    x = keys ^ (groups.astype(np.uint64)[:, None] * np.uint64(GOLDEN))
    x ^= x >> np.uint64(33)
    x *= np.uint64(M1)
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
    bands, rows = banding(config)
    keys = band_keys(sig_live, bands, rows)
    cand = np.empty((len(live), 2 * bands), dtype=np.int32)
    ncand = np.zeros(len(live), dtype=np.int64)
    if groups is not None and np.all(groups[live][1:] >= groups[live][:-1]):
        # groups in runs: a small table per group
        lookup_grouped(keys, np.arange(len(live), dtype=np.int32), groups[live], cand, ncand)
    else:
        if groups is not None:
            keys = _salt(keys, groups[live])
        lookup_banded(keys, np.arange(len(live), dtype=np.int32), cand, ncand)
    need = prefilter_floor(config) * config.num_perm if filtered else 0.0
    rows, cols = flat_pairs(cand, ncand, sig_live, need)
    return live[rows], live[cols]


PREFILTER_SIGMAS = 4.5


def prefilter(sig: np.ndarray, doc: np.ndarray, other: np.ndarray, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Drop candidate pairs whose signature estimate is far below the threshold.

    Before exact verification: a pair is dropped when its estimate is more
    than 4.5 binomial standard deviations (at the threshold) below it. A pair
    truly at the threshold is dropped with probability under 1e-5, far less
    than LSH itself misses; most chance band collisions go.
    """
    floor = prefilter_floor(config)
    if floor <= 0 or len(doc) == 0:
        return doc, other
    keep = agreements(sig, doc, other) >= floor * sig.shape[1]
    return doc[keep], other[keep]


def prefilter_floor(config: Config) -> float:
    """The signature estimate below which :func:`prefilter` drops a pair (0: none)."""
    t = config.threshold
    return max(0.0, t - PREFILTER_SIGMAS * float(np.sqrt(t * (1 - t) / config.num_perm)))
