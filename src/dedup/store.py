"""The persistent store behind ``Index(path=...)``: SQLite in WAL mode.

Tables: ``meta`` (the config and format version), ``docs`` (id, key,
signature) and ``buckets`` (band key -> first and latest document id, the
same star-plus-chain buckets as in memory). A batch is one transaction
taken with ``BEGIN IMMEDIATE``: the check for near-duplicates and the insert
happen under the write lock, so two processes adding the same page cannot
both accept it, and ``synchronous=FULL`` makes a returned ``add`` durable
against a kill -9 (and power loss).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Hashable
from pathlib import Path

import numpy as np
from numba import njit, uint64

from .config import FORMAT_VERSION, Config
from .lsh import BucketTable

FORMAT = "dedup-index"
CHUNK = 500  # SQLite host parameters per statement


@njit(cache=True)
def _insert_rows(keys, first, last, rk, rf, rl):
    """Put existing (band key, first, last) rows into an empty open-addressing table."""
    mask = keys.shape[0] - 1
    for i in range(rk.shape[0]):
        key = rk[i]
        s = np.int64(key & uint64(mask))
        while keys[s] != uint64(0) and keys[s] != key:
            s = (s + 1) & mask
        keys[s] = key
        first[s] = rf[i]
        last[s] = rl[i]


@njit(cache=True)
def _rows_of(keys, first, last, want):
    """(first, last) of each key of ``want`` in the table (all present)."""
    mask = keys.shape[0] - 1
    f = np.empty(want.shape[0], dtype=np.int64)
    g = np.empty(want.shape[0], dtype=np.int64)
    for i in range(want.shape[0]):
        key = want[i]
        s = np.int64(key & uint64(mask))
        while keys[s] != key:
            s = (s + 1) & mask
        f[i] = first[s]
        g[i] = last[s]
    return f, g


def _signed(u: np.ndarray) -> list[int]:
    return u.view(np.int64).tolist()


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
            tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as e:
            self._fail(e, existed)
        if "meta" not in tables:
            if tables:
                raise ValueError(f"{self.path}: an SQLite database, but not a dedup index (tables {sorted(tables)})")
            self._create(config)
            self.config = config
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
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS buckets (band INTEGER PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL)"
            )
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
        """Rebuild the buckets from the documents in id order, then VACUUM."""
        from .lsh import _band_keys

        self.con.execute("BEGIN IMMEDIATE")
        try:
            rows = self.con.execute("SELECT id, sig FROM docs WHERE sig IS NOT NULL ORDER BY id").fetchall()
            self.con.execute("DELETE FROM buckets")
            if rows:
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                sig = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), -1)
                bands = _band_keys(sig, config.bands, config.rows)
                table = BucketTable(capacity=2 * bands.size + 16)
                table.candidates(bands, ids, insert=True)
                uniq = np.unique(bands)
                f, g = _rows_of(table.keys, table.first, table.last, uniq)
                self.con.executemany(
                    "INSERT INTO buckets (band, first, last) VALUES (?, ?, ?)", zip(_signed(uniq), f.tolist(), g.tolist())
                )
            self.con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self.con.execute("VACUUM")

    # ---------------------------------------------------------------- batches

    def _buckets(self, bands: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = []
        signed = _signed(bands)
        for lo in range(0, len(signed), CHUNK):
            part = signed[lo : lo + CHUNK]
            q = f"SELECT band, first, last FROM buckets WHERE band IN ({','.join('?' * len(part))})"
            rows.extend(self.con.execute(q, part).fetchall())
        if not rows:
            z = np.zeros(0, np.int64)
            return z.astype(np.uint64), z, z
        arr = np.array(rows, dtype=np.int64)
        return arr[:, 0].view(np.uint64), arr[:, 1], arr[:, 2]

    def _docs(self, ids: np.ndarray) -> dict[int, tuple[Hashable, bytes | None]]:
        out = {}
        idl = [int(i) for i in ids]
        for lo in range(0, len(idl), CHUNK):
            part = idl[lo : lo + CHUNK]
            q = f"SELECT id, key, sig FROM docs WHERE id IN ({','.join('?' * len(part))})"
            for i, key, sig in self.con.execute(q, part):
                out[i] = (key, sig)
        return out

    def run(self, keys, sig, counts, bandkeys, live, insert: bool):
        """Candidates and verification for a batch; inserts it when asked.

        Returns (doc rows, candidate ids, similarities, key of each id).
        """
        try:
            self.con.execute("BEGIN IMMEDIATE" if insert else "BEGIN")
        except sqlite3.DatabaseError as e:
            self._fail(e, True)
        try:
            start = self.con.execute("SELECT COALESCE(MAX(id) + 1, 0) FROM docs").fetchone()[0]
            uniq = np.unique(bandkeys) if bandkeys.size else np.zeros(0, np.uint64)
            rk, rf, rl = self._buckets(uniq)
            table = BucketTable(capacity=2 * (len(uniq) + len(rk)) + 16)
            _insert_rows(table.keys, table.first, table.last, rk, rf.astype(np.int32), rl.astype(np.int32))
            table.size = len(rk)
            ids = (start + live) if insert else live
            cand, ncand = table.candidates(bandkeys, ids, insert=insert)
            from .clusters import pairs_of, signature_similarity

            doc, other = pairs_of(cand, ncand, live)
            old = np.unique(other[other < start]) if insert else np.unique(other)
            stored = self._docs(old)
            k = sig.shape[1]
            other_sig = np.empty((len(other), k), dtype=np.uint32)
            key_of: dict[int, Hashable] = {i: v[0] for i, v in stored.items()}
            sig_of = {i: np.frombuffer(v[1], dtype=np.uint32) for i, v in stored.items() if v[1] is not None}
            alive = np.ones(len(other), dtype=bool)
            for p, o in enumerate(other.tolist()):
                if insert and o >= start:
                    other_sig[p] = sig[o - start]
                elif o in sig_of:
                    other_sig[p] = sig_of[o]
                else:  # removed since its bucket was written
                    alive[p] = False
            doc, other, other_sig = doc[alive], other[alive], other_sig[alive]
            sim = signature_similarity(sig[doc], other_sig)
            if insert:
                for i, key in enumerate(keys):
                    key_of[start + i] = key
                self.con.executemany(
                    "INSERT INTO docs (id, key, sig) VALUES (?, ?, ?)",
                    [
                        (start + i, key, sig[i].tobytes() if counts[i] > 0 else None)
                        for i, key in enumerate(keys)
                    ],
                )
                if len(uniq):
                    f, g = _rows_of(table.keys, table.first, table.last, uniq)
                    self.con.executemany(
                        "INSERT INTO buckets (band, first, last) VALUES (?, ?, ?) "
                        "ON CONFLICT(band) DO UPDATE SET last = excluded.last",
                        zip(_signed(uniq), f.tolist(), g.tolist()),
                    )
            self.con.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            self._rollback()
            self._fail(e, True)
        except BaseException:
            self._rollback()
            raise
        return doc, other, sim, key_of
