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


GAP = 1 << 16  # bytes: spans closer than this are read by one pread, the gap with them
WINDOW = 1 << 20  # bytes: ... unless that read would pass a 1 MB boundary of the file


def read_rows(fd: int, rows: np.ndarray, k: int, dtype) -> np.ndarray:
    """Rows ``rows`` (sorted, unique) of a file of ``k`` values of ``dtype``
    per row (``pread``: no mapping, so no resident pages); see
    :func:`read_spans`."""
    rows = np.asarray(rows, dtype=np.int64)
    flat, _ = read_spans(fd, rows * k, rows * k + k, dtype)
    return flat.reshape(len(rows), k)


def read_spans(fd: int, starts: np.ndarray, ends: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Spans ``[starts[i], ends[i])`` (in values of ``dtype``; sorted, not
    overlapping) of a file, concatenated: (flat, offs), span i at
    ``flat[offs[i]:offs[i + 1]]``. Spans less than GAP bytes apart are read
    by one ``pread`` (the gap with them) as long as it stays inside a
    WINDOW-byte block of the file: few reads where the spans are dense, and
    memory bounded by the spans and one window."""
    dtype = np.dtype(dtype)
    size = dtype.itemsize
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    offs = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offs[1:])
    flat = np.empty(int(offs[-1]), dtype=dtype)
    if not len(starts):
        return flat, offs
    keep = ends > starts  # empty spans read nothing
    starts, ends = starts[keep], ends[keep]
    new = np.ones(len(starts), dtype=bool)  # where a read starts: a wide gap, or a new window
    new[1:] = ((starts[1:] - ends[:-1]) * size > GAP) | (starts[1:] * size // WINDOW != (ends[:-1] * size - 1) // WINDOW)
    at = offs[:-1][keep]  # where each kept span goes in flat
    at = np.r_[at, offs[-1]]
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(starts)]
    for a, b in zip(first.tolist(), last.tolist()):
        lo, hi = int(starts[a]), int(ends[b - 1])
        data = np.frombuffer(os.pread(fd, (hi - lo) * size, lo * size), dtype=dtype)
        if b - a == 1 or hi - lo == at[b] - at[a]:  # one span, or spans without gaps
            flat[at[a] : at[b]] = data
        else:  # the spans' values, in order: a mask of a byte per value read
            edge = np.zeros(hi - lo + 1, dtype=np.int8)
            edge[starts[a:b] - lo] = 1
            edge[ends[a:b] - lo] -= 1  # a span's end is the next one's start, or in a gap
            flat[at[a] : at[b]] = data[np.cumsum(edge[:-1], dtype=np.int8).view(bool)]
    return flat, offs
