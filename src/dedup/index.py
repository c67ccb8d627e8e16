"""An in-memory, incremental near-duplicate index."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from . import signatures
from .clusters import best_matches, pairs_of, signature_similarity
from .config import Config
from .documents import check_texts, make_config
from .lsh import BucketTable, _band_keys


class Match(NamedTuple):
    """The earlier document a text matched, and their estimated Jaccard similarity."""

    key: Hashable
    similarity: float


class Index:
    """Near-duplicate lookups against the documents added so far.

    Documents are never stored, only their signatures (``num_perm`` 32-bit
    values) and LSH buckets, about 1 KB per document at the defaults, so
    candidates are verified on the signature estimate. For the same texts in
    the same order, :meth:`add` reports a match exactly for the documents that
    ``find_duplicates(texts, verify="signature")`` drops.

    With ``path``, the index lives in an SQLite file (WAL mode) and survives
    restarts and kill -9: every ``add``/``add_many`` is committed before it
    returns, several processes can share the file (each batch is checked and
    inserted under the write lock), and reopening with other parameters is
    an error (``Index.open(path)`` takes the stored ones). See docs/index.md.

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
        params = dict(threshold=threshold, num_perm=num_perm, ngram=ngram, unit=unit, scheme=scheme, seed=seed)
        if config is None:
            params["verify"] = "signature"
        cfg = make_config(config, **params)
        if cfg.verify != "signature":
            raise ValueError(
                f"an Index keeps no text, so it verifies on signatures; got verify={cfg.verify!r}, "
                "pass config.replace(verify='signature')"
            )
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
        self._keys: list[Hashable] = []
        self._sig = np.empty((64 if store is None else 0, cfg.num_perm), dtype=np.uint32)
        self._table = BucketTable()
        self._removed: set[int] = set()

    @classmethod
    def open(cls, path: str | os.PathLike) -> Index:
        """Open an existing persistent index with the parameters stored in it."""
        from .store import SqliteStore

        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such index file; create one with dedup.Index(path=...)")
        self = cls.__new__(cls)
        store = SqliteStore(path, Config(verify="signature"), adopt=True)
        self._setup(store.config, store)
        return self

    def close(self) -> None:
        """Close the file of a persistent index (a no-op in memory)."""
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._store) if self._store is not None else len(self._keys)

    def __repr__(self) -> str:
        return f"Index({len(self)} documents, threshold={self.config.threshold})"

    @property
    def nbytes(self) -> int:
        """Bytes held for signatures and buckets (not counting the keys); on
        disk for a persistent index."""
        if self._store is not None:
            return self._store.nbytes()
        return len(self._keys) * self.config.num_perm * 4 + self._table.nbytes

    def add(self, key: Hashable, text: str) -> Match | None:
        """Add a document; return its best earlier match, or None if it is new.

        The document is added either way, so later near-copies of it match too.
        """
        return self.add_many([(key, text)])[0]

    def add_many(self, items: Iterable[tuple[Hashable, str]]) -> list[Match | None]:
        """:meth:`add` for each (key, text), in one batch; same result as one by one."""
        keys, texts = self._unzip(items)
        return self._run(keys, texts, insert=True)

    # ------------------------------------------------------------ maintenance

    def remove(self, key: Hashable) -> int:
        """Forget every document added under ``key``; returns how many.

        Later near-copies of it are new again. Buckets keep pointing at the
        removed documents (skipped when met) until :meth:`compact`.
        """
        if self._store is not None:
            return self._store.remove(key)
        gone = [i for i, k in enumerate(self._keys) if k == key and i not in self._removed]
        self._removed.update(gone)
        return len(gone)

    def compact(self) -> None:
        """Rebuild the buckets from the documents left, and reclaim space."""
        if self._store is not None:
            self._store.compact(self.config)
            return
        keep = [i for i in range(len(self._keys)) if i not in self._removed]
        keys, sig = [self._keys[i] for i in keep], self._sig[keep]
        self._keys, self._sig, self._table, self._removed = [], np.empty((0, self.config.num_perm), np.uint32), BucketTable(), set()
        counts = (sig != np.uint32(0xFFFFFFFF)).any(axis=1).astype(np.int64)
        self._run_signatures(keys, sig, counts, insert=True)

    def stats(self) -> dict[str, Any]:
        """Documents, bytes held (on disk for a persistent index), path and config."""
        path = str(self._store.path) if self._store is not None else None
        return {"documents": len(self), "bytes": self.nbytes, "path": path, "config": self.config.to_dict()}

    def export_jsonl(self, path: str | os.PathLike) -> int:
        """Write the index as JSON Lines: a header with the config, then one
        ``{"key": ..., "signature": [...]}`` per document (written to a
        temporary file, then renamed). Returns the number of documents."""
        import json

        from ._files import replacing

        rows = self._store.dump() if self._store is not None else (
            (k, None if i in self._removed else self._sig[i]) for i, k in enumerate(self._keys)
        )
        n = 0
        with replacing(path) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps({"format": "dedup-index-jsonl", "config": self.config.to_dict()}) + "\n")
                for key, sig in rows:
                    if sig is not None:
                        f.write(json.dumps({"key": key, "signature": [int(v) for v in sig]}) + "\n")
                        n += 1
        return n

    def import_jsonl(self, path: str | os.PathLike, batch_size: int = 1000) -> int:
        """Add the documents of a file written by :meth:`export_jsonl`
        (same config required). Returns the number added."""
        import json

        path = Path(path)
        n = 0
        with open(path, encoding="utf-8") as f:
            try:
                head = json.loads(f.readline())
                stored = Config.from_dict(head["config"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise ValueError(f"{path}: not a dedup index export ({e})") from None
            self.config.check_compatible(stored, str(path))
            keys: list[Hashable] = []
            sigs: list[list[int]] = []
            for lineno, line in enumerate(f, start=2):
                try:
                    row = json.loads(line)
                    key, sig = row["key"], row["signature"]
                    if len(sig) != self.config.num_perm:
                        raise ValueError(f"signature of {len(sig)} values, expected {self.config.num_perm}")
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                    raise ValueError(f"{path}, line {lineno}: bad record ({e})") from None
                keys.append(key)
                sigs.append(sig)
                if len(keys) >= batch_size:
                    n += self._add_signatures(keys, sigs)
                    keys, sigs = [], []
            n += self._add_signatures(keys, sigs)
        return n

    def _add_signatures(self, keys: list[Hashable], sigs: list[list[int]]) -> int:
        if not keys:
            return 0
        sig = np.array(sigs, dtype=np.uint32)
        self._run_signatures(keys, sig, np.ones(len(keys), dtype=np.int64), insert=True)
        return len(keys)

    def query(self, text: str) -> Match | None:
        """The best match of ``text`` among the added documents, without adding it."""
        return self.query_many([text])[0]

    def query_many(self, texts: Iterable[str]) -> list[Match | None]:
        """:meth:`query` for each text."""
        return self._run(None, check_texts(texts), insert=False)

    def _unzip(self, items: Iterable[tuple[Hashable, str]]) -> tuple[list[Hashable], list[str]]:
        keys: list[Hashable] = []
        texts: list[Any] = []
        for i, item in enumerate(items):
            if not isinstance(item, tuple) or len(item) != 2:
                raise TypeError(f"item at position {i} must be a (key, text) pair, got {item!r:.60}")
            if self._store is not None and not isinstance(item[0], (str, int)):
                raise TypeError(
                    f"key at position {i} is {type(item[0]).__name__}; a persistent index stores str or int keys"
                )
            keys.append(item[0])
            texts.append(item[1])
        return keys, check_texts(texts)

    def _run(self, keys: list[Hashable] | None, texts: list[str], insert: bool) -> list[Match | None]:
        sig, counts = signatures.compute(texts, self.config)
        return self._run_signatures(keys, sig, counts, insert)

    def _run_signatures(
        self, keys: list[Hashable] | None, sig: np.ndarray, counts: np.ndarray, insert: bool
    ) -> list[Match | None]:
        cfg = self.config
        live = np.flatnonzero(counts > 0)
        bandkeys = _band_keys(sig[live], cfg.bands, cfg.rows)
        run = self._store.run if self._store is not None else self._run_memory
        doc, other, sim, key_of = run(keys, sig, counts, bandkeys, live, insert)
        out: list[Match | None] = [None] * len(sig)
        for d, (c, s) in best_matches(doc, other, sim, cfg.threshold).items():
            out[d] = Match(key_of[c], s)
        return out

    def _run_memory(self, keys, sig, counts, bandkeys, live, insert):
        """The in-memory counterpart of :meth:`dedup.store.SqliteStore.run`."""
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
        return doc, other, signature_similarity(sig[doc], self._sig[other]), self._keys

    def _reserve(self, n: int) -> None:
        if n > self._sig.shape[0]:
            grown = np.empty((max(n, self._sig.shape[0] * 3 // 2), self.config.num_perm), dtype=np.uint32)
            grown[: self._sig.shape[0]] = self._sig
            self._sig = grown
