"""The LSH bucket table kept across batches (by :class:`dedup.Index` and
the boilerplate matcher): band key -> (first, latest) document id, grown as
documents come; its kernels are in :mod:`dedup._kernels.lsh`."""

from __future__ import annotations

import math

import numpy as np

from .._kernels.lsh import lookup, rehash

MAX_LOAD = 0.7


class BucketTable:
    """An open-addressing table: band key -> (first, latest) document id."""

    def __init__(self, capacity: int = 1024) -> None:
        cap = 1 << max(4, math.ceil(math.log2(max(capacity, 16))))
        self.table = np.zeros((cap, 2), dtype=np.uint64)
        self.size = 0

    @property
    def nbytes(self) -> int:
        return self.table.nbytes

    def _reserve(self, extra: int) -> None:
        need = self.size + extra
        cap = self.table.shape[0]
        if need <= MAX_LOAD * cap:
            return
        while need > MAX_LOAD * cap:
            cap *= 2
        grown = np.zeros((cap, 2), dtype=np.uint64)
        rehash(self.table, grown)
        self.table = grown

    def candidates(
        self, bandkeys: np.ndarray, ids: np.ndarray, insert: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate ids per row (``cand[d, :ncand[d]]``), inserting rows if asked."""
        m, b = bandkeys.shape
        if insert:
            self._reserve(m * b)
        cand = np.empty((m, 2 * b), dtype=np.int32)
        ncand = np.zeros(m, dtype=np.int64)
        if m:
            self.size += lookup(self.table, bandkeys, ids.astype(np.int32), insert, cand, ncand)
        return cand, ncand


def star_chain_pairs(
    key: np.ndarray, doc: np.ndarray, carry: tuple[int, int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int] | None]:
    """Candidate pairs of band-key records sorted by (key, doc): in a bucket
    (a run of one key) each member after the first is paired with the
    bucket's first member and with the member before it, what the bucket
    table gives when documents arrive in order (never all pairs, however
    many members a bucket has).

    Records may come in consecutive slices of one sorted run: ``carry`` is
    the (key, first doc, last doc) of the bucket the previous slice ended
    in, and the one this slice ends in is returned. Returns (doc, cand,
    carry), pairs with ``doc > cand``, possibly repeated.

    Spec (plain Python)::

        pairs, first, prev = [], {}, {}
        for k, d in records:          # sorted by (k, d)
            if k in first:
                pairs += [(d, first[k]), (d, prev[k])]
            else:
                first[k] = d
            prev[k] = d

    >>> d, c, carry = star_chain_pairs(np.array([5, 5, 5, 7]), np.array([1, 4, 9, 2]))
    >>> d.tolist(), c.tolist(), carry
    ([4, 9, 4, 9], [1, 1, 1, 4], (7, 2, 2))
    >>> d, c, carry = star_chain_pairs(np.array([7, 7]), np.array([3, 8]), carry)
    >>> d.tolist(), c.tolist(), carry
    ([3, 8, 3, 8], [2, 2, 2, 3], (7, 2, 8))
    """
    key = np.asarray(key).astype(np.uint64, copy=False)
    doc = np.asarray(doc, dtype=np.int64)
    if len(key) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), carry
    if carry is not None:
        key = np.concatenate([np.array([carry[0]], dtype=np.uint64), key])
        doc = np.concatenate([np.array([carry[2]], dtype=np.int64), doc])
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    first = doc[np.maximum.accumulate(np.where(new, np.arange(len(key)), 0))]
    if carry is not None and not new[1:].any():
        first[:] = carry[1]
    elif carry is not None:
        first[: int(np.argmax(new[1:])) + 1] = carry[1]
    same = np.flatnonzero(~new)
    out_doc = np.concatenate([doc[same], doc[same]])
    out_cand = np.concatenate([first[same], doc[same - 1]])
    return out_doc, out_cand, (int(key[-1]), int(first[-1]), int(doc[-1]))
