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

    Args:
        threshold, num_perm, ngram, unit, scheme, seed: as for
            :func:`dedup.find_duplicates`.
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
        self._store = None
        if path is not None:
            from .store import SqliteStore

            self._store = SqliteStore(path, cfg)
            cfg = self._store.config
        self.config = cfg
        self._keys: list[Hashable] = []
        self._sig = np.empty((64 if path is None else 0, cfg.num_perm), dtype=np.uint32)
        self._table = BucketTable()

    @classmethod
    def open(cls, path: str | os.PathLike) -> Index:
        """Open an existing persistent index with the parameters stored in it."""
        from .store import SqliteStore

        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such index file; create one with dedup.Index(path=...)")
        probe = SqliteStore(path, Config(verify="signature"), adopt=True)
        cfg = probe.config
        probe.close()
        return cls(config=cfg, path=path)

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
        cfg = self.config
        sig, counts = signatures.compute(texts, cfg)
        if self._store is not None:
            live = np.flatnonzero(counts > 0)
            bandkeys = _band_keys(sig[live], cfg.bands, cfg.rows)
            doc, other, sim, key_of = self._store.run(keys, sig, counts, bandkeys, live, insert)
            result: list[Match | None] = [None] * len(texts)
            for d, (c, s) in best_matches(doc, other, sim, cfg.threshold).items():
                result[d] = Match(key_of[c], s)
            return result
        start = len(self._keys)
        ids = np.arange(start, start + len(texts)) if insert else np.arange(len(texts))
        live = np.flatnonzero(counts > 0)
        if insert:
            assert keys is not None
            self._reserve(start + len(texts))
            self._sig[start : start + len(texts)] = sig
        cand, ncand = self._table.candidates(
            _band_keys(sig[live], cfg.bands, cfg.rows), ids[live], insert=insert
        )
        doc, other = pairs_of(cand, ncand, live)  # doc: row in this batch; other: global id
        if insert:
            self._keys.extend(keys)
        best = best_matches(
            doc, other, signature_similarity(sig[doc], self._sig[other]), cfg.threshold
        )
        out: list[Match | None] = [None] * len(texts)
        for d, (c, s) in best.items():
            out[d] = Match(self._keys[c], s)
        return out

    def _reserve(self, n: int) -> None:
        if n > self._sig.shape[0]:
            grown = np.empty((max(n, self._sig.shape[0] * 3 // 2), self.config.num_perm), dtype=np.uint32)
            grown[: self._sig.shape[0]] = self._sig
            self._sig = grown
