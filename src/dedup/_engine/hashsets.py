"""Shingle hashes of texts and of a :class:`Scanner`'s items, by the kernels
of :mod:`dedup._kernels.shingling` (their spec is
:func:`dedup._kernels.shingling.shingles`), items the kernels cannot
normalise alone redone through CPython's normalisation."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from .._kernels.sets import sorted_sets
from .._kernels.shingling import all_hashes, char_hashes, prefix_exceeds_nb
from .scanner import Scanner
from .workers import cost_pieces, run, text_pieces


def shingle_hashes(text: str, ngram: int = 5, unit: str = "word") -> np.ndarray:
    """Sorted unique shingle hashes of ``text`` (uint64), by the fast path.

    Equal to ``sorted({shingle_hash(s) for s in shingles(text, ngram, unit)})``.

    >>> from dedup.shingling import shingle_hash, shingles
    >>> text = "“Mandatory credit”: The White House…"
    >>> [int(h) for h in shingle_hashes(text)] == sorted(
    ...     shingle_hash(s) for s in shingles(text))
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    for raw in (True, False):
        buf, starts, ends, flags, moff, mlen, mdata, amap, raw = Scanner([text], raw).args()
        h = all_hashes(buf, starts[0], ends[0], flags, moff, mlen, mdata, amap, raw, ngram, unit == "char")
        if h is not None:
            return np.unique(h)
    raise AssertionError("unreachable: the normalised pass is never unsafe")


def prefix_exceeds(scanner: Scanner, limit: int, bound: int, ngram: int) -> np.ndarray:
    """bool[len(scanner)]: :func:`dedup._kernels.shingling.reference_prefix_exceeds` of each item
    (False wherever the kernel defers to CPython's normalisation).
    ``bound`` must be at least 1."""
    if bound < 1:
        raise ValueError(f"bound must be at least 1, got {bound}")
    if len(scanner) == 0:
        return np.zeros(0, dtype=bool)
    return prefix_exceeds_nb(*scanner.args(), ngram, limit, bound)


PIECE_BYTES = 1 << 16  # bytes of text per piece of work, at least, with several workers


def hash_sets(scanner: Scanner, ngram: int, unit: str, sort: bool = False,
              workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of every item of ``scanner`` (flat, offsets), items the
    kernel found unsafe redone through CPython's normalisation; on
    ``workers`` threads, by pieces of items."""
    pieces = cost_pieces(scanner.ends - scanner.starts, workers, PIECE_BYTES) if workers > 1 else []
    if len(pieces) > 1:
        return joined(run(lambda lo, hi: _hash_sets(scanner.take(np.arange(lo, hi)), ngram, unit, sort),
                          pieces, workers))
    return _hash_sets(scanner, ngram, unit, sort)


def text_hash_sets(texts: Sequence[str], ngram: int, unit: str, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """:func:`hash_sets` of ``texts``, each piece encoded by its worker."""
    pieces = text_pieces(texts, workers, max(1, len(texts)), sys.maxsize)
    return joined(run(lambda lo, hi: _hash_sets(Scanner(texts[lo:hi]), ngram, unit, False), pieces, workers))


def joined(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive (flat, offsets) parts as one."""
    if len(parts) == 1:
        return parts[0]
    offs = np.zeros(sum(len(o) - 1 for _, o in parts) + 1, dtype=np.int64)
    at, base = 0, 0
    for flat, o in parts:
        offs[at + 1 : at + len(o)] = o[1:] + base
        at += len(o) - 1
        base += len(flat)
    return (np.concatenate([f for f, _ in parts]) if parts else np.zeros(0, np.uint64)), offs


def _hash_sets(scanner: Scanner, ngram: int, unit: str, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    if unit == "char" and not sort:
        flat, offs, unsafe = char_hashes(*scanner.args(), ngram)
    else:
        flat, offs, unsafe = sorted_sets(*scanner.args(), ngram, unit == "char", sort)
    if unsafe.any():
        parts = [
            shingle_hashes(scanner.text_of(d), ngram, unit) if unsafe[d] else flat[offs[d] : offs[d + 1]]
            for d in range(len(scanner))
        ]
        offs = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=offs[1:])
        flat = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    return flat, offs
