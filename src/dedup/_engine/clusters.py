"""The keep rule and clusters.

The rule, for documents taken in priority order (input order by default):
a document is a duplicate when at least one of its LSH candidates (earlier
documents) is verified at ``similarity >= threshold``; it is matched to the
most similar such candidate (the earliest on ties: :func:`best_matches`)
and joins that candidate's cluster, whose kept member is the earliest
document of the chain (:func:`forest_roots`). Everything else is kept. The
same rule, applied one document at a time, is what :class:`dedup.Index`
does, so both give the same answer. Repeated paragraphs and boilerplate
lines use the same rule (:func:`best_confirmed` when a pair must pass a
further check).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._kernels.sets import first_of_group_nb
from .._kernels.unionfind import chain_roots


class Duplicate(NamedTuple):
    """A dropped document: its ``position``, the ``root`` of its cluster
    (the cluster's kept document), the document it ``matched`` directly
    and their ``similarity``."""

    position: int
    root: int
    matched: int
    similarity: float


def first_of_group(keys: np.ndarray, groups: np.ndarray, keyed: np.ndarray) -> np.ndarray:
    """int64[m]: each item's first item with the same content key in the same group."""
    return first_of_group_nb(keys, np.ascontiguousarray(groups, dtype=np.int64), keyed)


def distinct_texts(texts: list[str]) -> tuple[list[str], np.ndarray | None]:
    """The distinct strings of ``texts`` in order of first occurrence, and
    each text's index among them (None when all are distinct). Equal strings
    are found by their ``hash`` first, so a corpus without copies costs one
    hash per text and a sort.

    >>> distinct_texts(["a", "b", "a", "c", "b"])
    (['a', 'b', 'c'], array([0, 1, 0, 2, 1]))
    """
    n = len(texts)
    h = np.fromiter(map(hash, texts), np.int64, n)
    order = np.argsort(h)
    sh = h[order]
    starts = np.flatnonzero(np.r_[True, sh[1:] != sh[:-1]])
    ends = np.r_[starts[1:], n]
    runs = np.flatnonzero(ends - starts > 1)
    if not len(runs):
        return texts, None
    first = np.arange(n)
    for r in runs.tolist():
        seen: dict[str, int] = {}
        for i in sorted(order[starts[r] : ends[r]].tolist()):
            first[i] = seen.setdefault(texts[i], i)
    is_first = first == np.arange(n)
    if is_first.all():
        return texts, None
    index = np.cumsum(is_first) - 1
    return [texts[i] for i in np.flatnonzero(is_first).tolist()], index[first]


def _by_preference(
    doc: np.ndarray, cand: np.ndarray, sim: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs at ``sim >= threshold``, each doc's in order of preference:
    by doc, then most similar first, then smallest candidate id."""
    ok = sim >= threshold
    doc, cand, sim = doc[ok], cand[ok], sim[ok]
    order = np.lexsort((cand, -sim, doc))
    return doc[order], cand[order], sim[order]


def best_matches(
    doc: np.ndarray, cand: np.ndarray, sim: np.ndarray, threshold: float
) -> dict[int, tuple[int, float]]:
    """For each doc with a verified candidate: (best candidate, similarity).

    Best is the highest similarity, then the smallest candidate id.
    """
    doc, cand, sim = _by_preference(doc, cand, sim, threshold)
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
    doc, cand, sim = _by_preference(doc, cand, sim, threshold)
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
    root = forest_roots(n, best)
    matches: dict[int, Duplicate] = {}
    members: dict[int, list[int]] = {}
    for r in sorted(best):
        c, s = best[r]
        pos, kept = int(order[r]), int(order[root[r]])
        matches[pos] = Duplicate(pos, kept, int(order[c]), s)
        members.setdefault(kept, []).append(pos)
    clusters = [[kept, *sorted(rest)] for kept, rest in sorted(members.items())]
    return clusters, dict(sorted(matches.items()))


def forest_roots(n: int, best: dict[int, tuple[int, float]]) -> np.ndarray:
    """int64[n]: each item's root in the forest of its best earlier matches
    (``best`` maps an item to (earlier item, similarity))."""
    partner = np.full(n, -1, dtype=np.int64)
    if best:
        idx = np.fromiter(best, np.int64, len(best))
        partner[idx] = np.fromiter((c for c, _ in best.values()), np.int64, len(best))
    return chain_roots(0, partner, partner)


def pointer_jump(parent: np.ndarray) -> tuple[np.ndarray, int]:
    """Roots of a forest by pointer jumping, as a distributed engine finds
    them with one join per round: ``parent[i]`` is an earlier item or ``i``
    itself (a root); each round replaces every parent by its parent, until
    none changes. Returns (roots, rounds); about log2 of the deepest chain
    rounds. :func:`forest_roots` gives the same roots in one pass.

    >>> pointer_jump(np.array([0, 0, 1, 2, 3, 5]))
    (array([0, 0, 0, 0, 0, 5]), 3)
    """
    parent = np.asarray(parent, dtype=np.int64).copy()
    rounds = 0
    while True:
        grand = parent[parent]
        rounds += 1
        if np.array_equal(grand, parent):
            return parent, rounds
        parent = grand
