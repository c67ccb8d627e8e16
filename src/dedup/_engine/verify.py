"""Verification of candidate pairs: the exact Jaccard of their shingle sets
(``verify="exact"``), or the signature estimate (``verify="signature"``).

Exact verification costs what the undecided pairs cost. Two items with the
same content key (the same shingle sequence, see
:func:`dedup._kernels.signatures.reference_content_key`) are at Jaccard 1.0
without comparing their sets; a document with such a candidate is decided
by it, unless an earlier candidate might be at 1.0 too, which needs its
whole signature equal. Every other pair that passed the prefilter is
compared on its shingle hashes, kept from the signature pass
(:func:`dedup._engine.signatures.sketch_kept`) or hashed again from the
texts. The best match of every document is the one the full comparison
gives (spec: ``tests/naive.py``, ``len(a & b) / len(a | b)`` of Python sets
for every candidate, and the fraction of equal signature values).
"""

from __future__ import annotations

import numpy as np

from .._kernels.sets import agreements, jaccard_pairs
from .hashsets import hash_sets, text_hash_sets
from .scanner import Scanner
from .workers import cost_pieces, run


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values: the Jaccard estimate."""
    return (sig_a == sig_b).mean(axis=1) if len(sig_a) else np.zeros(0)


def same_content(keys: np.ndarray, doc: np.ndarray, other: np.ndarray) -> np.ndarray:
    """bool per pair: both items have the same content key (``keys``:
    uint64[items, 2]), so the same shingles and a Jaccard of exactly 1.0
    (up to a 128-bit hash collision)."""
    return (keys[doc] == keys[other]).all(axis=1) if len(doc) else np.zeros(0, dtype=bool)


def undecided(doc: np.ndarray, other: np.ndarray, same: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """bool per pair: its exact Jaccard can still change its doc's best match.

    A doc with a ``same`` candidate (at 1.0) is matched to the smallest such
    candidate id ``c*`` (the most similar, the earliest on ties) unless
    another candidate before ``c*`` is at 1.0 too: a pair is left to compare
    only then, and only if its signatures agree everywhere (equal sets give
    equal signatures). Every pair of a doc without a ``same`` candidate is
    left to compare. ``same`` pairs are decided.
    """
    if not len(doc):
        return np.zeros(0, dtype=bool)
    first = np.full(int(doc.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, doc[same], other[same])
    cut = first[doc]
    need = ~same & (other < cut)
    maybe = np.flatnonzero(need & (cut < np.iinfo(np.int64).max))
    if len(maybe):
        need[maybe] = agreements(sig, doc[maybe], other[maybe]) == sig.shape[1]
    return need


def deciding(
    doc: np.ndarray, other: np.ndarray, sig: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(same, need) per pair: at the same content key (Jaccard 1.0), and
    :func:`undecided` (to compare on their shingle sets). The other pairs
    cannot be their doc's best match. ``sig`` and ``keys`` are indexed by
    the ids in ``doc`` and ``other``."""
    same = same_content(keys, doc, other)
    return same, undecided(doc, other, same, sig)


def exact_pairs(
    doc: np.ndarray, other: np.ndarray, sig: np.ndarray, keys: np.ndarray, flat: np.ndarray, offs: np.ndarray,
    row: np.ndarray | None = None, workers: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate pairs that decide each doc's best match, with their
    exact Jaccard (:func:`deciding`): those at the same content key (1.0),
    and the undecided ones, compared on the kept shingle hashes (item
    ``i``'s are ``flat[offs[row[i]]:offs[row[i] + 1]]``; ``row`` defaults to
    ``i``). :func:`dedup._engine.clusters.best_matches` of them equals its
    result on every pair with its exact Jaccard. The comparisons run on
    ``workers`` threads.
    """
    same, need = deciding(doc, other, sig, keys)
    sim = np.ones(len(doc))
    a, b = doc[need], other[need]
    if row is not None:
        a, b = row[a], row[b]
    sim[need] = set_similarity(flat, offs, a, b, workers)
    keep = same | need
    return doc[keep], other[keep], sim[keep]


PIECE_HASHES = 1 << 16  # shingle hashes a piece of pairs compares, at least, with several workers


def set_similarity(flat: np.ndarray, offs: np.ndarray, a: np.ndarray, b: np.ndarray, workers: int = 1) -> np.ndarray:
    """Exact Jaccard of the hash sets ``flat[offs[a[p]]:offs[a[p] + 1]]`` and
    the same of ``b[p]`` (repeats allowed: they count once). Pairs sharing
    their ``a`` should be consecutive (its table is built once). On
    ``workers`` threads, by pieces of pairs of about equal work."""
    if len(a) == 0:
        return np.zeros(0)
    if workers <= 1:
        return jaccard_pairs(flat, offs, a, flat, offs, b)
    sizes = np.diff(offs)
    pieces = cost_pieces(sizes[a] + sizes[b], workers, PIECE_HASHES)
    return np.concatenate(run(lambda lo, hi: jaccard_pairs(flat, offs, a[lo:hi], flat, offs, b[lo:hi]), pieces,
                              workers))


def exact_similarity(scanner: Scanner, a: np.ndarray, b: np.ndarray, ngram: int, unit: str,
                     workers: int = 1) -> np.ndarray:
    """Exact Jaccard of the shingle sets of items ``a[p]`` and ``b[p]`` of ``scanner``."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = hash_sets(scanner.take(involved), ngram, unit, workers=workers)
    return set_similarity(flat, offs, inverse[: len(a)], inverse[len(a) :], workers)


def exact_for_texts(texts, a: np.ndarray, b: np.ndarray, ngram: int, unit: str, workers: int = 1) -> np.ndarray:
    """:func:`exact_similarity` for positions of a list of texts (encodes only those involved)."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = text_hash_sets([texts[i] for i in involved], ngram, unit, workers)
    return set_similarity(flat, offs, inverse[: len(a)], inverse[len(a) :], workers)
