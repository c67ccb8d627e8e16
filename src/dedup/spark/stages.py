"""The stages of the Spark pipeline as functions of Arrow record batches:
plain numpy over the library's engine, no Spark (tested without it).

Each takes an iterator of :class:`pyarrow.RecordBatch` of one partition and
yields batches, as ``DataFrame.mapInArrow`` calls it:

- :func:`rank_counts` / :func:`add_ranks`: the keep order as a dense rank
  (rows per partition, then each partition's offset);
- :func:`sign`: signature (``k`` uint32 as ``4k`` bytes) and band keys (as
  int64) of each text, by :func:`dedup._engine.signatures.compute`;
- :func:`bucket_pairs`: star + chain candidates of band-key records sorted
  by (key, rank) (:func:`dedup._engine.buckets.star_chain_pairs`, carried
  across the batches of a partition);
- :func:`estimate`: equal signature values of each candidate pair;
- :func:`exact`: exact Jaccard of each surviving pair, from the two texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from .._engine.buckets import star_chain_pairs
from .._engine.checks import banding
from .._engine.signatures import compute
from .._engine.verify import exact_for_texts
from .._kernels.lsh import band_keys
from .._kernels.sets import agreements
from ..config import Config

if TYPE_CHECKING:
    import pyarrow as pa


def _pa():
    import pyarrow as pa

    return pa


def rank_counts(partition: Callable[[], int]) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Rows of each partition: one batch ``(part, n)``."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pa = _pa()
        n = sum(b.num_rows for b in batches)
        yield pa.record_batch({"part": pa.array([partition()], pa.int32()), "n": pa.array([n], pa.int64())})

    return run


def add_ranks(offsets: dict[int, int], partition: Callable[[], int]
              ) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Prepend column ``rank``: the partition's offset plus the row's place in it."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pa = _pa()
        at = offsets.get(partition(), 0)
        for b in batches:
            rank = pa.array(np.arange(at, at + b.num_rows, dtype=np.int64))
            at += b.num_rows
            yield pa.RecordBatch.from_arrays([rank, *b.columns], names=["rank", *b.schema.names])

    return run


def binary_rows(values: np.ndarray) -> pa.Array:
    """A binary Arrow array with one row per row of the 2-D array ``values``."""
    pa = _pa()
    n = values.shape[0]
    width = values.shape[1] * values.itemsize
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(values).view(np.uint8).ravel()
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def fixed_rows(column: pa.Array, dtype: type, width: int) -> np.ndarray:
    """The rows of a binary Arrow column of equal-sized values as a 2-D array."""
    pa = _pa()
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(column)
    if n == 0:
        return np.zeros((0, width), dtype=dtype)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset : column.offset + n + 1]
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.view(dtype).reshape(n, width)


def sign(config: Config) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """(rank, text) -> (rank, sig, keys): the signature as bytes and the band
    keys as int64 (none for a text without shingles, which takes no part)."""
    bands, rows = banding(config)

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pa = _pa()
        for b in batches:
            texts = b.column("text").to_pylist()
            sig, counts = compute(texts, config)
            keys = band_keys(sig, bands, rows).view(np.int64)
            live = counts > 0
            lengths = np.where(live, bands, 0)
            offsets = np.zeros(len(texts) + 1, dtype=np.int32)
            np.cumsum(lengths, out=offsets[1:])
            values = pa.array(keys[live].ravel())
            yield pa.RecordBatch.from_arrays(
                [b.column("rank"), binary_rows(sig), pa.ListArray.from_arrays(pa.array(offsets), values)],
                names=["rank", "sig", "keys"])

    return run


def bucket_pairs(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """(key, rank), sorted by (key, rank) within the partition -> (doc, cand)
    star + chain candidate pairs, a bucket continued across batches."""
    pa = _pa()
    carry = None
    for b in batches:
        key = b.column("key").to_numpy(zero_copy_only=False).view(np.uint64)
        rank = b.column("rank").to_numpy(zero_copy_only=False)
        doc, cand, carry = star_chain_pairs(key, rank, carry)
        yield pa.record_batch({"doc": pa.array(doc), "cand": pa.array(cand)})


def estimate(config: Config) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """(doc, cand, sig_doc, sig_cand) -> (doc, cand, same): how many
    signature values each pair shares."""
    k = config.num_perm

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pa = _pa()
        for b in batches:
            m = b.num_rows
            sig = np.concatenate([fixed_rows(b.column("sig_doc"), np.uint32, k),
                                  fixed_rows(b.column("sig_cand"), np.uint32, k)])
            idx = np.arange(m, dtype=np.int64)
            same = agreements(sig, idx, idx + m)
            yield pa.record_batch({"doc": b.column("doc"), "cand": b.column("cand"), "same": pa.array(same)})

    return run


def exact(config: Config) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """(doc, cand, text_doc, text_cand) -> (doc, cand, sim): the exact Jaccard
    of the two shingle sets, each text hashed once per batch."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pa = _pa()
        for b in batches:
            doc = b.column("doc").to_numpy(zero_copy_only=False)
            cand = b.column("cand").to_numpy(zero_copy_only=False)
            ids, inverse = np.unique(np.concatenate([doc, cand]), return_inverse=True)
            texts: list[str] = [""] * len(ids)
            m = len(doc)
            for col, at in ((b.column("text_doc").to_pylist(), inverse[:m]), (b.column("text_cand").to_pylist(), inverse[m:])):
                for i, t in zip(at.tolist(), col):
                    texts[i] = t
            sim = exact_for_texts(texts, inverse[:m], inverse[m:], config.ngram, config.unit)
            yield pa.record_batch({"doc": b.column("doc"), "cand": b.column("cand"), "sim": pa.array(sim)})

    return run
