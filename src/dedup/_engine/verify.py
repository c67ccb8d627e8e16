"""Verification of candidate pairs: the exact Jaccard of their shingle sets
(``verify="exact"``), or the signature estimate (``verify="signature"``).

Spec: ``tests/naive.py`` (``len(a & b) / len(a | b)`` of Python sets, and
the fraction of equal signature values).
"""

from __future__ import annotations

import numpy as np

from .._kernels.sets import jaccard_pairs
from .hashsets import hash_sets, text_hash_sets
from .scanner import Scanner
from .workers import cost_pieces, run


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values: the Jaccard estimate."""
    return (sig_a == sig_b).mean(axis=1) if len(sig_a) else np.zeros(0)


def exact_similarity(scanner: Scanner, a: np.ndarray, b: np.ndarray, ngram: int, unit: str,
                     workers: int = 1) -> np.ndarray:
    """Exact Jaccard of the shingle sets of items ``a[p]`` and ``b[p]`` of ``scanner``."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = hash_sets(scanner.take(involved), ngram, unit, workers=workers)
    return jaccard(flat, offs, inverse[: len(a)], inverse[len(a) :], workers)


def exact_for_texts(texts, a: np.ndarray, b: np.ndarray, ngram: int, unit: str, workers: int = 1) -> np.ndarray:
    """:func:`exact_similarity` for positions of a list of texts (encodes only those involved)."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = text_hash_sets([texts[i] for i in involved], ngram, unit, workers)
    return jaccard(flat, offs, inverse[: len(a)], inverse[len(a) :], workers)


PIECE_HASHES = 1 << 16  # shingle hashes a piece of pairs compares, at least, with several workers


def jaccard(flat: np.ndarray, offs: np.ndarray, ia: np.ndarray, ib: np.ndarray, workers: int = 1) -> np.ndarray:
    """Jaccard of the sets ``ia[p]`` and ``ib[p]`` of (flat, offs), on
    ``workers`` threads by pieces of pairs of about equal work."""
    sizes = np.diff(offs)
    pieces = cost_pieces(sizes[ia] + sizes[ib], workers, PIECE_HASHES) if workers > 1 else [(0, len(ia))]
    parts = run(lambda lo, hi: jaccard_pairs(flat, offs, ia[lo:hi], flat, offs, ib[lo:hi]), pieces, workers)
    return np.concatenate(parts) if parts else np.zeros(0)
