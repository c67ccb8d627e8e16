"""Near-duplicate documents out of core: memory bounded whatever the corpus size.

:class:`OnDisk` gives the answer :func:`dedup.find_duplicates` gives for the
same config (``keep="first"``): documents taken in order, star + chain
buckets (a document's candidates are each of its buckets' first member and
the member before it, what the library's bucket table gives), the most
similar earlier candidate, the earliest on ties. With ``verify="exact"``
(the default) candidates are decided on the exact Jaccard similarity of
their shingle sets, after the library's signature prefilter (and, as in
the library, only for the pairs that can change a match); with
``verify="signature"`` on the signature estimate, as :class:`dedup.Index`
does. It works in passes over temporary files instead of tables in memory:

1. **sign**: each batch's signatures are appended to one file, and every
   band key, with its document number, to one of 64 partition files chosen
   by the key's top bits. With ``verify="exact"``, the shingle hashes the
   signatures were made from are appended to a hash file (each document's
   end offset to a column), and each document's content key to a key file;
   with ``keep_texts``, the batch's UTF-8 text to a text file.
2. **bucket**: each partition is sorted by (key, document); in a bucket
   (a run of one key) every member's candidates are the bucket's first
   member and the member before it: what the in-memory table gives when
   documents arrive in order. A partition too large to sort in
   ``sort_bytes`` is split by the key's next bits first.
3. **verify**: candidate pairs are grouped by ranges of documents; for each
   range, the signatures involved are read (``pread``) and pairs estimated;
   with ``verify="exact"``, of the pairs the prefilter keeps, those at the
   same content key are at 1.0, and those that can still change a match are
   verified on the exact Jaccard of the shingle hashes read back (``pread``,
   a group of pairs of at most ``sort_bytes`` of hashes at a time). Each
   document's best match is kept.
4. **clusters**: a document joins its best match's cluster.

Memory: the sort and read buffers (bounded by ``sort_bytes``, per worker
while partitions are bucketed), the shingle hashes of one group of
candidate pairs, and one range of documents at a time; every per-document
result is a :class:`Column` on disk. Nothing grows with the corpus.

>>> from dedup import Config
>>> texts = ["the cat sat on the mat today", "a dog ran in the park", "the cat sat on the mat today!"]
>>> with OnDisk(Config(threshold=0.8, ngram=3)) as od:
...     sizes = od.add(texts)
...     best, similarity, root = od.finish().arrays()
>>> best.tolist(), similarity.tolist(), root.tolist()
([-1, -1, 0], [0.0, 0.0, 1.0], [0, 1, 0])
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ._engine import signatures
from ._engine.buckets import star_chain_pairs
from ._engine.candidates import prefilter_floor
from ._engine.checks import banding, check_texts
from ._engine.clusters import best_matches
from ._engine.columns import Column, read_rows, read_spans
from ._engine.files import remove_work_folder, work_folder
from ._engine.scanner import Scanner
from ._engine.verify import deciding, set_similarity
from ._engine.workers import check_workers, count_pieces, ordered, run, text_pieces
from ._kernels.lsh import band_keys
from ._kernels.sets import agreements
from ._kernels.unionfind import chain_roots
from .config import Config

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

PART_BITS = 6  # 64 partition files per level
RECORD = np.dtype([("key", "<u8"), ("doc", "<i8")])
EDGE = np.dtype([("doc", "<i8"), ("cand", "<i8")])
MIN_SPAN = 1 << 16  # documents per range, at least
SORT_BYTES = 32 << 20  # a partition sorted at once; pair files hold a quarter of it


class OnDiskResult(NamedTuple):
    """What :meth:`OnDisk.finish` found: per document, as columns on disk,
    ``best`` earlier match (-1: kept), ``similarity`` to it (the float64
    bits: exact Jaccard with ``verify="exact"``, else the signature
    estimate; 0 if kept) and the cluster ``root`` (the kept document of its
    cluster; itself if kept). ``verify`` says which similarity decided (the
    config's). Read them with :meth:`chunks` or :meth:`arrays`; valid until
    the :class:`OnDisk` is closed."""

    best: Column
    similarity: Column
    root: Column
    verify: str

    def chunks(self) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """(first position, best, similarity, root) arrays, chunk by chunk."""
        for (lo, b), (_, s), (_, r) in zip(self.best.chunks(), self.similarity.chunks(), self.root.chunks()):
            yield lo, b, s.view(np.float64), r

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """best, similarity, root as arrays in memory (for small corpora)."""
        parts = list(self.chunks())
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        return (np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]),
                np.concatenate([p[3] for p in parts]))


class OnDisk:
    """Find near-duplicate documents of a stream in bounded memory.

    Call :meth:`add` with batches of texts in order, then :meth:`finish`.
    Temporary files live in a fresh folder under ``workdir`` (default: the
    system's temporary folder), removed by :meth:`close`. The texts are kept
    there (for :meth:`text`) with ``keep_texts=True``; with
    ``verify="exact"``, the shingle hashes (8 bytes per shingle), which
    verification reads back. ``workers``: threads that sign each batch,
    bucket the partitions and verify candidates (``None``, the default:
    every core available to the process); the result is the same whatever
    the number.
    """

    def __init__(self, config: Config, workdir: str | os.PathLike | None = None, sort_bytes: int = SORT_BYTES,
                 keep_texts: bool = False, workers: int | None = None) -> None:
        if not isinstance(config, Config):
            raise TypeError(f"config must be a dedup.Config, got {type(config).__name__}")
        self.config = config
        self.workers = check_workers(workers)
        self.sort_bytes = max(int(sort_bytes), 1 << 12)
        self.dir = work_folder(workdir)
        self.n = 0
        self._columns: list[Column] = []
        self._sig: Any = None
        self._texts: Any = None
        self._text_ends: Any = None
        self._keys: Any = None
        self._hashes: Any = None
        self._hash_ends: Any = None
        self._parts: list = []
        self._text_end = 0
        self._hash_end = 0
        try:
            # kept open across add() calls; close() closes them
            self._sig = open(self.dir / "signatures", "wb")  # noqa: SIM115
            self._parts = [open(self.dir / f"p{i:03d}", "wb") for i in range(1 << PART_BITS)]  # noqa: SIM115
            if keep_texts:
                self._texts = open(self.dir / "texts", "wb")  # noqa: SIM115
                self._text_ends = Column(self.dir / "text-ends")
                self._columns.append(self._text_ends)
            if config.verify == "exact":  # exact verification reads back content keys and shingle hashes
                self._keys = open(self.dir / "keys", "wb")  # noqa: SIM115
                self._hashes = open(self.dir / "hashes", "wb")  # noqa: SIM115
                self._hash_ends = Column(self.dir / "hash-ends")
                self._columns.append(self._hash_ends)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary files (whatever closing them raises: a full disk, say)."""
        try:
            for f in [self._sig, *self._parts, *self._columns, self._texts, self._keys, self._hashes]:
                if f is not None:
                    with contextlib.suppress(OSError):
                        f.close()
        finally:
            remove_work_folder(self.dir)

    # ------------------------------------------------------------ pass 1

    def add(self, texts: Sequence[str]) -> np.ndarray:
        """Sign a batch of texts (documents ``n .. n + len(texts) - 1``).

        Returns their sizes in UTF-8 bytes (measured while encoding them)."""
        texts = check_texts(texts)
        cfg = self.config
        sizes, sigs, live = [], [], []
        # pieces of the batch signed on the workers, written in order as they come
        pieces = text_pieces(texts, self.workers, max(1, len(texts)), sys.maxsize)
        signed = ordered(lambda lo, hi: self._sign(texts[lo:hi]), pieces, self.workers)
        for (lo, _), (scanner, sig, counts, kept) in zip(pieces, signed):
            sizes.append(self._write(scanner, sig, kept))
            sigs.append(sig)
            live.append(lo + np.flatnonzero(counts > 0))
        if sigs and sum(map(len, live)):
            bands, rows = banding(cfg)
            doc = np.concatenate(live)
            keys = band_keys(np.concatenate(sigs)[doc], bands, rows)
            rec = np.empty(keys.size, dtype=RECORD)
            rec["key"] = keys.ravel()
            rec["doc"] = np.repeat(doc + self.n, bands)
            _spill(rec, self._parts, 0)
        self.n += len(texts)
        return np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)

    def _sign(self, texts: list[str]) -> tuple[Scanner, np.ndarray, np.ndarray, Any]:
        """(scanner, signatures, counts, and with exact verification what
        :func:`signatures.sketch_kept` gives) of some texts."""
        scanner = Scanner(texts)
        if self.config.verify == "exact":
            sig, counts, keys, flat, offs, row = signatures.sketch_kept(scanner, self.config)
            return scanner, sig, counts, (keys, flat, offs, row)
        sig, counts = signatures.compute_scanned(scanner, self.config)
        return scanner, sig, counts, None

    def _write(self, scanner: Scanner, sig: np.ndarray, kept: Any) -> np.ndarray:
        """Append one signed piece to the files (but its band keys); returns
        its texts' sizes in bytes."""
        if kept is not None:
            keys, flat, offs, row = kept
            self._keys.write(keys.tobytes())
            for piece in signatures.in_item_order(flat, offs, row):
                self._hashes.write(piece.data)  # the buffer itself, no copy
            ends = np.cumsum(offs[row + 1] - offs[row]) + self._hash_end
            self._hash_ends.extend(ends)
            self._hash_end = int(ends[-1]) if len(ends) else self._hash_end
        self._sig.write(sig.tobytes())
        if self._texts is not None and len(scanner):
            self._texts.write(scanner.buf[: scanner.ends[-1]].tobytes())
            self._text_ends.extend(scanner.ends + self._text_end)
            self._text_end += int(scanner.ends[-1])
        return scanner.ends - scanner.starts

    def text(self, i: int) -> str:
        """The text of document ``i`` as added (kept with ``keep_texts`` only)."""
        if self._texts is None:
            raise ValueError("texts are not kept; pass OnDisk(..., keep_texts=True)")
        self._texts.flush()
        i = int(i)
        start = self._text_ends[i - 1] if i else 0
        with open(self.dir / "texts", "rb") as f:
            return os.pread(f.fileno(), self._text_ends[i] - start, start).decode("utf-8", "surrogatepass")

    # ------------------------------------------------------------ passes 2-4

    def finish(self) -> OnDiskResult:
        """Buckets, verification and clusters; returns the :class:`OnDiskResult`."""
        n = self.n
        for f in [self._sig, *self._parts, *self._columns, self._texts, self._keys, self._hashes]:
            if f is not None:
                f.flush()
        span = range_span(n)
        ranges = -(-n // span)
        with contextlib.ExitStack() as stack:
            edge_files = [stack.enter_context(open(self.dir / f"e{i:05d}", "wb")) for i in range(ranges)]
            # partitions on the workers: each sorts its own (at most sort_bytes); the edges
            # they append to a range's file are sorted when it is verified, in whatever order they came
            parts = [self.dir / f"p{i:03d}" for i in range(1 << PART_BITS)]

            def bucket(lo: int, hi: int) -> None:
                for p in parts[lo:hi]:
                    self._bucket(p, 1, edge_files, span)

            run(bucket, count_pieces(len(parts), self.workers, 1), self.workers)
        cols = [Column(self.dir / name) for name in ("best", "similarity", "root")]
        self._columns += cols
        exact = self.config.verify == "exact"
        fd = os.open(self.dir / "signatures", os.O_RDONLY)
        kfd = os.open(self.dir / "keys", os.O_RDONLY) if exact else None
        hfd = os.open(self.dir / "hashes", os.O_RDONLY) if exact else None
        try:
            for r in range(ranges):
                lo, hi = r * span, min(n, (r + 1) * span)
                best = np.full(hi - lo, -1, dtype=np.int64)
                sim = np.zeros(hi - lo, dtype=np.float64)
                self._verify(self.dir / f"e{r:05d}", lo, span, (fd, kfd, hfd), best, sim, lo)
                cols[0].extend(best)
                cols[1].extend(sim.view(np.int64))
                cols[2].extend(_range_roots(lo, best, cols[2]))
        finally:
            for f in (fd, kfd, hfd):
                if f is not None:
                    os.close(f)
        for c in cols:
            c.flush()
        return OnDiskResult(cols[0], cols[1], cols[2], self.config.verify)

    def _verify(self, path: Path, lo: int, span: int, fds, best: np.ndarray, out: np.ndarray, base: int) -> None:
        """Best match of each document of ``[lo, lo + span)`` from its candidate
        pairs in ``path`` (into ``best[d - base]``, similarity ``out[d - base]``)."""
        if path.stat().st_size > self.sort_bytes // 4 and span > 1:
            # too many pairs to hold at once: split by narrower ranges of documents
            sub = -(-span // 16)
            with contextlib.ExitStack() as stack, open(path, "rb") as f:
                files = [stack.enter_context(open(f"{path}.{i:02d}", "wb")) for i in range(16)]
                while chunk := f.read((self.sort_bytes // 4 // EDGE.itemsize) * EDGE.itemsize):
                    e = np.frombuffer(chunk, dtype=EDGE)
                    write_by(e, (e["doc"] - lo) // sub, files)
            path.unlink()
            for i in range(16):
                self._verify(Path(f"{path}.{i:02d}"), lo + i * sub, sub, fds, best, out, base)
            return
        edges = np.fromfile(path, dtype=EDGE)
        path.unlink()
        if not len(edges):
            return
        edges = _unique_edges(edges)  # sorted by (doc, cand); a pair met in several bands once
        cfg = self.config
        k = cfg.num_perm
        doc, cand = edges["doc"], edges["cand"]
        rows = np.unique(np.concatenate([doc, cand]))
        sig = read_rows(fds[0], rows, k, np.uint32)
        same = agreements(sig, np.searchsorted(rows, doc), np.searchsorted(rows, cand))
        if cfg.verify == "exact":
            keep = same >= prefilter_floor(cfg) * k  # the library's prefilter, the same comparison
            doc, cand = doc[keep], cand[keep]
            ia, ib = np.searchsorted(rows, doc), np.searchsorted(rows, cand)
            equal, need = deciding(ia, ib, sig, read_rows(fds[1], rows, 2, np.uint64))
            sim = np.ones(len(doc))
            sim[need] = self._exact(fds[2], doc[need], cand[need])
            keep = equal | need
            doc, cand, sim = doc[keep], cand[keep], sim[keep]
        else:
            sim = same / k
        for d, (c, v) in best_matches(doc, cand, sim, cfg.threshold).items():
            best[d - base], out[d - base] = c, v

    def _exact(self, fd: int, doc: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Exact Jaccard of each pair, from the shingle hashes read back:
        pairs are taken in groups whose hashes (counted per pair) fit in
        ``sort_bytes``, so a group's hashes bound the memory (a single pair
        always goes)."""
        sim = np.zeros(len(doc), dtype=np.float64)
        if not len(doc):
            return sim
        rows = np.unique(np.concatenate([doc, cand]))
        ends = self._hash_ends.take(rows)
        starts = np.zeros(len(rows), dtype=np.int64)
        first = rows > 0
        starts[first] = self._hash_ends.take(rows[first] - 1)
        size = 8 * (ends - starts)
        ia, ib = np.searchsorted(rows, doc), np.searchsorted(rows, cand)
        cost = np.cumsum(size[ia] + size[ib])
        lo = 0
        while lo < len(doc):
            hi = max(lo + 1, int(np.searchsorted(cost, (cost[lo - 1] if lo else 0) + self.sort_bytes, side="right")))
            involved, inverse = np.unique(np.concatenate([ia[lo:hi], ib[lo:hi]]), return_inverse=True)
            flat, offs = read_spans(fd, starts[involved], ends[involved], np.uint64)
            m = hi - lo
            sim[lo:hi] = set_similarity(flat, offs, inverse[:m], inverse[m:], self.workers)
            lo = hi
        return sim

    def _bucket(self, path: Path, level: int, edge_files, span: int) -> None:
        if path.stat().st_size > self.sort_bytes and (level + 1) * PART_BITS <= 64:
            # too large to sort at once: split by the key's next bits
            with contextlib.ExitStack() as stack, open(path, "rb") as f:
                subs = [stack.enter_context(open(f"{path}.{i:03d}", "wb")) for i in range(1 << PART_BITS)]
                while chunk := f.read((self.sort_bytes // RECORD.itemsize) * RECORD.itemsize):
                    _spill(np.frombuffer(chunk, dtype=RECORD), subs, level)
            path.unlink()
            for i in range(1 << PART_BITS):
                self._bucket(Path(f"{path}.{i:03d}"), level + 1, edge_files, span)
            return
        rec = np.fromfile(path, dtype=RECORD)
        path.unlink()
        if len(rec) < 2:
            return
        rec = rec[np.lexsort((rec["doc"], rec["key"]))]
        doc, cand, _ = star_chain_pairs(rec["key"], rec["doc"])
        if not len(doc):
            return
        e = np.empty(len(doc), dtype=EDGE)
        e["doc"], e["cand"] = doc, cand
        e = _unique_edges(e)
        write_by(e, e["doc"] // span, edge_files)


def _unique_edges(e: np.ndarray) -> np.ndarray:
    """``np.unique`` of EDGE records (sorted by doc, then cand), by a
    lexsort of the two int64 columns: several times faster than sorting
    structured records."""
    e = e[np.lexsort((e["cand"], e["doc"]))]
    keep = np.ones(len(e), dtype=bool)
    keep[1:] = (e["doc"][1:] != e["doc"][:-1]) | (e["cand"][1:] != e["cand"][:-1])
    return e[keep]


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
    return chain_roots(lo, best, given)


