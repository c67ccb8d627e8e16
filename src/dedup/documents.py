"""Near-duplicate documents: :func:`find_duplicates` and :func:`deduplicate`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from ._engine import signatures
from ._engine.batches import BATCH_CHARS, batches
from ._engine.candidates import candidate_pairs
from ._engine.checks import check_texts, check_verify, make_config, preview
from ._engine.clusters import Duplicate, best_matches, build_clusters, distinct_texts
from ._engine.scanner import Scanner
from ._engine.verify import exact_pairs, signature_similarity
from ._engine.workers import check_workers, ordered, text_pieces
from .config import Config

__all__ = ["DedupResult", "Duplicate", "deduplicate", "find_duplicates"]

T = TypeVar("T")
BATCH_DOCS = 2048


@dataclass(frozen=True)
class DedupResult:
    """What :func:`find_duplicates` found.

    Attributes:
        clusters: groups of two or more input positions; the kept document
            first, the rest ascending. Sorted by kept position.
        duplicates: sorted positions to drop.
        matches: for each dropped position, a :class:`Duplicate` with the
            ``root`` of its cluster (the kept document), the document it
            matched and their similarity (exact Jaccard, or the signature
            estimate with ``verify="signature"``).
        kept: sorted positions to keep (everything not in ``duplicates``).
        n_documents: how many texts came in.
        config: the :class:`Config` that decided all of this.
    """

    clusters: list[list[int]]
    duplicates: list[int]
    matches: dict[int, Duplicate]
    n_documents: int
    config: Config = field(repr=False)

    @property
    def kept(self) -> list[int]:
        """Sorted positions to keep (everything not in ``duplicates``)."""
        drop = set(self.duplicates)
        return [i for i in range(self.n_documents) if i not in drop]


def _priority(texts: list[str], keep: str | Callable[[int], Any]) -> np.ndarray:
    n = len(texts)
    if keep == "first":
        return np.arange(n)
    if keep == "longest":
        return np.lexsort((np.arange(n), -np.fromiter(map(len, texts), np.int64, n)))
    if callable(keep):
        return np.array(sorted(range(n), key=lambda i: (keep(i), i)), dtype=np.int64)
    raise ValueError(f"keep must be 'first', 'longest' or a function of the position, got {keep!r}")


def find_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    keep: Literal["first", "longest"] | Callable[[int], Any] = "first",
    num_perm: int = 128,
    ngram: int = 5,
    unit: Literal["word", "char"] = "word",
    scheme: Literal["fss", "datasketch", "datasketch-legacy"] = "fss",
    seed: int = 1,
    verify: Literal["exact", "signature"] = "exact",
    config: Config | None = None,
    workers: int | None = None,
) -> DedupResult:
    """Find the near-duplicate documents in ``texts``.

    Every text is shingled (word 5-grams of the NFKC, case-folded text by
    default), sketched into a signature, and banded into LSH buckets; each
    candidate pair is verified, by default on the exact Jaccard similarity of
    the shingle sets. A document whose best verified match to a document
    kept before it reaches ``threshold`` is a duplicate.

    Args:
        texts: the documents, as ``str``.
        threshold: Jaccard similarity in (0, 1] at which two documents are
            near-duplicates (default 0.8).
        keep: which document of a cluster to keep: ``"first"`` (default),
            ``"longest"`` (ties go to the earlier), or a function of the
            position returning a sort key, smallest kept
            (``keep=lambda i: -scores[i]`` keeps the best score).
        num_perm: values per signature; more is slower and more precise.
        ngram: shingle size, in words (or characters with ``unit="char"``).
        unit: ``"word"``, or ``"char"`` for Chinese, Japanese, Thai and
            short texts.
        scheme: signature scheme: ``"fss"`` (fast, unbiased), or
            ``"datasketch"`` / ``"datasketch-legacy"`` to equal
            ``datasketch.MinHash`` signatures.
        seed: seed of the hash functions.
        verify: ``"exact"`` checks each LSH candidate on the exact Jaccard
            similarity of the shingle sets; ``"signature"`` trusts the
            signature estimate (15 to 40% faster end to end; +/-0.035
            at 0.8 with 128 values).
        config: a :class:`Config` holding all of the above instead.
        workers: threads to run on (shingling and signatures, exact
            verification); ``None`` (default) for every core available to
            the process. The result is the same whatever the number.

    Returns:
        A :class:`DedupResult` with ``clusters``, ``duplicates`` and ``matches``.

    Raises:
        TypeError: a text is not a ``str`` (the message gives its position).
        ValueError: a parameter is out of range.

    Example:
        >>> import dedup
        >>> r = dedup.find_duplicates([
        ...     "the quick brown fox jumps over the lazy dog by the river bank",
        ...     "an entirely different sentence about cooking pasta at home tonight",
        ...     "The quick brown fox jumps over the lazy dog by the river bank!",
        ... ])
        >>> r.clusters, r.duplicates
        ([[0, 2]], [2])
        >>> r.matches[2].root, r.matches[2].similarity
        (0, 1.0)
    """
    cfg = make_config(
        config, threshold=threshold, num_perm=num_perm, ngram=ngram, unit=unit,
        scheme=scheme, seed=seed, verify=verify,
    )
    texts = check_texts(texts)
    threads = check_workers(workers)
    n = len(texts)
    order = _priority(texts, keep)
    ranked = [texts[i] for i in order]
    sig, counts, keys, sets, row = _sketch(ranked, cfg, threads)
    doc, other = candidate_pairs(sig, counts, cfg, filtered=cfg.verify == "exact")
    if cfg.verify == "exact":
        doc, other, sim = exact_pairs(doc, other, sig, keys, *sets, row, threads)
    else:
        sim = signature_similarity(sig[doc], sig[other])
    best = best_matches(doc, other, sim, cfg.threshold)
    clusters, matches = build_clusters(n, order, best)
    return DedupResult(clusters, sorted(matches), matches, n, cfg)


def _sketch(
    ranked: list[str], cfg: Config, workers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """Signatures, shingle counts and content keys of the texts; with exact
    verification, their shingle hashes too: text i's are
    ``flat[offs[row[i]]:offs[row[i] + 1]]`` of ``(flat, offs)`` (``row``
    None: i). A text met before (the same string) is sketched once and its
    signature copied. On ``workers`` threads, by pieces of texts."""
    distinct, first = distinct_texts(ranked)
    m = len(distinct)
    sig = np.empty((m, cfg.num_perm), dtype=np.uint32)
    counts = np.zeros(m, dtype=np.int64)
    keys = np.zeros((m, 2), dtype=np.uint64)
    exact = cfg.verify == "exact"
    # every batch's hashes go to one array, made once (pages it never reaches
    # take no memory); the items' segments in it are in order but for items
    # redone through CPython's normalisation (see sketch_kept)
    chars = sum(map(len, distinct)) if exact else 0
    flat = np.empty((chars if cfg.unit == "char" else chars // 4) + 256, dtype=np.uint64)
    segments, row, at, done = [np.zeros(1, dtype=np.int64)], np.arange(m), 0, 0

    def piece(lo: int, hi: int) -> Any:  # either result of the two below
        if not exact:
            return signatures.compute(distinct[lo:hi], cfg)
        # one worker writes where the last batch ended; several each write
        # to their own array, copied there in order below
        return signatures.sketch_kept(Scanner(distinct[lo:hi]), cfg, *((flat, at) if workers == 1 else ()))

    pieces = text_pieces(distinct, workers, BATCH_DOCS, BATCH_CHARS)
    for (lo, hi), out in zip(pieces, ordered(piece, pieces, workers)):
        if not exact:
            sig[lo:hi], counts[lo:hi] = out
            continue
        sig[lo:hi], counts[lo:hi], keys[lo:hi], hashes, offs, rows = out
        if workers == 1:
            flat = hashes
        else:
            flat = _put(flat, at, hashes[: offs[-1]])
            offs = offs + at
        row[lo:hi] = rows + done  # segments of earlier batches come first
        segments.append(offs[1:])
        at, done = int(offs[-1]), done + len(offs) - 1
    offs = np.concatenate(segments)
    if first is not None:
        sig, counts, keys, row = sig[first], counts[first], keys[first], row[first]
    return sig, counts, keys, (flat[:at], offs), (row if exact and not _identity(row) else None)


def _put(flat: np.ndarray, at: int, hashes: np.ndarray) -> np.ndarray:
    """``flat`` (or a larger copy) with ``hashes`` written from ``at`` on."""
    end = at + len(hashes)
    if end > len(flat):
        grown = np.empty(max(end, 2 * len(flat)), dtype=flat.dtype)
        grown[:at] = flat[:at]
        flat = grown
    flat[at:end] = hashes
    return flat


def _identity(row: np.ndarray) -> bool:
    return bool(np.array_equal(row, np.arange(len(row))))


def deduplicate(
    items: Iterable[T],
    *,
    text: str | Callable[[T], str] | None = None,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    unit: Literal["word", "char"] = "word",
    scheme: Literal["fss", "datasketch", "datasketch-legacy"] = "fss",
    seed: int = 1,
    config: Config | None = None,
    batch_size: int = 1024,
    workers: int | None = None,
) -> Iterator[T]:
    """Yield the items of ``items`` that are not near-duplicates of earlier ones.

    Streams: items are read in batches of ``batch_size`` (fewer when a batch
    passes 16 MB of text), so an input of any length works, and the output is
    the same whatever the batch size. Memory grows with the number of items
    by about 1.2 KB each (their signatures and buckets; 1,189 bytes per item
    over 2,000,000 short ones, ``benchmarks/stream_memory.py``), never with
    their text; for bounded memory use the command or :class:`OnDisk`.
    Candidates are verified on the signature estimate, as with
    :class:`Index`; the first of a cluster is kept.

    Args:
        items: strings, or records whose text ``text`` gives.
        text: for records, the dict key or attribute holding the text, or a
            function returning it.
        threshold, num_perm, ngram, unit, scheme, seed: as for
            :func:`find_duplicates`.
        config: a :class:`Config` holding all of the above instead; its
            ``verify`` must be ``"signature"`` (``deduplicate`` keeps no
            text).
        batch_size: items per batch (tuning only).
        workers: threads that compute each batch's signatures; ``None``
            (default) for every core available to the process. The output
            is the same whatever the number.

    >>> list(deduplicate(["a b c d e f", "x y z", "A b c d e f!"]))
    ['a b c d e f', 'x y z']
    >>> rows = [{"id": 1, "body": "same words here"}, {"id": 2, "body": "Same words here."}]
    >>> [r["id"] for r in deduplicate(rows, text="body")]
    [1]
    """
    from .index import Index

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    threads = check_workers(workers)
    if config is not None:
        check_verify(make_config(config), "signature", "deduplicate")
    index = Index(
        threshold, num_perm=num_perm, ngram=ngram, unit=unit, scheme=scheme, seed=seed, config=config
    )
    get = _text_getter(text)
    with_texts = ((item, get(item, position)) for position, item in enumerate(items))
    for batch in batches(with_texts, batch_size, BATCH_CHARS, length=_text_length):
        start = len(index)
        found = index.add_many(((start + i, t) for i, (_, t) in enumerate(batch)), workers=threads)
        for (item, _), match in zip(batch, found):
            if match is None:
                yield item


def _text_length(item_and_text: tuple[Any, str]) -> int:
    return len(item_and_text[1])


def _text_getter(text: str | Callable[[Any], str] | None) -> Callable[[Any, int], str]:
    def check(value: Any, position: int, item: Any) -> str:
        if not isinstance(value, str):
            how = "item" if text is None else f"text of item (via text={text!r})"
            raise TypeError(
                f"{how} at position {position} is {type(value).__name__}, not str: {preview(item)}"
                + ("; for records pass text='field' or a function" if text is None else "")
            )
        return value

    if text is None:
        return lambda item, pos: check(item, pos, item)
    if callable(text):
        return lambda item, pos: check(text(item), pos, item)
    if isinstance(text, str):
        field_name = text

        def get(item: Any, pos: int) -> str:
            if isinstance(item, dict):
                if field_name not in item:
                    raise KeyError(
                        f"item at position {pos} has no field {field_name!r}; "
                        f"its fields are {sorted(map(str, item))[:10]}"
                    )
                return check(item[field_name], pos, item)
            if not hasattr(item, field_name):
                raise TypeError(
                    f"item at position {pos} ({type(item).__name__}) has no attribute {field_name!r}"
                )
            return check(getattr(item, field_name), pos, item)

        return get
    raise TypeError(f"text must be a field name, a function or None, got {type(text).__name__}")

