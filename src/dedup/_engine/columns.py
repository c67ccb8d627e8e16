"""Columns of int64 values on disk, and reading rows of a file by ``pread``.

What the out-of-core paths keep per document lives here instead of in
memory; ``pread`` reads into private buffers (a memory map would count the
pages it touched as resident).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class Column:
    """int64 values in a file, appended in order: memory stays flat however many.
    ``c[i]`` reads one value, :meth:`take` several, :meth:`chunks` all in order."""

    CHUNK = 1 << 16

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._f = open(self.path, "wb+")  # noqa: SIM115 - held for the column's life; close() closes it
        self._buf: list[np.ndarray] = []
        self._pending = 0
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def extend(self, values) -> None:
        a = np.asarray(values, dtype=np.int64)
        self._buf.append(a)
        self._pending += len(a)
        self.n += len(a)
        if self._pending >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self._f.write(np.concatenate(self._buf).tobytes())
            self._buf, self._pending = [], 0
        self._f.flush()

    def __getitem__(self, i: int) -> int:
        return int(self.take(np.array([i]))[0])

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The values at ``rows`` (any order, repeats allowed)."""
        self.flush()
        uniq, inverse = np.unique(np.asarray(rows, dtype=np.int64), return_inverse=True)
        if not len(uniq):
            return np.zeros(0, np.int64)
        return read_rows(self._f.fileno(), uniq, 1, np.int64)[:, 0][inverse]

    def chunks(self):
        """(first position, values) of each chunk, in order."""
        self.flush()
        for lo in range(0, self.n, self.CHUNK):
            data = os.pread(self._f.fileno(), 8 * min(self.CHUNK, self.n - lo), 8 * lo)
            yield lo, np.frombuffer(data, dtype=np.int64)

    def close(self) -> None:
        self._f.close()


def read_rows(fd: int, rows: np.ndarray, k: int, dtype) -> np.ndarray:
    """Rows ``rows`` (sorted, unique) of a file of ``k`` values of ``dtype``
    per row, read by runs of consecutive rows (``pread``: no mapping, so no
    resident pages)."""
    dtype = np.dtype(dtype)
    out = np.empty((len(rows), k), dtype=dtype)
    size = dtype.itemsize * k
    for run in np.split(np.arange(len(rows)), np.flatnonzero(np.diff(rows) != 1) + 1):
        if not len(run):
            continue
        first, count = int(rows[run[0]]), len(run)
        data = os.pread(fd, count * size, first * size)
        out[run[0] : run[0] + count] = np.frombuffer(data, dtype=dtype).reshape(count, k)
    return out
