"""Signatures of a batch of texts or of a :class:`Scanner`'s items: the
wrappers of the kernels in :mod:`dedup._kernels.signatures`, where the
schemes and their plain-Python specs (:func:`reference_signature`,
:func:`reference_content_key`) live."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence

import numpy as np

from .._kernels.signatures import (
    LONG,
    OK,
    UNSAFE_ITEM,
    kept_sketches,
    permutations,
    reference_content_key,
    reference_signature,
    signatures_nb,
    signatures_of_hashes,
    sketches,
)
from ..config import Config
from .scanner import Scanner
from .workers import cost_pieces, run, text_pieces

# the specs are re-exported: a test checks this module's results against them
__all__ = [
    "LONG_ITEM", "SCHEME_ID", "compute", "compute_scanned", "from_hashes", "in_item_order",
    "reference_content_key", "reference_signature", "sketch", "sketch_kept",
]
SCHEME_ID = {"fss": 0, "datasketch": 1, "datasketch-legacy": 2}
LONG_ITEM = 1 << 18  # bytes: longer items are sketched by the streaming kernel
PIECE_BYTES = 1 << 16  # bytes of text per piece of work, at least, with several workers


@functools.lru_cache(maxsize=16)
def _permutations(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """:func:`permutations` of ``config``, drawn once (a draw costs half a
    millisecond with the GIL held, and every piece of every batch needs it);
    the kernels only read them (left writeable: numba would compile a
    read-only variant of every kernel)."""
    return permutations(config)


def sketch(scanner: Scanner, config: Config,
           workers: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Signatures, shingle counts and content keys of the items of ``scanner``.

    Returns (sig, counts, keys, keyed): ``keys[i]`` is
    :func:`reference_content_key` of item i's shingle hashes where
    ``keyed[i]`` (items past LONG_ITEM bytes are streamed and not keyed).
    Same signatures and counts as :func:`compute_scanned`. On ``workers``
    threads, by pieces of items.
    """
    pieces = cost_pieces(scanner.ends - scanner.starts, workers, PIECE_BYTES) if workers > 1 else []
    if len(pieces) > 1:
        parts = run(lambda lo, hi: _sketch(scanner.take(np.arange(lo, hi)), config), pieces, workers)
        return tuple(np.concatenate(column) for column in zip(*parts))  # type: ignore[return-value]
    return _sketch(scanner, config)


def _sketch(scanner: Scanner, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    m, k = len(scanner), config.num_perm
    sig = np.empty((m, k), dtype=np.uint32)
    counts = np.zeros(m, dtype=np.int64)
    keys = np.zeros((m, 2), dtype=np.uint64)
    status = np.zeros(m, dtype=np.int8)
    if not m:
        return sig, counts, keys, np.zeros(0, dtype=bool)
    a, b = _permutations(config)
    sketches(*scanner.args(), config.ngram, config.unit == "char", SCHEME_ID[config.scheme], config.seed, a, b,
             LONG_ITEM, sig, counts, keys, status)
    keyed = status == OK
    long = np.flatnonzero(status == LONG)
    if len(long):
        sig[long], counts[long] = compute_scanned(scanner.take(long), config)
    redo = np.flatnonzero(status == UNSAFE_ITEM)
    if len(redo):
        sig[redo], counts[redo], keys[redo], keyed[redo] = _sketch(scanner.normalized(redo), config)
    return sig, counts, keys, keyed


def sketch_kept(
    scanner: Scanner, config: Config, flat: np.ndarray | None = None, at: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sketch` of items of any length (every item keyed), keeping the
    shingle hashes it computed, for exact verification without hashing again.

    The hashes are written to ``flat`` from position ``at`` on (a new array
    by default). Returns (sig, counts, keys, flat, offs, row): ``flat``
    (the one given, or a larger copy), and item i's hashes at
    ``flat[offs[row[i]]:offs[row[i] + 1]]``, as emitted (repeats included).
    ``offs`` runs from ``at`` to the end of what was written, in order; an
    item the kernel cannot normalise alone is redone on CPython's
    normalisation of its text (as everywhere) and its hashes come after the
    others'. Same signatures and counts as :func:`compute_scanned`;
    ``keys[i]`` is :func:`reference_content_key` of item i's hashes.
    """
    m, k = len(scanner), config.num_perm
    sig = np.empty((m, k), dtype=np.uint32)
    counts = np.zeros(m, dtype=np.int64)
    keys = np.zeros((m, 2), dtype=np.uint64)
    unsafe = np.zeros(m, dtype=bool)
    if flat is None:  # about a hash a word (a character with unit="char"); the kernel makes more if needed
        size = int((scanner.ends - scanner.starts).sum())
        flat = np.empty(at + (size if config.unit == "char" else size // 4) + 256, dtype=np.uint64)
    offs = np.full(m + 1, at, dtype=np.int64)
    row = np.arange(m)
    if not m:
        return sig, counts, keys, flat, offs, row
    a, b = _permutations(config)
    flat = kept_sketches(*scanner.args(), config.ngram, config.unit == "char", SCHEME_ID[config.scheme],
                         config.seed, a, b, sig, counts, keys, unsafe, flat, offs)
    redo = np.flatnonzero(unsafe)
    if len(redo):  # after the others: their segments in the kernel's pass stay empty
        sig[redo], counts[redo], keys[redo], flat, roffs, _ = sketch_kept(
            scanner.normalized(redo), config, flat, int(offs[-1]))
        offs = np.concatenate([offs, roffs[1:]])
        row[redo] = m + np.arange(len(redo))
    return sig, counts, keys, flat, offs, row


def in_item_order(flat: np.ndarray, offs: np.ndarray, row: np.ndarray) -> list[np.ndarray]:
    """Views of ``flat`` whose concatenation is the items' hashes in item
    order (:func:`sketch_kept`'s layout): one view when no item was redone."""
    m = len(row)
    if not m:
        return []
    redo = np.flatnonzero(row != np.arange(m)).tolist()
    pieces, at = [], int(offs[0])
    for d in redo:
        pieces += [flat[at : offs[d]], flat[offs[row[d]] : offs[row[d] + 1]]]
        at = int(offs[d + 1])
    pieces.append(flat[at : offs[m]])
    return pieces


def from_hashes(flat: np.ndarray, offs: np.ndarray, config: Config) -> np.ndarray:
    """Signatures of items given as concatenated shingle hashes with offsets."""
    sig = np.empty((len(offs) - 1, config.num_perm), dtype=np.uint32)
    a, b = _permutations(config)
    signatures_of_hashes(flat, offs, SCHEME_ID[config.scheme], config.seed, a, b, sig)
    return sig


def compute(texts: Sequence[str], config: Config, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Signatures (uint32[len(texts), num_perm]) and shingle counts of ``texts``.

    ``texts`` must already be checked to be strings. A document without
    shingles has count 0 and a signature of ``EMPTY`` values. On
    ``workers`` threads, each encoding and signing its pieces of texts.
    """
    pieces = text_pieces(texts, workers, max(1, len(texts)), sys.maxsize)
    if len(pieces) <= 1:
        return compute_scanned(Scanner(texts), config)
    sig = np.empty((len(texts), config.num_perm), dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int64)

    def sign(lo: int, hi: int) -> None:
        sig[lo:hi], counts[lo:hi] = compute_scanned(Scanner(texts[lo:hi]), config)

    run(sign, pieces, workers)
    return sig, counts


def compute_scanned(scanner: Scanner, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """:func:`compute` for the items of a :class:`Scanner`."""
    n = len(scanner)
    sig = np.empty((n, config.num_perm), dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    if not n:
        return sig, counts
    a, b = _permutations(config)
    params = (config.ngram, config.unit == "char", SCHEME_ID[config.scheme], config.seed, a, b)
    signatures_nb(*scanner.args(), *params, sig, counts)
    redo = np.flatnonzero(counts < 0)
    if len(redo):
        sub_sig, sub_counts = sig[redo], counts[redo]
        signatures_nb(*scanner.normalized(redo).args(), *params, sub_sig, sub_counts)
        sig[redo], counts[redo] = sub_sig, sub_counts
    return sig, counts
