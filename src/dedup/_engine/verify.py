"""Verification of candidate pairs: the exact Jaccard of their shingle sets
(``verify="exact"``), or the signature estimate (``verify="signature"``).

Spec: ``tests/naive.py`` (``len(a & b) / len(a | b)`` of Python sets, and
the fraction of equal signature values).
"""

from __future__ import annotations

import numpy as np

from .._kernels.sets import jaccard_pairs
from .hashsets import hash_sets
from .scanner import Scanner


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values: the Jaccard estimate."""
    return (sig_a == sig_b).mean(axis=1) if len(sig_a) else np.zeros(0)


def exact_similarity(scanner: Scanner, a: np.ndarray, b: np.ndarray, ngram: int, unit: str) -> np.ndarray:
    """Exact Jaccard of the shingle sets of items ``a[p]`` and ``b[p]`` of ``scanner``."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    flat, offs = hash_sets(scanner.take(involved), ngram, unit)
    return jaccard_pairs(flat, offs, inverse[: len(a)], flat, offs, inverse[len(a) :])


def exact_for_texts(texts, a: np.ndarray, b: np.ndarray, ngram: int, unit: str) -> np.ndarray:
    """:func:`exact_similarity` for positions of a list of texts (encodes only those involved)."""
    if len(a) == 0:
        return np.zeros(0)
    involved, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    scanner = Scanner([texts[i] for i in involved])
    return exact_similarity(scanner, inverse[: len(a)], inverse[len(a) :], ngram, unit)
