"""The persistent store behind ``Index(path=...)``: SQLite in WAL mode.

Tables: ``meta`` (the config and format version) and ``docs`` (id, key,
signature), appended in id order. The LSH buckets are derived data: each
process keeps them in memory (the same star-plus-chain table as the
in-memory index), built from the stored signatures when the file is opened
and brought up to date with the documents other processes added before
every batch. Bucket writes would be random B-tree inserts that slow down as
the file grows; appending signatures keeps the add rate flat.

A batch is one transaction taken with ``BEGIN IMMEDIATE``: catching up, the
check for near-duplicates and the insert happen under the write lock, so two
processes adding the same page cannot both accept it, and
``synchronous=FULL`` makes a returned ``add`` durable against a kill -9 (and
power loss).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Hashable
from pathlib import Path

import numpy as np

from .config import FORMAT_VERSION, Config
from .lsh import BucketTable

FORMAT = "dedup-index"
CHUNK = 500  # SQLite host parameters per statement
CACHE_KIB = 256 * 1024
MMAP_BYTES = 4 << 30


class SqliteStore:
    def __init__(self, path: str | os.PathLike, config: Config, adopt: bool = False) -> None:
        self.path = Path(path)
        existed = self.path.exists()
        if existed and self.path.is_dir():
            raise IsADirectoryError(f"{self.path}: is a folder; pass the path of an index file")
        try:
            self.con = sqlite3.connect(str(self.path), timeout=120, isolation_level=None, check_same_thread=False)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=FULL")
            self.con.execute(f"PRAGMA cache_size={-CACHE_KIB}")  # bucket lookups are random: keep pages in memory
            self.con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as e:
            self._fail(e, existed)
        if "meta" not in tables:
            if tables:
                raise ValueError(f"{self.path}: an SQLite database, but not a dedup index (tables {sorted(tables)})")
            self._create(config)
            self.config = config
            self._reset()
            return
        try:
            meta = dict(self.con.execute("SELECT name, value FROM meta"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{self.path}: not a dedup index (format {meta.get('format')!r})")
            stored = Config.from_dict(json.loads(meta["config"]))
        except (KeyError, json.JSONDecodeError, sqlite3.DatabaseError) as e:
            raise ValueError(f"{self.path}: damaged dedup index ({e})") from None
        if not adopt:
            config.check_compatible(stored, str(self.path))
        self.config = stored
        self._reset()

    def _fail(self, e: Exception, existed: bool) -> None:
        msg = str(e)
        if "not a database" in msg or "malformed" in msg or "disk image" in msg:
            raise ValueError(f"{self.path}: not a dedup index, or the file is damaged ({msg}); it was left as it is") from None
        if "unable to open" in msg or "readonly" in msg or "read-only" in msg:
            raise PermissionError(
                f"{self.path}: cannot open the index for writing ({msg}); the folder must be writable "
                "(SQLite keeps -wal and -shm files beside the index)"
            ) from None
        raise ValueError(f"{self.path}: {msg}") from None

    def _create(self, config: Config) -> None:
        try:
            self.con.execute("BEGIN IMMEDIATE")
            self.con.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.con.execute("CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, key, sig BLOB)")
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('format_version', ?)", (str(FORMAT_VERSION),))
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('config', ?)", (config.to_json(),))
            self.con.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            self._rollback()
            self._fail(e, False)

    def _rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        self.con.close()

    def __len__(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def nbytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    # ------------------------------------------------------------ maintenance

    def remove(self, key: Hashable) -> int:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            n = self.con.execute("DELETE FROM docs WHERE key = ?", (key,)).rowcount
            self.con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        return n

    def dump(self):
        for key, sig in self.con.execute("SELECT key, sig FROM docs ORDER BY id"):
            yield key, None if sig is None else np.frombuffer(sig, dtype=np.uint32)

    def compact(self, config: Config) -> None:
        """Reclaim the space of removed documents and rebuild the buckets."""
        self.con.execute("VACUUM")
        self._reset()

    # ---------------------------------------------------------------- batches

    def _docs(self, ids: np.ndarray) -> dict[int, tuple[Hashable, bytes | None]]:
        out = {}
        idl = [int(i) for i in ids]
        for lo in range(0, len(idl), CHUNK):
            part = idl[lo : lo + CHUNK]
            q = f"SELECT id, key, sig FROM docs WHERE id IN ({','.join('?' * len(part))})"
            for i, key, sig in self.con.execute(q, part):
                out[i] = (key, sig)
        return out

    def _reset(self) -> None:
        self.table = BucketTable()
        self.seen = -1  # the last document id folded into self.table
        try:
            self._catch_up()
        except sqlite3.DatabaseError as e:
            self._fail(e, True)

    def _catch_up(self) -> None:
        """Fold the documents added since (by any process) into the buckets."""
        from .lsh import _band_keys

        while True:
            rows = self.con.execute(
                "SELECT id, sig FROM docs WHERE id > ? ORDER BY id LIMIT 100000", (self.seen,)
            ).fetchall()
            if not rows:
                return
            live = [(i, sig) for i, sig in rows if sig is not None]
            if live:
                ids = np.array([i for i, _ in live], dtype=np.int64)
                sig = np.frombuffer(b"".join(s for _, s in live), dtype=np.uint32).reshape(len(live), -1)
                self.table.candidates(_band_keys(sig, self.config.bands, self.config.rows), ids, insert=True)
            self.seen = rows[-1][0]

    def run(self, keys, sig, counts, bandkeys, live, insert: bool):
        """Candidates and verification for a batch; inserts it when asked.

        Returns (doc rows, candidate ids, similarities, key of each id).
        """
        from .clusters import pairs_of, signature_similarity

        try:
            self.con.execute("BEGIN IMMEDIATE" if insert else "BEGIN")
        except sqlite3.DatabaseError as e:
            self._fail(e, True)
        touched = False
        try:
            self._catch_up()
            start = self.seen + 1
            ids = (start + live) if insert else live
            touched = insert
            cand, ncand = self.table.candidates(bandkeys, ids, insert=insert)
            doc, other = pairs_of(cand, ncand, live)
            old = np.unique(other[other < start]) if insert else np.unique(other)
            stored = self._docs(old)
            key_of: dict[int, Hashable] = {i: v[0] for i, v in stored.items()}
            sig_of = {i: np.frombuffer(v[1], dtype=np.uint32) for i, v in stored.items() if v[1] is not None}
            other_sig = np.empty((len(other), sig.shape[1]), dtype=np.uint32)
            alive = np.ones(len(other), dtype=bool)
            for p, o in enumerate(other.tolist()):
                if insert and o >= start:
                    other_sig[p] = sig[o - start]
                elif o in sig_of:
                    other_sig[p] = sig_of[o]
                else:  # removed since
                    alive[p] = False
            doc, other, other_sig = doc[alive], other[alive], other_sig[alive]
            sim = signature_similarity(sig[doc], other_sig)
            if insert:
                for i, key in enumerate(keys):
                    key_of[start + i] = key
                self.con.executemany(
                    "INSERT INTO docs (id, key, sig) VALUES (?, ?, ?)",
                    [(start + i, key, sig[i].tobytes() if counts[i] > 0 else None) for i, key in enumerate(keys)],
                )
            self.con.execute("COMMIT")
            if insert:
                self.seen = start + len(keys) - 1
        except BaseException as e:
            self._rollback()
            if touched:  # the buckets in memory took a batch the file did not
                self._reset()
            if isinstance(e, sqlite3.DatabaseError):
                self._fail(e, True)
            raise
        return doc, other, sim, key_of
