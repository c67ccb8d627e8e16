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
