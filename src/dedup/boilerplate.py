"""Boilerplate: lines that recur across a corpus, learned once and stripped from a stream.

A line is boilerplate when it, or a variant of it, appears in at least
``min_docs`` documents and its values recur (see :func:`find_boilerplate`).
Variants are found two ways, both reported as one template:

- re-captures of the line (character 4-grams at Jaccard >= 0.6, found with
  the same LSH and exact verification as repeated paragraphs, then
  confirmed by :func:`dedup.recapture.is_recapture`): other case, spacing
  or quotes, a reworded word of a long cookie notice;
- "label" lines that share a short label and its separator
  (``Mandatory credit: Reuters`` and ``Mandatory credit: The White House``
  give the template ``Mandatory credit: *``).

Lines that differ in a number are different lines: numbers carry meaning
("Since glibc 2.19:", a changelog's date line), so next year's footer is
boilerplate once it recurs.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from ._engine import signatures
from ._engine.batches import BATCH_CHARS, batches, str_length
from ._engine.buckets import BucketTable
from ._engine.candidates import pairs_of
from ._engine.checks import banding, check_texts, check_verify, make_config
from ._engine.clusters import best_confirmed, forest_roots
from ._engine.files import replacing
from ._engine.hashsets import hash_sets, prefix_exceeds
from ._engine.paragraphs import (
    CORPUS_DEFAULTS,
    CORPUS_NUM_PERM,
    PARAGRAPH_NGRAM,
    PARAGRAPH_NUM_PERM,
    PARAGRAPH_THRESHOLD,
    PARAGRAPH_UNIT,
    Batch,
)
from ._engine.scanner import Scanner
from ._engine.workers import check_workers
from ._kernels.labels import (
    ASK,
    LABEL_LINE,
    NO,
    YES,
    has_byte,
    key_hash,
    key_hashes,
    label_key_of,
    line_label_keys,
)
from ._kernels.lsh import band_keys
from ._kernels.sets import jaccard_pairs
from ._kernels.unionfind import find_all, union_by_key
from .config import Config
from .recapture import check
from .spans import Cut, apply_cuts, remove_items

FORMAT = "dedup-boilerplate"
FORMAT_VERSION = 2  # 2: label keys hold their separator; templates only of recurring variants
BATCH = 1024  # texts per batch when stripping a stream, or BATCH_CHARS characters
MAX_LABEL_LINE = 120
MIN_TOP_SHARE = 0.05  # a template's most common variant is in at least this share of its documents
LEARN_CHARS = 1 << 20  # characters of one document learned from: its head and tail, half each, in whole lines


def _short_lines_with(batch: Batch, skip: np.ndarray | None) -> np.ndarray:
    """Indices of the batch's lines of at most MAX_LABEL_LINE characters,
    except where ``skip`` (over the lines) is true, that hold a label
    delimiter byte (':', '|', or the lead byte of '–'/'—')."""
    short = batch.c1 - batch.c0 <= MAX_LABEL_LINE
    if skip is not None:
        short &= ~skip
    lines = np.flatnonzero(short)
    scanner = batch.scanner
    return lines[has_byte(scanner.buf, scanner.starts, scanner.ends, lines)]


def _keyed_lines(batch: Batch, lines: np.ndarray, kernel, spec) -> tuple[np.ndarray, np.ndarray]:
    """(line indices, key hashes) of the ``lines`` that have a key: the
    kernel decides what it can, ``spec`` (text -> key or None) the rest."""
    scanner = batch.scanner
    verdict, hashes = kernel(scanner.buf, scanner.starts, scanner.ends, lines, scanner.flags, scanner.offset,
                             scanner.length, scanner.data)
    ask = np.flatnonzero(verdict == ASK)
    if len(ask):
        keys = [spec(batch.text_of(int(i))) for i in lines[ask].tolist()]
        verdict[ask] = [NO if k is None else YES for k in keys]
        hashes[ask] = key_hashes(["" if k is None else k for k in keys])
    yes = verdict == YES
    return lines[yes], hashes[yes]


def _label_lines(batch: Batch, skip: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(line indices, label key hashes) of every "Label: value" line of the
    batch (but those where ``skip`` is true), see :func:`label_key_of`.

    Only lines short enough to be one are tried (a label of up to three
    words and a value of up to 60 characters).
    """
    short = _short_lines_with(batch, skip)
    return _keyed_lines(batch, short, line_label_keys, label_key_of)


@dataclass(frozen=True)
class Template:
    """One recurring line and its variants.

    Attributes:
        text: the most common variant, or ``"<Label>: *"`` for a label template.
        docs: documents that hold any variant.
        variants: ``(text, documents)`` pairs, most common first.
        examples: up to five ``(document, start, end)`` places in the fitted corpus.
        label: the shared label of a label template (normalised), else None.
    """

    text: str
    docs: int
    variants: tuple[tuple[str, int], ...]
    examples: tuple[tuple[int, int, int], ...]
    label: str | None = None


class _Prepared(NamedTuple):
    """What matching lines against the templates needs, built once."""

    table: BucketTable  # the variants' band keys
    owner: np.ndarray  # variant -> template
    flat: np.ndarray  # the variants' shingle sets, sorted (with offs)
    offs: np.ndarray
    labels: dict[int, int]  # label key hash -> template
    texts: list[frozenset[str]]  # each template's variant texts
    keys: np.ndarray  # content keys of the variants, sorted
    keyed: np.ndarray  # those variants, in that order
    bound: int  # a line with more distinct shingles than this matches no variant
    limit: int  # lines longer than this many bytes are checked for that on their prefix (0: never)
    variants: list[str]  # every variant's text (owner gives its template)


@dataclass
class Boilerplate:
    """Boilerplate learned by :func:`find_boilerplate`; save it, load it, strip with it."""

    templates: list[Template]
    config: Config
    n_documents: int
    min_docs: int
    labels: bool = True
    _prepared: _Prepared | None = field(default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.templates)

    # -------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "n_documents": self.n_documents,
            "min_docs": self.min_docs,
            "labels": self.labels,
            "templates": [
                {
                    "text": t.text,
                    "docs": t.docs,
                    "label": t.label,
                    "variants": [list(v) for v in t.variants],
                    "examples": [list(e) for e in t.examples],
                }
                for t in self.templates
            ],
        }

    def save(self, path: str | os.PathLike) -> None:
        """Write a plain JSON file (atomically: a temporary file, then a rename)."""
        path = Path(path)
        data = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        with replacing(path) as tmp:
            tmp.write_text(data, encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike) -> Boilerplate:
        """Read a file written by :meth:`save`."""
        path = Path(path)
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: not a dedup boilerplate file ({e})") from None
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError(f"{path}: not a dedup boilerplate file (no \"format\": {FORMAT!r})")
        if d.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: boilerplate format version {d.get('version')!r}, this dedup reads {FORMAT_VERSION}; "
                "learn it again with this version (find_boilerplate, or dedup boilerplate --learn)"
            )
        try:
            templates = [
                Template(
                    t["text"], int(t["docs"]), tuple((str(v), int(n)) for v, n in t["variants"]),
                    tuple(_place(e) for e in t["examples"]), t.get("label"),
                )
                for t in d["templates"]
            ]
            return cls(templates, Config.from_dict(d["config"]), int(d["n_documents"]), int(d["min_docs"]),
                       bool(d.get("labels", True)))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{path}: malformed boilerplate file ({e})") from None

    # -------------------------------------------------------------- matching

    @functools.cached_property
    def match_config(self) -> Config:
        """The config lines are matched to templates with: the fitted one, at
        most PARAGRAPH_NUM_PERM permutations. Matches are verified by exact
        Jaccard, so the sketch only proposes candidates; against a table
        that holds only the templates' variants, 32 permutations in 16 bands
        of 2 find more of them at the threshold (0.9992 vs 0.994 at 0.6) for
        half the hashing of the 64 that learning a whole corpus needs."""
        if self.config.num_perm <= PARAGRAPH_NUM_PERM:
            return self.config
        return self.config.replace(num_perm=PARAGRAPH_NUM_PERM)

    def _prepare(self) -> _Prepared:
        if self._prepared is None:
            variants = [v for t in self.templates for v, _ in t.variants]
            owner = np.array([i for i, t in enumerate(self.templates) for _ in t.variants], dtype=np.int64)
            scanner = Scanner(variants)
            cfg = self.match_config
            sig, counts, keys, keyed = signatures.sketch(scanner, cfg)
            live = np.flatnonzero(counts > 0)
            bands, rows = banding(cfg)
            table = BucketTable(capacity=max(16, 2 * len(live) * bands))
            table.candidates(band_keys(sig[live], bands, rows), live, insert=True)
            # each variant's shingle set, sorted: verification takes it as
            # is, and equal sets compare as equal bytes
            sets, soffs = hash_sets(scanner, self.config.ngram, self.config.unit, sort=True)
            # the variants by content key: a line with the key of one matches
            # it at 1.0, its best (the first of them it is a re-capture of)
            which = np.array(sorted((i for i in range(len(variants)) if counts[i] > 0 and keyed[i]),
                                    key=lambda i: (int(keys[i, 0]), int(keys[i, 1]), i)), dtype=np.int64)
            labels = {key_hash(t.label): i for i, t in enumerate(self.templates) if t.label}
            texts = [frozenset(v for v, _ in t.variants) for t in self.templates]
            # J(line, v) <= |v| / |line|: a line with more than |v| / threshold
            # distinct shingles cannot reach the threshold with v (+1: rounding;
            # + ngram: a character after a prefix that composes with its last
            # one, in CPython's normalisation, changes at most ngram shingles)
            largest = int(np.diff(soffs).max()) if len(variants) else 0
            bound = math.floor(largest / cfg.threshold) + 1 + cfg.ngram
            # a prefix that holds that many in alphabetic text (about 1.2
            # bytes per character); CJK lines (3 bytes) are simply not skipped
            limit = 3 * (bound + cfg.ngram) // 2 if cfg.unit == "char" else 0
            self._prepared = _Prepared(table, owner, sets, soffs, labels, texts, keys[which], which,
                                       bound, limit, variants)
        return self._prepared

    def cuts(self, texts: Sequence[str], *, workers: int | None = None) -> list[list[Cut]]:
        """For each text, its boilerplate lines (kind ``"boilerplate"``), in
        order. ``workers``: threads that sketch and verify the lines
        (``None``, the default: every core available to the process); the
        result is the same whatever the number."""
        texts = check_texts(texts)
        return self._cuts(texts, check_workers(workers))

    def _cuts(self, texts: list[str], workers: int) -> list[list[Cut]]:
        batch, best = self._match(texts, workers)
        variant_texts = self._prepare().texts
        out: list[list[Cut]] = [[] for _ in texts]
        i = np.fromiter(sorted(best), np.int64, len(best))
        templates = self.templates
        for d, s, e, (t, sim) in zip(batch.doc[i].tolist(), batch.c0[i].tolist(), batch.c1[i].tolist(),
                                     map(best.__getitem__, i.tolist())):
            out[d].append(Cut(s, e, "boilerplate", templates[t].text, sim, texts[d][s:e] in variant_texts[t]))
        return out

    def _match(self, texts: list[str], workers: int = 1) -> tuple[Batch, dict[int, tuple[int, float]]]:
        """The batch of lines of ``texts``, and the template (and similarity)
        of each of its boilerplate lines."""
        cfg = self.match_config
        prep = self._prepare()
        owner = prep.owner
        batch = Batch(texts, "line")
        scanner = batch.scanner
        # lines with too many distinct shingles to match any variant (most
        # long paragraphs, told from a prefix) are not sketched at all
        todo = np.arange(len(batch))
        if prep.limit:
            long = np.flatnonzero(scanner.ends - scanner.starts > prep.limit)
            if len(long):
                sketched = np.ones(len(batch), dtype=bool)
                sketched[long[prefix_exceeds(scanner.take(long), prep.limit, prep.bound, cfg.ngram)]] = False
                todo = np.flatnonzero(sketched)
        sig, counts, keys, keyed = signatures.sketch(scanner.take(todo), cfg, workers)
        live = counts > 0
        # a line with the content key of variants matches the first of them
        # it is a re-capture of at 1.0, its best: no LSH, no verification
        lo = np.searchsorted(prep.keys[:, 0], keys[:, 0], side="left")
        hi = np.searchsorted(prep.keys[:, 0], keys[:, 0], side="right")
        same = live & keyed & (hi > lo)
        same[same] &= prep.keys[np.minimum(lo[same], len(prep.keys) - 1), 1] == keys[same, 1]
        one = np.flatnonzero(same & (hi - lo == 1))
        exact = one[self._confirm(batch, todo[one], prep.keyed[lo[one]], np.ones(len(one)))]
        matched = prep.keyed[lo[exact]]
        several = np.flatnonzero(live & keyed & (hi - lo > 1))
        if len(several):  # several variants with one content key (other case or marks): the first confirmed
            chosen: list[tuple[int, int]] = []
            for i in several.tolist():
                group = [int(prep.keyed[q]) for q in range(lo[i], hi[i]) if prep.keys[q, 1] == keys[i, 1]]
                for v in group:
                    if self._confirm(batch, todo[[i]], np.array([v]), np.ones(1))[0]:
                        chosen.append((i, v))
                        break
                same[i] = bool(group)
            if chosen:
                exact = np.concatenate([exact, np.array([i for i, _ in chosen], dtype=np.int64)])
                matched = np.concatenate([matched, np.array([v for _, v in chosen], dtype=np.int64)])
        rest = np.flatnonzero(live & ~same)
        ids = todo[rest]
        cand, ncand = prep.table.candidates(band_keys(sig[rest], *banding(cfg)), ids, insert=False)
        line, variant = pairs_of(cand, ncand, ids)
        best: dict[int, tuple[int, float]] = {}
        if len(line):  # verify: hash only the lines that are candidates
            involved, inverse = np.unique(line, return_inverse=True)
            lflat, loffs = hash_sets(batch.scanner.take(involved), cfg.ngram, cfg.unit, workers=workers)
            sim = jaccard_pairs(lflat, loffs, inverse, prep.flat, prep.offs, variant)
            # per line, the most similar variant it is a re-capture of
            found = best_confirmed(line, variant, sim, cfg.threshold,
                                   lambda ls, vs, ss: self._confirm(batch, ls, vs, ss))
            best = {i: (int(owner[v]), s) for i, (v, s) in found.items()}
        if len(exact):
            best.update(zip(todo[exact].tolist(), ((t, 1.0) for t in owner[matched].tolist())))
        known = prep.labels
        if known:
            # label lines no variant matched
            matched = np.zeros(len(batch), dtype=bool)
            matched[np.fromiter(best, np.int64, len(best))] = True
            lines, hashes = _label_lines(batch, matched)
            hit = np.isin(hashes, np.fromiter(known, np.uint64, len(known)))
            for i, h in zip(lines[hit].tolist(), hashes[hit].tolist()):
                best[i] = (known[h], 0.0)
        return batch, best

    def _confirm(self, batch: Batch, lines: np.ndarray, variants: np.ndarray, sim: np.ndarray) -> np.ndarray:
        """Whether each line ``lines[p]`` of ``batch`` is a re-capture of
        variant ``variants[p]`` (at Jaccard ``sim[p]``)."""
        names = self._prepare().variants
        return np.fromiter(
            (v == t or check(v, t, same=s >= 1.0) for v, t, s in
             ((names[v], batch.text_of(i), s) for i, v, s in zip(lines.tolist(), variants.tolist(), sim.tolist()))),
            dtype=bool, count=len(lines))

    def strip(self, texts: Iterable[str], *, keep_first: bool = False,
              seen: set[str] | None = None, workers: int | None = None) -> Iterator[str]:
        """Strip a stream of texts, in batches; yields each text without its
        boilerplate lines (each with its line break).

        ``keep_first=False`` (default) cuts every line of a template;
        ``keep_first=True`` keeps the first line of each template in the
        stream and cuts the later ones (pass the same ``seen`` set to carry
        on across calls: the templates met so far). The lines cut are the
        ones :meth:`find` reports for the same arguments. ``workers``:
        threads that match each batch's lines, as for :meth:`cuts`.
        """
        _check_keep_first(keep_first)
        threads = check_workers(workers)
        seen = set() if seen is None else seen
        start = 0
        for batch in batches(texts, BATCH, BATCH_CHARS, length=str_length):
            yield from self._strip_batch(batch, keep_first, seen, start, threads)
            start += len(batch)

    def find(self, texts: Iterable[str], *, keep_first: bool = False,
             seen: set[str] | None = None, workers: int | None = None) -> Iterator[list[Cut]]:
        """The boilerplate lines of a stream of texts, in batches; yields each
        text's cuts (kind ``"boilerplate"``), in order: what :meth:`strip`
        takes out. ``keep_first``, ``seen`` and ``workers`` as for :meth:`strip`.

        >>> bp = find_boilerplate(["Menu\\nOne story.", "Menu\\nAnother.", "Menu\\nA third."])
        >>> [[(c.start, c.end, c.match) for c in cuts] for cuts in bp.find(["Menu\\nNews.", "Menu\\nMore."], keep_first=True)]
        [[], [(0, 4, 'Menu')]]
        """
        _check_keep_first(keep_first)
        threads = check_workers(workers)
        seen = set() if seen is None else seen
        start = 0
        for batch in batches(texts, BATCH, BATCH_CHARS, length=str_length):
            if batch:
                cuts = self._cuts(check_texts(batch, start), threads)
                yield from (_after_first(c, seen) for c in cuts) if keep_first else cuts
            start += len(batch)

    def _strip_batch(self, texts: list[str], keep_first: bool, seen: set[str], start: int,
                     workers: int) -> Iterator[str]:
        if not texts:
            return
        texts = check_texts(texts, start)  # a bad item is named by its place in the stream
        if not keep_first:
            batch, best = self._match(texts, workers)
            yield from remove_items(texts, batch.doc, batch.c0, batch.c1, np.fromiter(sorted(best), np.int64, len(best)))
            return
        for text, cuts in zip(texts, self._cuts(texts, workers)):
            yield apply_cuts(text, _after_first(cuts, seen))


def _place(e: Sequence[Any]) -> tuple[int, int, int]:
    """A stored example as ``(document, start, end)``."""
    d, s, t = (int(x) for x in e)
    return d, s, t


def _after_first(cuts: list[Cut], seen: set[str]) -> list[Cut]:
    """The cuts of templates already in ``seen`` (the first of each is kept); updates ``seen``."""
    later = []
    for c in cuts:
        if c.match in seen:
            later.append(c)
        seen.add(c.match)
    return later


def _check_keep_first(keep_first: object) -> None:
    if not isinstance(keep_first, bool):
        raise TypeError(
            f"keep_first must be True (keep the first line of each template) or False (cut every one), "
            f"got {keep_first!r}"
        )


def find_boilerplate(
    texts: Sequence[str],
    *,
    min_docs: int | None = None,
    min_fraction: float | None = None,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    config: Config | None = None,
    labels: bool = True,
    workers: int | None = None,
) -> Boilerplate:
    """Learn the lines that recur across ``texts``.

    Args:
        texts: a sample of the corpus (documents as ``str``).
        min_docs: a line is boilerplate when it, or a variant, is in at least
            this many documents. Default: 3, or half the documents (at least
            2) when there are fewer than 6.
        min_fraction: or in at least this fraction of the documents (the
            larger of the two counts).
        threshold, ngram, unit, config: how near two lines must be to be
            compared as variants (character 4-grams at Jaccard >= 0.6 by
            default); a variant must also be a re-capture of the line
            (:func:`dedup.recapture.is_recapture`).
        labels: make "Label: *" templates of lines that share a label and
            whose values form a stamp (one value on half the lines, as a
            credit line of one agency with the odd other one); ``False`` to
            learn only lines and their variants.
        workers: threads that sketch and verify the lines (``None``, the
            default: every core available to the process); the result is
            the same whatever the number.

    Returns:
        A :class:`Boilerplate`, templates most widespread first.

    A document longer than ``LEARN_CHARS`` (1,048,576) characters is learned
    from its head and tail only, where a page's boilerplate lives: the whole
    lines within its first and within its last ``LEARN_CHARS // 2``
    characters (a line cut by either limit is left out). So memory is
    bounded whatever the size of one document (about 25 bytes per character
    learned from), and the sample is the same on every run. Stripping sees
    every line of every document.

    >>> agencies = ["Reuters", "Reuters", "AP", "Reuters", "The White House", "Reuters"]
    >>> docs = [f"Mandatory credit: {a}\\nStory {i} about the {a} photographers' day." for i, a in enumerate(agencies)]
    >>> bp = find_boilerplate(docs)
    >>> [(t.text, t.docs, len(t.variants)) for t in bp.templates]
    [('Mandatory credit: *', 6, 3)]
    >>> strip_boilerplate("Mandatory credit: Getty Images\\nThe story.", bp)
    'The story.'
    """
    if min_docs is not None and (isinstance(min_docs, bool) or not isinstance(min_docs, int) or min_docs < 1):
        raise ValueError(f"min_docs must be a positive integer or None, got {min_docs!r}")
    if min_fraction is not None and not (0.0 < min_fraction <= 1.0):
        raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction!r}")
    if not isinstance(labels, bool):
        raise TypeError(f"labels must be True or False, got {labels!r}")
    cfg = make_config(
        config, CORPUS_DEFAULTS, threshold=threshold, ngram=ngram, unit=unit, num_perm=CORPUS_NUM_PERM
    )
    check_verify(cfg, "exact", "find_boilerplate")
    texts = check_texts(texts)
    threads = check_workers(workers)
    n_docs = len(texts)
    texts, head, shift = _learning_sample(texts)
    need = default_min_docs(n_docs) if min_docs is None else min_docs
    need = max(need, math.ceil((min_fraction or 0.0) * n_docs))
    batch = Batch(texts, "line")
    n = len(batch)
    nd = max(n_docs, 1)
    doc = batch.doc
    pairs = batch.pairs(cfg, "all", threads)
    # groups: lines joined by re-captures
    parent = np.arange(n)
    root = forest_roots(n, batch.best(pairs))
    base = root
    # families: lines alike by similarity alone (siblings too), with their groups
    loose = forest_roots(n, batch.best(pairs, confirm=False))
    fparent = np.arange(n)
    union_by_key(fparent, loose, base)
    family = find_all(fparent)[loose]
    # label groups: groups that share a label (and separator)
    label_lines = np.zeros(0, np.int64)
    labelled = base
    if labels:
        label_lines, label_keys = _label_lines(batch)
        union_by_key(parent, base[label_lines], label_keys)
        labelled = find_all(parent)[root]
    # a variant is a line's exact text; it recurs when it is in two documents or more
    variant = pairs.rep
    variant_docs = _count_docs(variant, doc, nd, n)[variant]  # per line: the documents of its variant
    recurs = variant_docs >= 2
    variant_lines = np.bincount(variant, minlength=n)[variant]  # per line: the lines of its variant

    def qualified(group: np.ndarray, stamp: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per group: documents, and whether its values recur: it is in
        ``need`` documents, at least half of them hold a variant that
        recurs, and it has at most one variant per two documents or (for a
        ``stamp``, only) one variant holds half its lines."""
        docs = _count_docs(group, doc, nd, n)
        docs_recurring = _count_docs(group[recurs], doc[recurs], nd, n)
        top = np.zeros(n, np.int64)
        np.maximum.at(top, group, variant_lines)
        few = 2 * top >= np.bincount(group, minlength=n)
        if not stamp:
            few |= 2 * np.bincount(np.unique(group * n + variant) // n, minlength=n) <= docs
        return docs, (docs >= need) & (2 * docs_recurring >= docs) & few

    base_docs, base_ok = qualified(base, stamp=False)
    # a family of variants that mostly occur once each (or of which even the
    # most common is in few of the family's documents), holding more than
    # one group, is content written on a common pattern; its groups are
    # boilerplate only on half the documents
    fam_docs = _count_docs(family, doc, nd, n)
    fam_variants = np.bincount(np.unique(family * n + variant) // n, minlength=n)
    fam_groups = np.bincount(np.unique(family * n + base) // n, minlength=n)
    top = np.zeros(n, np.int64)
    np.maximum.at(top, family, variant_docs)
    pattern = (fam_variants > 1) & (fam_groups > 1) & ((2 * fam_variants > fam_docs) | (top < MIN_TOP_SHARE * fam_docs))
    base_ok &= ~(pattern[family_of(base, family, n)] & (2 * base_docs < n_docs))
    is_label = np.zeros(n, dtype=bool)
    is_label[labelled[label_lines]] = True
    # a label template strips values never seen: only a stamp, one value on half its lines
    label_docs, label_ok = qualified(labelled, stamp=True)
    label_ok &= is_label
    in_label = label_ok[labelled]
    group = np.where(in_label, labelled, base)
    docs_per_group = np.where(label_ok, label_docs, base_docs)
    members = np.flatnonzero(in_label | base_ok[base])
    frequent = np.unique(group[members])
    by_group = members[np.argsort(group[members], kind="stable")]
    starts = np.searchsorted(group[by_group], frequent)
    ends = np.searchsorted(group[by_group], frequent, side="right")
    # a label group's label: of its label lines' keys, the one that comes first in the corpus
    labels_of_group: dict[int, str] = {}
    for i in label_lines.tolist():
        if label_ok[group[i]] and in_label[i] and group[i] not in labels_of_group:
            labels_of_group[int(group[i])] = label_key_of(batch.text_of(i)) or ""
    templates = []
    # each member line as (document, start, end) and its text, in group order
    places = list(zip(doc[by_group].tolist(), batch.c0[by_group].tolist(), batch.c1[by_group].tolist()))
    member_texts = [texts[d][s:e] for d, s, e in places]
    if len(shift):  # places in the sampled texts -> in the documents
        places = [(d, s + shift[d], e + shift[d]) if d in shift and s >= head[d] else (d, s, e)
                  for d, s, e in places]
    for g, lo, hi in zip(frequent.tolist(), starts.tolist(), ends.tolist()):
        docs_of: dict[str, set[int]] = {}
        for q in range(lo, hi):
            docs_of.setdefault(member_texts[q], set()).add(places[q][0])
        variants = tuple(sorted(((v, len(ds)) for v, ds in docs_of.items()), key=lambda x: (-x[1], x[0])))
        examples = tuple(places[lo : min(hi, lo + 5)])
        label = labels_of_group.get(g)
        text = variants[0][0]
        if label is not None and len(variants) > 1:
            m = LABEL_LINE.fullmatch(text)
            name, sep = (m.group(1), m.group(2)) if m else (label[:-1], label[-1])
            text = f"{name}{sep if sep == ':' else ' ' + sep} *"
        templates.append(Template(text, int(docs_per_group[g]), variants, examples, label))
    templates.sort(key=lambda t: (-t.docs, t.text))
    return Boilerplate(templates, cfg, n_docs, need, labels)


def _learning_sample(texts: list[str]) -> tuple[list[str], dict[int, int], dict[int, int]]:
    """What :func:`find_boilerplate` learns from: each text, or for one
    longer than LEARN_CHARS its whole lines within the first and within the
    last LEARN_CHARS // 2 characters, joined. Also, per sampled text, the
    length of its head and how far its tail was moved (text position =
    sample position + shift, for positions past the head)."""
    half = LEARN_CHARS // 2
    out = list(texts)
    head: dict[int, int] = {}
    shift: dict[int, int] = {}
    for d, t in enumerate(texts):
        if len(t) <= LEARN_CHARS:
            continue
        h = max(t.rfind("\n", 0, half), t.rfind("\r", 0, half)) + 1  # after the head's last line break
        start = len(t) - half
        breaks = [i for i in (t.find("\n", start - 1), t.find("\r", start - 1)) if i >= 0]
        tail = min(breaks) + 1 if breaks else len(t)  # the first whole line of the tail
        out[d] = t[:h] + t[tail:]
        head[d], shift[d] = h, tail - h
    return out, head, shift


def default_min_docs(n_docs: int) -> int:
    """``min_docs`` when none is given: 3, or half the documents (at least 2)
    for fewer than 6, so a line on half the pages of a small site counts.

    >>> [default_min_docs(n) for n in (1, 2, 4, 5, 6, 1000)]
    [2, 2, 2, 3, 3, 3]
    """
    return min(3, max(2, math.ceil(n_docs / 2)))


def _count_docs(group: np.ndarray, doc: np.ndarray, nd: int, n: int) -> np.ndarray:
    """Per group id (0 .. n-1): the distinct documents of its items."""
    return np.bincount(np.unique(group * nd + doc) // nd, minlength=n)


def family_of(group: np.ndarray, family: np.ndarray, n: int) -> np.ndarray:
    """Per group id (0 .. n-1): the family of its items (one per group)."""
    out = np.arange(n)
    out[group] = family
    return out


def strip_boilerplate(
    text: str,
    boilerplate: Boilerplate,
    *,
    keep_first: bool = False,
    seen: set[str] | None = None,
) -> str:
    """``text`` without its boilerplate lines (each with its line break).

    ``keep_first=False`` (default) cuts every copy, as corpus cleaning wants
    for credit lines and menus; ``keep_first=True`` keeps the first line of
    each template and cuts later ones, within this text or, if you pass the
    same ``seen`` set to every call, across a stream. For many texts,
    ``boilerplate.strip(texts)`` works in batches, and
    ``boilerplate.find(texts)`` gives the cuts instead of the texts.
    """
    if not isinstance(boilerplate, Boilerplate):
        raise TypeError(
            f"boilerplate must be a dedup.Boilerplate (from find_boilerplate or Boilerplate.load), "
            f"got {type(boilerplate).__name__}"
        )
    _check_keep_first(keep_first)
    cuts = boilerplate.cuts([text])[0]
    if keep_first:
        cuts = _after_first(cuts, set() if seen is None else seen)
    return apply_cuts(text, cuts)
