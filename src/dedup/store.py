"""The persistent store behind ``Index(path=...)``: SQLite in WAL mode.

Tables: ``meta`` (the config, the format version and ``next_id``) and
``docs`` (id, key, signature, with an index on key), appended in id order.
Ids are never reused: ``next_id`` only grows, so a document removed by one
process never lends its id to a document added later by another, and every
process catches up by reading the rows whose id is above the last one it
folded in. The LSH buckets are derived data: each process keeps them in
memory (the same star-plus-chain table as the in-memory index), built from
the stored signatures when the file is opened and brought up to date with
the documents other processes added before every batch. Bucket writes would
be random B-tree inserts that slow down as the file grows; appending
signatures keeps the add rate flat.

A batch is one transaction taken with ``BEGIN IMMEDIATE``: catching up, the
check for near-duplicates and for keys already present, and the insert all
happen under the write lock, so two processes adding the same page cannot
both accept it, and ``synchronous=FULL`` makes a returned ``add`` durable
against a kill -9 (and power loss). The store is not thread-safe by itself:
:class:`dedup.Index` holds a lock around each call.

Opening never changes a file that is not an index: the file's header and
schema are read first through a read-only connection, and only a new file,
an empty SQLite database or a dedup index is opened for writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import NoReturn

import numpy as np

from ._engine.buckets import BucketTable
from .config import FORMAT_VERSION, Config

FORMAT = "dedup-index"
CHUNK = 500  # SQLite host parameters per statement
CACHE_KIB = 256 * 1024
MMAP_BYTES = 4 << 30
TIMEOUT = 120  # seconds to wait for another process's write lock
MAX_ID = 2**31 - 1  # the bucket table holds int32 ids
HEADER = b"SQLite format 3\x00"


class SqliteStore:
    def __init__(self, path: str | os.PathLike[str], config: Config, adopt: bool = False) -> None:
        self.path = Path(path)
        self.con: sqlite3.Connection | None = None
        self.read_only = False
        self._in_txn = False
        self._dirty = False  # the buckets took rows of the open transaction
        if self.path.is_dir():
            raise IsADirectoryError(f"{self.path}: is a folder; pass the path of an index file")
        folder = self.path.absolute().parent
        if not folder.is_dir():
            if folder.exists():
                raise NotADirectoryError(f"{self.path}: {folder} is a file, not a folder; pass a path in a folder")
            raise FileNotFoundError(
                f"{self.path}: the folder {folder} does not exist; create it (mkdir -p) or pass a path in an existing folder"
            )
        existed = self.path.exists()
        stored = self._probe() if existed and self.path.stat().st_size > 0 else None
        if stored is not None and not adopt:
            config.check_compatible(stored, str(self.path))
        try:
            if existed and not os.access(self.path, os.W_OK):
                if stored is None:
                    raise PermissionError(
                        f"{self.path}: the file is read-only and holds no index; "
                        "make it writable, or pass a new path to create an index"
                    )
                self.read_only = True
                self._connect_read_only()
                self.config = stored
            else:
                self.config = self._connect(config, adopt)
            self._reset()
        except BaseException:
            self.close()
            if not existed:  # leave no empty file behind a failed create
                for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                    with contextlib.suppress(OSError):
                        p.unlink()
            raise

    # ------------------------------------------------------------- opening

    def _uri(self, query: str) -> str:
        return f"{self.path.absolute().as_uri()}?{query}"

    def _probe(self) -> Config | None:
        """Read the header and schema without changing the file (no WAL
        switch, no side files); None for an empty SQLite database, the stored
        config for an index; raise for anything else."""
        with open(self.path, "rb") as f:
            head = f.read(100)
        if len(head) < 100 or not head.startswith(HEADER):
            raise ValueError(
                f"{self.path}: not a dedup index: not an SQLite database (it begins {head[:16]!r}); "
                "it was left as it is. Pass the path of an index file, or a new path to create one"
            )
        # A WAL-mode file (header byte 18 is 2) with no -wal beside it has all
        # its content in the main file: read it as immutable, so no -wal and
        # -shm are created. Otherwise an ordinary read-only connection.
        immutable = head[18] == 2 and not Path(f"{self.path}-wal").exists()
        con = None
        try:
            con = sqlite3.connect(self._uri("immutable=1" if immutable else "mode=ro"), uri=True, timeout=TIMEOUT)
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if "meta" not in tables:
                self._foreign(f"tables {sorted(tables)}")
            self._check_columns(con, tables, "meta", ["name", "value"])
            stored = self._stored_config(con)
            self._check_columns(con, tables, "docs", ["id", "key", "sig"])
            return stored
        except sqlite3.DatabaseError as e:
            self._fail(e)
        finally:
            if con is not None:
                con.close()

    def _check_columns(self, con: sqlite3.Connection, tables: set[str], table: str, want: list[str]) -> None:
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        if table in tables and not set(want) <= set(columns):
            self._foreign(
                f"tables {sorted(tables)}; table {table} has columns {columns}, "
                f"expected {', '.join(want[:-1])} and {want[-1]}"
            )

    def _stored_config(self, con: sqlite3.Connection) -> Config:
        try:
            meta = dict(con.execute("SELECT name, value FROM meta"))
            if "format" not in meta:
                names = sorted(str(k) for k in meta)
                self._foreign(f"its meta table has no 'format' row; names found: {names[:10]}")
            if meta["format"] != FORMAT:
                self._foreign(f"its meta table has format {meta['format']!r:.60}, expected {FORMAT!r}")
            return Config.from_dict(json.loads(meta["config"]))
        except (KeyError, TypeError, json.JSONDecodeError) as e:
            raise ValueError(f"{self.path}: damaged dedup index (meta: {e!r}); it was left as it is") from None

    def _foreign(self, found: str) -> NoReturn:
        raise ValueError(
            f"{self.path}: an SQLite database, but not a dedup index ({found}); "
            "it was left as it is. Pass the path of an index file, or a new path to create one"
        )

    def _connect(self, config: Config, adopt: bool) -> Config:
        try:
            self.con = sqlite3.connect(str(self.path), timeout=TIMEOUT, isolation_level=None, check_same_thread=False)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=FULL")
            self.con.execute(f"PRAGMA cache_size={-CACHE_KIB}")  # bucket lookups are random: keep pages in memory
            self.con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            names = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master")}
            if "meta" not in names or "docs_key" not in names:
                self._create(config)  # a new file, or an index from before the key index
            stored = self._stored_config(self.con)
        except sqlite3.DatabaseError as e:
            self._fail(e)
        if not adopt:  # another process may have created it first, with other parameters
            config.check_compatible(stored, str(self.path))
        return stored

    def _connect_read_only(self) -> None:
        wal = Path(f"{self.path}-wal")
        try:
            try:
                self.con = self._open_ro("mode=ro")
            except sqlite3.OperationalError as e:
                # a read-only folder: SQLite cannot make the -shm it reads a WAL
                # file through. With no WAL content there is nothing to miss.
                if "unable to open" not in str(e) or (wal.exists() and wal.stat().st_size > 0):
                    raise
                self.con = self._open_ro("immutable=1")
        except sqlite3.DatabaseError as e:
            self._fail(e)

    def _open_ro(self, query: str) -> sqlite3.Connection:
        con = sqlite3.connect(self._uri(query), uri=True, timeout=TIMEOUT, isolation_level=None, check_same_thread=False)
        try:
            con.execute("SELECT COUNT(*) FROM meta").fetchone()
        except BaseException:
            con.close()
            raise
        return con

    def _fail(self, e: Exception) -> NoReturn:
        msg = str(e)
        if "not a database" in msg or "malformed" in msg or "disk image" in msg:
            raise ValueError(f"{self.path}: not a dedup index, or the file is damaged ({msg}); it was left as it is") from None
        if "unable to open" in msg or "readonly" in msg or "read-only" in msg:
            folder = self.path.absolute().parent
            side = [p.name for p in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")) if p.exists() and not os.access(p, os.W_OK)]
            if self.read_only:
                cause = f"the file is read-only and SQLite cannot read it ({msg})"
            elif not os.access(folder, os.W_OK):
                cause = (
                    f"the folder {folder} is not writable, and SQLite keeps {self.path.name}-wal and "
                    f"{self.path.name}-shm beside the index; make the folder writable or move the index"
                )
            elif self.path.exists() and not os.access(self.path, os.W_OK):
                cause = "the file is read-only; make it writable"
            elif side:
                cause = f"{' and '.join(side)} beside it cannot be written; make them writable or remove them"
            else:
                cause = msg
            raise PermissionError(f"{self.path}: cannot open the index for writing: {cause}") from None
        if "locked" in msg or "busy" in msg:
            raise TimeoutError(
                f"{self.path}: another process held the index's write lock for over {TIMEOUT} s ({msg}); try again"
            ) from None
        raise ValueError(f"{self.path}: {msg}") from None

    def _create(self, config: Config) -> None:
        assert self.con is not None
        self.con.execute("BEGIN IMMEDIATE")
        try:
            self.con.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.con.execute("CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, key, sig BLOB)")
            self.con.execute("CREATE INDEX IF NOT EXISTS docs_key ON docs (key)")
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('format_version', ?)", (str(FORMAT_VERSION),))
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('config', ?)", (config.to_json(),))
            self.con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.con is not None:
            with contextlib.suppress(sqlite3.DatabaseError):
                self.con.execute("ROLLBACK")

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    @property
    def closed(self) -> bool:
        return self.con is None

    @property
    def _con(self) -> sqlite3.Connection:
        assert self.con is not None  # Index checks before every call
        return self.con

    def __len__(self) -> int:
        count: int = self._con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return count

    def __contains__(self, key: Hashable) -> bool:
        return self._con.execute("SELECT 1 FROM docs WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    def nbytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    def check_writable(self) -> None:
        if self.read_only:
            raise PermissionError(
                f"{self.path}: the index file is read-only, so it was opened for queries only; "
                "make the file writable to add, remove or compact"
            )

    # ------------------------------------------------------------ maintenance

    def remove(self, key: Hashable) -> int:
        with self.transaction(write=True):
            return self._con.execute("DELETE FROM docs WHERE key = ?", (key,)).rowcount

    def dump(self) -> Iterator[tuple[Hashable, np.ndarray | None]]:
        for key, sig in self._con.execute("SELECT key, sig FROM docs ORDER BY id"):
            yield key, None if sig is None else np.frombuffer(sig, dtype=np.uint32)

    def compact(self, config: Config) -> None:
        """Reclaim the space of removed documents and rebuild the buckets."""
        self.check_writable()
        try:
            self._con.execute("VACUUM")  # keeps every id, and next_id
        except sqlite3.DatabaseError as e:
            self._fail(e)
        self._reset()

    # ---------------------------------------------------------------- batches

    @contextlib.contextmanager
    def transaction(self, write: bool) -> Iterator[None]:
        """One transaction, caught up with the rows other processes added.

        With ``write``, taken with the write lock (``BEGIN IMMEDIATE``), so
        nothing else is added until it ends. Nested calls join the open one.
        If it fails, everything in it is rolled back, buckets included.
        """
        if self._in_txn:
            yield
            return
        if write:
            self.check_writable()
        try:
            self._con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.DatabaseError as e:
            self._fail(e)
        self._in_txn, self._dirty = True, False
        try:
            self._catch_up()
            yield
            self._con.execute("COMMIT")
        except BaseException as e:
            self._rollback()
            if self._dirty:  # the buckets in memory took rows the file did not
                with contextlib.suppress(sqlite3.DatabaseError):
                    self._reset()
            if isinstance(e, sqlite3.DatabaseError):
                self._fail(e)
            raise
        finally:
            self._in_txn = False

    def _docs(self, ids: np.ndarray) -> dict[int, tuple[Hashable, bytes | None]]:
        out = {}
        idl = [int(i) for i in ids]
        for lo in range(0, len(idl), CHUNK):
            part = idl[lo : lo + CHUNK]
            q = f"SELECT id, key, sig FROM docs WHERE id IN ({','.join('?' * len(part))})"
            for i, key, sig in self._con.execute(q, part):
                out[i] = (key, sig)
        return out

    def _present(self, keys: list[Hashable]) -> set[Hashable]:
        out: set[Hashable] = set()
        for lo in range(0, len(keys), CHUNK):
            part = keys[lo : lo + CHUNK]
            q = f"SELECT key FROM docs WHERE key IN ({','.join('?' * len(part))})"
            out.update(k for (k,) in self._con.execute(q, part))
        return out

    def _reset(self) -> None:
        self.table = BucketTable()
        self.seen = -1  # the last document id folded into self.table
        try:
            self._catch_up()
        except sqlite3.DatabaseError as e:
            self._fail(e)

    def _catch_up(self) -> None:
        """Fold the documents added since (by any process) into the buckets.

        Ids only grow and a batch is inserted under the write lock, so every
        row added since the last call has an id above ``self.seen``; a row
        removed since is found missing when it turns up as a candidate.
        """
        from ._kernels.lsh import band_keys

        while True:
            rows = self._con.execute(
                "SELECT id, sig FROM docs WHERE id > ? ORDER BY id LIMIT 100000", (self.seen,)
            ).fetchall()
            if not rows:
                return
            live = [(i, sig) for i, sig in rows if sig is not None]
            if live:
                ids = np.array([i for i, _ in live], dtype=np.int64)
                sig = np.frombuffer(b"".join(s for _, s in live), dtype=np.uint32).reshape(len(live), -1)
                self.table.candidates(band_keys(sig, self.config.bands, self.config.rows), ids, insert=True)
            self.seen = rows[-1][0]

    def _next_id(self) -> int:
        """The first id never used: above every id stored now, every id stored
        before (``next_id`` in meta) and every id this process has seen."""
        row = self._con.execute("SELECT value FROM meta WHERE name = 'next_id'").fetchone()
        top = self._con.execute("SELECT MAX(id) FROM docs").fetchone()[0]
        return max(int(row[0]) if row else 0, -1 if top is None else top + 1, self.seen + 1)

    def run(
        self,
        keys: list[Hashable] | None,
        sig: np.ndarray,
        counts: np.ndarray,
        bandkeys: np.ndarray,
        live: np.ndarray,
        insert: bool,
        where: Callable[[int], str] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, Hashable]]:
        """Candidates and verification for a batch; inserts it when asked
        (``keys``: those of the batch; None when only querying).

        Returns (doc rows, candidate ids, similarities, key of each id).
        ``where(i)`` describes item i of the batch for an error message.
        """
        with self.transaction(write=insert):
            return self._batch(keys or [], sig, counts, bandkeys, live, insert, where)

    def _batch(
        self,
        keys: list[Hashable],
        sig: np.ndarray,
        counts: np.ndarray,
        bandkeys: np.ndarray,
        live: np.ndarray,
        insert: bool,
        where: Callable[[int], str] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, Hashable]]:
        from ._engine.candidates import pairs_of
        from ._engine.verify import signature_similarity

        start = 0
        if insert:
            taken = self._present(keys)
            if taken:
                i = next(i for i, k in enumerate(keys) if k in taken)
                raise ValueError(
                    f"key {keys[i]!r:.80} {where(i) if where else ''} is already in the index {self.path}; "
                    f"remove it first (index.remove(key)) or use another key"
                )
            start = self._next_id()
            if start + len(keys) - 1 > MAX_ID:
                raise OverflowError(
                    f"{self.path}: the index has used all {MAX_ID + 1} document ids; "
                    "export it (export_jsonl) and import it into a new index"
                )
        ids = (start + live) if insert else live
        self._dirty |= insert
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
            self._con.executemany(
                "INSERT INTO docs (id, key, sig) VALUES (?, ?, ?)",
                [(start + i, key, sig[i].tobytes() if counts[i] > 0 else None) for i, key in enumerate(keys)],
            )
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('next_id', ?)", (str(start + len(keys)),))
            self.seen = start + len(keys) - 1
        return doc, other, sim, key_of
