"""Near-duplicate documents out of core: memory bounded whatever the corpus size.

:class:`OnDisk` gives the answer :class:`dedup.Index` gives with
``verify="signature"`` (documents taken in order, star + chain buckets, the
most similar earlier candidate, the earliest on ties), in passes over
temporary files instead of tables in memory:

1. **sign**: each batch's signatures are appended to one file, and every
   band key, with its document number, to one of 64 partition files chosen
   by the key's top bits.
2. **bucket**: each partition is sorted by (key, document); in a bucket
   (a run of one key) every member's candidates are the bucket's first
   member and the member before it: what the in-memory table gives when
   documents arrive in order. A partition too large to sort in
   ``sort_bytes`` is split by the key's next bits first.
3. **verify**: candidate pairs are grouped by ranges of documents; for each
   range, the signatures involved are read (``pread``), pairs estimated, and
   each document's best match kept.
4. **clusters**: a document joins its best match's cluster.

Memory: the sort and read buffers (bounded by ``sort_bytes``) and one
range of documents at a time; every per-document result is a :class:`Column`
on disk. Nothing grows with the corpus.

>>> from dedup import Config
>>> texts = ["the cat sat on the mat today", "a dog ran in the park", "the cat sat on the mat today!"]
>>> with OnDisk(Config(threshold=0.8, ngram=3)) as od:
...     sizes = od.add(texts)
...     best, similarity, root = od.finish().arrays()
>>> best.tolist(), similarity.tolist(), root.tolist()
([-1, -1, 0], [0.0, 0.0, 1.0], [0, 1, 0])
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit

from . import signatures
from .clusters import _agreements, best_matches
from .config import Config
from .documents import check_texts
from ._columns import Column, _read_rows
from .lsh import _band_keys
from .shingling import Scanner

PART_BITS = 6  # 64 partition files per level
RECORD = np.dtype([("key", "<u8"), ("doc", "<i8")])
EDGE = np.dtype([("doc", "<i8"), ("cand", "<i8")])
MIN_SPAN = 1 << 16  # documents per range, at least
SORT_BYTES = 32 << 20  # a partition sorted at once; pair files hold a quarter of it


class Result(NamedTuple):
    """Per document, as :class:`Column` files: ``best`` earlier match (-1:
    kept), ``agree`` (signature values it shares with it: similarity
    ``agree / num_perm``) and the cluster ``root`` (the kept document of its
    cluster; itself if kept). Valid until the :class:`OnDisk` is closed."""

    best: Column
    agree: Column
    root: Column
    num_perm: int

    def chunks(self):
        """(first position, best, similarity, root) arrays, chunk by chunk."""
        for (lo, b), (_, a), (_, r) in zip(self.best.chunks(), self.agree.chunks(), self.root.chunks()):
            yield lo, b, a / self.num_perm, r

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """best, similarity, root as arrays in memory (for small corpora)."""
        parts = list(self.chunks())
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        return tuple(np.concatenate([p[i] for p in parts]) for i in (1, 2, 3))


class OnDisk:
    """Find near-duplicate documents of a stream in bounded memory.

    Call :meth:`add` with batches of texts in order, then :meth:`finish`.
    Temporary files live in a fresh folder under ``workdir`` (default: the
    system's temporary folder), removed by :meth:`close`.
    """

    def __init__(self, config: Config, workdir: str | os.PathLike | None = None, sort_bytes: int = SORT_BYTES) -> None:
        if not isinstance(config, Config):
            raise TypeError(f"config must be a dedup.Config, got {type(config).__name__}")
        self.config = config.replace(verify="signature")
        self.sort_bytes = max(int(sort_bytes), 1 << 12)
        self.dir = Path(tempfile.mkdtemp(prefix="dedup-", dir=workdir))
        self.n = 0
        self._columns: list[Column] = []
        self._sig = open(self.dir / "signatures", "wb")
        self._parts = [open(self.dir / f"p{i:03d}", "wb") for i in range(1 << PART_BITS)]

    def __enter__(self) -> OnDisk:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary files."""
        for f in [self._sig, *self._parts, *self._columns]:
            f.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------ pass 1

    def add(self, texts: Sequence[str]) -> np.ndarray:
        """Sign a batch of texts (documents ``n .. n + len(texts) - 1``).

        Returns their sizes in UTF-8 bytes (measured while encoding them)."""
        texts = check_texts(texts)
        cfg = self.config
        scanner = Scanner(texts)
        sig, counts = signatures.compute_scanned(scanner, cfg)
        self._sig.write(sig.tobytes())
        live = np.flatnonzero(counts > 0)
        if len(live):
            keys = _band_keys(sig[live], cfg.bands, cfg.rows)
            rec = np.empty(keys.size, dtype=RECORD)
            rec["key"] = keys.ravel()
            rec["doc"] = np.repeat(live + self.n, cfg.bands)
            _spill(rec, self._parts, 0)
        self.n += len(texts)
        return scanner.ends - scanner.starts

    # ------------------------------------------------------------ passes 2-4

    def finish(self) -> Result:
        """Buckets, verification and clusters; returns the :class:`Result`."""
        n = self.n
        for f in [self._sig, *self._parts]:
            f.flush()
        span = range_span(n)
        ranges = -(-n // span)
        edge_files = [open(self.dir / f"e{i:05d}", "wb") for i in range(ranges)]
        try:
            for i in range(1 << PART_BITS):
                self._bucket(self.dir / f"p{i:03d}", 1, edge_files, span)
        finally:
            for f in edge_files:
                f.close()
        cols = [Column(self.dir / name) for name in ("best", "agree", "root")]
        self._columns = cols
        fd = os.open(self.dir / "signatures", os.O_RDONLY)
        try:
            for r in range(ranges):
                lo, hi = r * span, min(n, (r + 1) * span)
                best = np.full(hi - lo, -1, dtype=np.int64)
                agree = np.zeros(hi - lo, dtype=np.int64)
                self._verify(self.dir / f"e{r:05d}", lo, span, fd, best, agree, lo)
                cols[0].extend(best)
                cols[1].extend(agree)
                cols[2].extend(_range_roots(lo, best, cols[2]))
        finally:
            os.close(fd)
        for c in cols:
            c.flush()
        return Result(*cols, self.config.num_perm)

    def _verify(self, path: Path, lo: int, span: int, fd: int, best: np.ndarray, agree: np.ndarray, base: int) -> None:
        """Best match of each document of ``[lo, lo + span)`` from its candidate
        pairs in ``path`` (into ``best[d - base]``, ``agree[d - base]``)."""
        if path.stat().st_size > self.sort_bytes // 4 and span > 1:
            # too many pairs to hold at once: split by narrower ranges of documents
            sub = -(-span // 16)
            files = [open(f"{path}.{i:02d}", "wb") for i in range(16)]
            with open(path, "rb") as f:
                while chunk := f.read((self.sort_bytes // 4 // EDGE.itemsize) * EDGE.itemsize):
                    e = np.frombuffer(chunk, dtype=EDGE)
                    write_by(e, (e["doc"] - lo) // sub, files)
            for f in files:
                f.close()
            path.unlink()
            for i in range(16):
                self._verify(Path(f"{path}.{i:02d}"), lo + i * sub, sub, fd, best, agree, base)
            return
        edges = np.fromfile(path, dtype=EDGE)
        path.unlink()
        if not len(edges):
            return
        k = self.config.num_perm
        rows = np.unique(np.concatenate([edges["doc"], edges["cand"]]))
        sig = _read_rows(fd, rows, k, np.uint32)
        same = _agreements(sig, np.searchsorted(rows, edges["doc"]), np.searchsorted(rows, edges["cand"]))
        for d, (c, v) in best_matches(edges["doc"], edges["cand"], same / k, self.config.threshold).items():
            best[d - base], agree[d - base] = c, round(v * k)

    def _bucket(self, path: Path, level: int, edge_files, span: int) -> None:
        if path.stat().st_size > self.sort_bytes and level * PART_BITS < 64:
            # too large to sort at once: split by the key's next bits
            subs = [open(f"{path}.{i:03d}", "wb") for i in range(1 << PART_BITS)]
            with open(path, "rb") as f:
                while chunk := f.read((self.sort_bytes // RECORD.itemsize) * RECORD.itemsize):
                    _spill(np.frombuffer(chunk, dtype=RECORD), subs, level)
            for s in subs:
                s.close()
            path.unlink()
            for i in range(1 << PART_BITS):
                self._bucket(Path(f"{path}.{i:03d}"), level + 1, edge_files, span)
            return
        rec = np.fromfile(path, dtype=RECORD)
        path.unlink()
        if len(rec) < 2:
            return
        rec = rec[np.lexsort((rec["doc"], rec["key"]))]
        key, doc = rec["key"], rec["doc"]
        same = np.flatnonzero(key[1:] == key[:-1]) + 1  # members after a bucket's first
        if not len(same):
            return
        new = np.ones(len(rec), dtype=bool)
        new[1:] = key[1:] != key[:-1]
        first = doc[np.maximum.accumulate(np.where(new, np.arange(len(rec)), 0))]
        e = np.empty(2 * len(same), dtype=EDGE)
        e["doc"] = np.concatenate([doc[same], doc[same]])
        e["cand"] = np.concatenate([first[same], doc[same - 1]])
        e = np.unique(e)
        write_by(e, e["doc"] // span, edge_files)


def range_span(n: int) -> int:
    """Documents per range (of candidate pairs, or of cluster roots) for ``n`` documents:
    at most 256 ranges, each at least MIN_SPAN long."""
    return max(MIN_SPAN, -(-n // 256))


def write_by(rec: np.ndarray, which: np.ndarray, files) -> None:
    """Append each record to ``files[which[i]]``, in order."""
    if not len(rec):
        return
    order = np.argsort(which, kind="stable")
    rec, which = rec[order], which[order]
    starts = np.flatnonzero(np.diff(which)) + 1
    for chunk, w in zip(np.split(rec, starts), which[np.concatenate([[0], starts])].tolist()):
        files[int(w)].write(chunk.tobytes())


def _spill(rec: np.ndarray, files, level: int) -> None:
    """Append records to ``files`` by bits ``level * PART_BITS ..`` of their key (from the top)."""
    shift = np.uint64(64 - PART_BITS * (level + 1))
    write_by(rec, (rec["key"] >> shift) & np.uint64((1 << PART_BITS) - 1), files)


def _range_roots(lo: int, best: np.ndarray, roots: Column) -> np.ndarray:
    """Cluster roots of documents ``lo ..`` given their best matches; roots of
    earlier documents are read from the ``roots`` column."""
    dup = np.flatnonzero(best >= 0)
    earlier = dup[best[dup] < lo]
    given = np.full(len(best), -1, dtype=np.int64)
    given[earlier] = roots.take(best[earlier])
    return _chain_roots(lo, best, given)


@njit(cache=True)
def _chain_roots(lo, best, given):
    """Roots in document order: a duplicate takes its match's root (read from
    ``given`` when the match is before ``lo``)."""
    root = np.arange(lo, lo + best.shape[0])
    for i in range(best.shape[0]):
        b = best[i]
        if b >= lo:
            root[i] = root[b - lo]
        elif b >= 0:
            root[i] = given[i]
    return root
