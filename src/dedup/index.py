"""An in-memory, incremental near-duplicate index."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from ._engine import signatures
from ._engine.buckets import BucketTable
from ._engine.candidates import pairs_of
from ._engine.checks import check_texts, check_verify, make_config
from ._engine.clusters import best_matches
from ._engine.verify import signature_similarity
from ._engine.workers import check_workers
from ._kernels.lsh import band_keys
from .config import Config

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

INT64 = 2**63


def check_key(key: Any, where: str) -> None:
    """Refuse a key outside the domain every index stores: str (valid
    Unicode) or int within signed 64 bits; not bool, not None."""
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise TypeError(
            f"key {where} is {type(key).__name__} ({key!r:.60}); keys are str or int (not bool or None): "
            "pass a URL, a name or a number"
        )
    if isinstance(key, int) and not -INT64 <= key < INT64:
        raise ValueError(
            f"key {where} is {key}, outside the signed 64-bit range [-2**63, 2**63 - 1]; pass it as a str instead"
        )
    if isinstance(key, str):
        try:
            key.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(
                f"key {where} ({key!r:.60}) is not valid Unicode: a lone surrogate at character {e.start}; "
                "decode the source properly, or pass key.encode('utf-8', 'replace').decode()"
            ) from None


def _valid_key(key: Any) -> bool:
    try:
        check_key(key, "")
    except (TypeError, ValueError):
        return False
    return True


class Match(NamedTuple):
    """The earlier document a text matched, and their estimated Jaccard similarity."""

    key: Hashable
    similarity: float


class Index:
    """Near-duplicate lookups against the documents added so far.

    Documents are never stored, only their signatures (``num_perm`` 32-bit
    values) and LSH buckets: in memory about 1.2 KB per document at the
    defaults, as in :func:`dedup.deduplicate`; in an index file about 600
    bytes (``benchmarks/results/index-100000-1000000.md``). Candidates are
    therefore verified on the signature estimate. For the same texts in
    the same order, :meth:`add` reports a match exactly for the documents that
    ``find_duplicates(texts, verify="signature")`` drops.

    Keys are str or int (within signed 64 bits; not bool, not None), and
    each key is in the index at most once: adding a key already there is a
    ValueError (remove it first).

    With ``path``, the index lives in an SQLite file (WAL mode) and survives
    restarts and kill -9: every ``add``/``add_many`` is one transaction,
    committed before it returns, several processes can share the file (each
    batch is checked and inserted under the write lock), and reopening with
    other parameters is an error (``Index.open(path)`` takes the stored
    ones). A file that cannot be written is opened for queries only. One
    Index may be shared by threads: each call holds its lock. See
    docs/index.md.

    Args:
        threshold, num_perm, ngram, unit, scheme, seed: as for
            :func:`dedup.find_duplicates`.
        path: an index file to create or open; None (default) keeps it in memory.
        config: a :class:`Config` instead (its ``verify`` must be ``"signature"``).

    >>> index = Index(threshold=0.8)
    >>> index.add("a", "Breaking: the river burst its banks overnight in the old town")
    >>> index.add("b", "BREAKING - the river burst its banks overnight in the old town.")
    Match(key='a', similarity=1.0)
    >>> index.query("a story about something else entirely, with other words") is None
    True
    >>> len(index)
    2
    """

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        path: str | os.PathLike | None = None,
        num_perm: int = 128,
        ngram: int = 5,
        unit: Literal["word", "char"] = "word",
        scheme: Literal["fss", "datasketch", "datasketch-legacy"] = "fss",
        seed: int = 1,
        config: Config | None = None,
    ) -> None:
        params: dict[str, Any] = {
            "threshold": threshold, "num_perm": num_perm, "ngram": ngram, "unit": unit, "scheme": scheme, "seed": seed
        }
        if config is None:
            params["verify"] = "signature"
        cfg = check_verify(make_config(config, **params), "signature", "an Index")
        store = None
        if path is not None:
            from .store import SqliteStore

            store = SqliteStore(path, cfg)
        self._setup(cfg, store)

    def _setup(self, cfg: Config, store: Any) -> None:
        self._store = store
        if store is not None:
            cfg = store.config
        self.config = cfg
        self._lock = threading.RLock()
        self._keys: list[Hashable] = []
        self._where: dict[Hashable, int] = {}  # key -> row, for the documents not removed
        self._sig = np.empty((64 if store is None else 0, cfg.num_perm), dtype=np.uint32)
        self._table = BucketTable()
        self._removed: set[int] = set()
        self._closed = False

    @classmethod
    def open(cls, path: str | os.PathLike) -> Index:
        """Open an existing persistent index with the parameters stored in it.

        A file this process cannot write is opened for queries only
        (:attr:`read_only`); adding to it is a PermissionError."""
        from .store import SqliteStore

        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such index file; create one with dedup.Index(path=...)")
        self = cls.__new__(cls)
        store = SqliteStore(path, Config(verify="signature"), adopt=True)
        self._setup(store.config, store)
        return self

    def close(self) -> None:
        """Close the file of a persistent index; in memory, drop the
        documents. Closing twice is fine; any other call after it, and
        ``with index:``, is a ValueError."""
        with self._lock:
            self._closed = True
            if self._store is not None:
                self._store.close()
            else:  # drop the signatures and buckets
                self._keys, self._where, self._removed = [], {}, set()
                self._sig, self._table = np.empty((0, self.config.num_perm), np.uint32), BucketTable()

    def _check_open(self) -> None:
        if self._store is not None and self._store.closed:
            raise ValueError(f"index {self._store.path} is closed; open it again with dedup.Index.open(path)")
        if self._closed:
            raise ValueError("index in memory is closed; its documents were dropped: make a new dedup.Index()")

    @contextmanager
    def _using(self) -> Iterator[None]:
        """Hold the lock for one public operation, on an open index."""
        with self._lock:
            self._check_open()
            yield

    @property
    def read_only(self) -> bool:
        """True for an index file that cannot be written: queries only."""
        return self._store is not None and self._store.read_only

    def __enter__(self) -> Self:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        with self._using():
            return len(self._store) if self._store is not None else len(self._where)

    def __contains__(self, key: object) -> bool:
        """Whether a document is in the index under ``key``."""
        with self._using():
            if not _valid_key(key):
                return False
            return key in self._store if self._store is not None else key in self._where

    def __repr__(self) -> str:
        if self._store is not None and self._store.closed:
            return f"Index(closed, path={str(self._store.path)!r})"
        if self._closed:
            return "Index(closed, in memory)"
        return f"Index({len(self)} documents, threshold={self.config.threshold})"

    @property
    def nbytes(self) -> int:
        """Bytes held for signatures and buckets (not counting the keys); on
        disk for a persistent index."""
        with self._using():
            if self._store is not None:
                return self._store.nbytes()
            return len(self._keys) * self.config.num_perm * 4 + self._table.nbytes

    def add(self, key: Hashable, text: str) -> Match | None:
        """Add a document; return its best earlier match, or None if it is new.

        The document is added either way, so later near-copies of it match too.
        """
        return self.add_many([(key, text)], workers=1)[0]

    def add_many(self, items: Iterable[tuple[Hashable, str]], *, workers: int | None = None) -> list[Match | None]:
        """:meth:`add` for each (key, text), in one batch; same result as one by one.

        All or nothing: if a key is refused, nothing of the batch is added.
        On a persistent index the batch is one transaction, so a crash
        leaves either all of it or none of it in the file. ``workers``:
        threads that compute the signatures (``None``, the default: every
        core available to the process); the result is the same whatever
        the number.
        """
        self._check_open()
        threads = check_workers(workers)
        keys, texts = self._unzip(items)
        return self._run(keys, texts, insert=True, workers=threads)

    # ------------------------------------------------------------ maintenance

    def remove(self, key: Hashable) -> int:
        """Forget the document added under ``key``; returns how many (0 or 1).

        Later near-copies of it are new again. Buckets keep pointing at the
        removed documents (skipped when met) until :meth:`compact`.
        """
        self._check_open()
        check_key(key, "to remove")
        with self._using():
            if self._store is not None:
                return self._store.remove(key)
            i = self._where.pop(key, None)
            if i is None:
                return 0
            self._removed.add(i)
            return 1

    def compact(self) -> None:
        """Rebuild the buckets from the documents left, and reclaim space."""
        with self._using():
            if self._store is not None:
                self._store.compact(self.config)
                return
            keep = [i for i in range(len(self._keys)) if i not in self._removed]
            keys, sig = [self._keys[i] for i in keep], self._sig[keep]
            self._keys, self._sig, self._table, self._removed = [], np.empty((0, self.config.num_perm), np.uint32), BucketTable(), set()
            self._where = {}
            counts = (sig != np.uint32(0xFFFFFFFF)).any(axis=1).astype(np.int64)
            self._run_signatures(keys, sig, counts, insert=True)

    def stats(self) -> dict[str, Any]:
        """Documents, bytes held (on disk for a persistent index), path and config."""
        with self._using():
            path = str(self._store.path) if self._store is not None else None
            return {"documents": len(self), "bytes": self.nbytes, "path": path, "config": self.config.to_dict()}

    def export_jsonl(self, path: str | os.PathLike) -> int:
        """Write the index as JSON Lines: a header with the config, then one
        ``{"key": ..., "signature": [...]}`` per document (written to a
        temporary file, then renamed). Returns the number of documents."""
        import json

        from ._engine.files import replacing, same_file

        with self._using():
            if self._store is not None and same_file(path, self._store.path):
                raise ValueError(
                    f"{path}: is this index's own file; export to another path (it would replace the index)"
                )
            rows = self._store.dump() if self._store is not None else (
                (k, None if i in self._removed else self._sig[i]) for i, k in enumerate(self._keys)
            )
            n = 0
            with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps({"format": "dedup-index-jsonl", "config": self.config.to_dict()}) + "\n")
                for key, sig in rows:
                    if sig is not None:
                        f.write(json.dumps({"key": key, "signature": [int(v) for v in sig]}) + "\n")
                        n += 1
            return n

    def import_jsonl(self, path: str | os.PathLike, batch_size: int = 1000) -> int:
        """Add the documents of a file written by :meth:`export_jsonl`
        (same config required). Returns the number added.

        All or nothing: each line must hold a valid key not yet in the index
        and ``num_perm`` integers in [0, 2**32); the first bad line is a
        ValueError naming ``file:line`` and nothing of the file is added (on
        a persistent index the import is one transaction).
        """
        import contextlib
        import json

        path = Path(path)
        cfg = self.config
        fix = "pass a file written by Index.export_jsonl"
        with self._using():
            if self._store is not None:
                self._store.check_writable()
            try:
                f = open(path, "rb")  # noqa: SIM115 - closed below; decoded line by line
            except FileNotFoundError:
                raise FileNotFoundError(f"{path}: no such file; {fix}") from None
            except IsADirectoryError:
                raise IsADirectoryError(f"{path}: is a folder; {fix}") from None
            except OSError as e:
                raise OSError(e.errno, f"{path}: cannot be read ({e.strerror}); make it readable or {fix}") from None
            with f:
                header = _decode(f.readline(), f"{path}:1", fix)
                try:
                    head = json.loads(header)
                    stored = Config.from_dict(head["config"])
                except RecursionError:
                    raise ValueError(f"{path}:1: nested too deep; {fix}") from None
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                    raise ValueError(f"{path}:1: not a dedup index export ({e}); {fix}") from None
                cfg.check_compatible(stored, str(path))
                keys: list[Hashable] = []
                sigs: list[list[int]] = []
                lines: list[int] = []
                n = 0
                txn = self._store.transaction(write=True) if self._store is not None else contextlib.nullcontext()
                with txn:
                    for lineno, raw in enumerate(f, start=2):
                        if not raw.strip():
                            continue
                        where = f"{path}:{lineno}"
                        try:
                            key, sig = _parse_export_line(_decode(raw, where, fix), where, cfg.num_perm)
                        except RecursionError:
                            raise ValueError(f"{where}: nested too deep; {fix}") from None
                        keys.append(key)
                        sigs.append(sig)
                        lines.append(lineno)
                        if self._store is not None and len(keys) >= batch_size:
                            n += self._add_signatures(keys, sigs, lines, path)
                            keys, sigs, lines = [], [], []
                    n += self._add_signatures(keys, sigs, lines, path)  # in memory: all at once, all or nothing
        return n

    def _add_signatures(self, keys: list[Hashable], sigs: list[list[int]], lines: list[int], path: Path) -> int:
        if not keys:
            return 0
        sig = np.array(sigs, dtype=np.uint32)
        self._run_signatures(
            keys, sig, np.ones(len(keys), dtype=np.int64), insert=True, where=lambda i: f"at {path}:{lines[i]}"
        )
        return len(keys)

    def query(self, text: str) -> Match | None:
        """The best match of ``text`` among the added documents, without adding it."""
        return self.query_many([text], workers=1)[0]

    def query_many(self, texts: Iterable[str], *, workers: int | None = None) -> list[Match | None]:
        """:meth:`query` for each text; ``workers`` as for :meth:`add_many`."""
        self._check_open()
        threads = check_workers(workers)
        return self._run(None, check_texts(texts), insert=False, workers=threads)

    def _unzip(self, items: Iterable[tuple[Hashable, str]]) -> tuple[list[Hashable], list[str]]:
        keys: list[Hashable] = []
        texts: list[Any] = []
        for i, item in enumerate(items):
            if not isinstance(item, tuple) or len(item) != 2:
                raise TypeError(f"item at position {i} must be a (key, text) pair, got {item!r:.60}")
            check_key(item[0], f"at position {i}")
            keys.append(item[0])
            texts.append(item[1])
        return keys, check_texts(texts)

    def _run(self, keys: list[Hashable] | None, texts: list[str], insert: bool, workers: int = 1) -> list[Match | None]:
        sig, counts = signatures.compute(texts, self.config, workers)  # outside the lock: other threads go on
        return self._run_signatures(keys, sig, counts, insert)

    def _run_signatures(
        self,
        keys: list[Hashable] | None,
        sig: np.ndarray,
        counts: np.ndarray,
        insert: bool,
        where: Callable[[int], str] | None = None,
    ) -> list[Match | None]:
        cfg = self.config
        where = where or _at_position
        if insert:
            _check_repeats(keys or [], where)
        live = np.flatnonzero(counts > 0)
        bandkeys = band_keys(sig[live], cfg.bands, cfg.rows)
        with self._using():
            if self._store is not None:
                doc, other, sim, key_of = self._store.run(keys, sig, counts, bandkeys, live, insert, where)
            else:
                doc, other, sim, key_of = self._run_memory(keys, sig, counts, bandkeys, live, insert, where)
        out: list[Match | None] = [None] * len(sig)
        for d, (c, s) in best_matches(doc, other, sim, cfg.threshold).items():
            out[d] = Match(key_of[c], s)
        return out

    def _run_memory(self, keys, sig, counts, bandkeys, live, insert, where):
        """The in-memory counterpart of :meth:`dedup.store.SqliteStore.run`."""
        if insert:
            for i, k in enumerate(keys):
                if k in self._where:
                    raise ValueError(
                        f"key {k!r:.80} {where(i)} is already in the index; "
                        "remove it first (index.remove(key)) or use another key"
                    )
        start = len(self._keys)
        ids = (start + live) if insert else live
        if insert:
            self._reserve(start + len(sig))
            self._sig[start : start + len(sig)] = sig
        cand, ncand = self._table.candidates(bandkeys, ids, insert=insert)
        doc, other = pairs_of(cand, ncand, live)  # doc: row in this batch; other: global id
        if self._removed:
            alive = np.array([o not in self._removed for o in other.tolist()], dtype=bool)
            doc, other = doc[alive], other[alive]
        if insert:
            self._keys.extend(keys)
            self._where.update((k, start + i) for i, k in enumerate(keys))
        return doc, other, signature_similarity(sig[doc], self._sig[other]), self._keys

    def _reserve(self, n: int) -> None:
        if n > self._sig.shape[0]:
            grown = np.empty((max(n, self._sig.shape[0] * 3 // 2), self.config.num_perm), dtype=np.uint32)
            grown[: self._sig.shape[0]] = self._sig
            self._sig = grown


def _at_position(i: int) -> str:
    return f"at position {i}"


def _check_repeats(keys: list[Hashable], where: Callable[[int], str]) -> None:
    first: dict[Hashable, int] = {}
    for i, k in enumerate(keys):
        j = first.setdefault(k, i)
        if j != i:
            raise ValueError(f"key {k!r:.80} {where(i)} repeats the key {where(j)}; each key is added once")


def _decode(raw: bytes, where: str, fix: str) -> str:
    """One line of an export as text, or a ValueError naming it and the bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{where}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start} in the line); {fix}"
        ) from None


def _parse_export_line(line: str, where: str, num_perm: int) -> tuple[Hashable, list[int]]:
    """The key and signature of one line of an export, or a ValueError naming it."""
    import json

    try:
        row = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"{where}: not valid JSON ({e.msg}); expected {{\"key\": ..., \"signature\": [...]}}") from None
    if not isinstance(row, dict) or "key" not in row or "signature" not in row:
        raise ValueError(f"{where}: expected {{\"key\": ..., \"signature\": [...]}}, got {line.strip()!r:.80}")
    key, sig = row["key"], row["signature"]
    try:
        check_key(key, f"at {where}")
    except TypeError as e:
        raise ValueError(str(e)) from None
    if not isinstance(sig, list) or len(sig) != num_perm:
        got = f"{len(sig)} values" if isinstance(sig, list) else f"{type(sig).__name__} {sig!r:.40}"
        raise ValueError(
            f"{where}: signature of {got}, expected a list of {num_perm} integers; export the index again"
        )
    for j, v in enumerate(sig):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 0xFFFFFFFF:
            raise ValueError(
                f"{where}: signature value {v!r:.40} at index {j} is not an integer in [0, 4294967295]; "
                "the file was edited or not written by export_jsonl: export the index again"
            )
    return key, sig
