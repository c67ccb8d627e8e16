"""Boilerplate: lines that recur across a corpus, learned once and stripped from a stream.

A line is boilerplate when it, or a near-variant of it, appears in at least
``min_docs`` documents. Variants are found two ways, both reported as one
template with its variants:

- near-duplicate lines (character 4-grams, Jaccard >= 0.6 by default, found
  with the same LSH and exact verification as repeated paragraphs), which
  catches a footer whose year differs or a reworded cookie notice. Such a
  group counts only if its variants recur (on average in two documents or
  more each): sentences written on a common pattern ("Shares of X rose 3%
  on Monday ...") form chains of one-off variants and are content;
- "label" lines that share a short label before a colon, bar or dash
  (``Mandatory credit: Reuters`` and ``Mandatory credit: The White House``
  give the template ``Mandatory credit: *``).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numba import njit

from . import signatures
from .clusters import _sorted_sets, candidate_pairs, exact_similarity
from .config import Config
from .documents import check_texts, make_config
from .lsh import BucketTable, _band_keys
from .paragraphs import PARAGRAPH_NGRAM, PARAGRAPH_THRESHOLD, PARAGRAPH_UNIT, Batch
from .shingling import Scanner
from .spans import Cut, apply_cuts

FORMAT = "dedup-boilerplate"
FORMAT_VERSION = 1
BATCH = 256
# "Label: value" lines: one to three words, then ':', '|', '–' or '—', then a short value
LABEL = re.compile(r"^[ \t]*([^\W\d_]+(?:[ \t]+[^\W\d_]+){0,2})[ \t]*[:|–—][ \t]*\S[^\n\r]{0,60}$", re.M)


def _label_key(label: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


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


@dataclass
class Boilerplate:
    """Boilerplate learned by :func:`find_boilerplate`; save it, load it, strip with it."""

    templates: list[Template]
    config: Config
    n_documents: int
    min_docs: int
    _prepared: Any = field(default=None, repr=False, compare=False)

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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

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
                f"{path}: boilerplate format version {d.get('version')!r}, this dedup reads {FORMAT_VERSION}"
            )
        try:
            templates = [
                Template(
                    t["text"], int(t["docs"]), tuple((str(v), int(n)) for v, n in t["variants"]),
                    tuple(tuple(int(x) for x in e) for e in t["examples"]), t.get("label"),
                )
                for t in d["templates"]
            ]
            return cls(templates, Config.from_dict(d["config"]), int(d["n_documents"]), int(d["min_docs"]))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{path}: malformed boilerplate file ({e})") from None

    # -------------------------------------------------------------- matching

    def _prepare(self) -> Any:
        if self._prepared is None:
            variants = [v for t in self.templates for v, _ in t.variants]
            owner = np.array([i for i, t in enumerate(self.templates) for _ in t.variants], dtype=np.int64)
            scanner = Scanner(variants)
            sig, counts = signatures.compute_scanned(scanner, self.config)
            live = np.flatnonzero(counts > 0)
            table = BucketTable(capacity=max(16, 2 * len(live) * self.config.bands))
            table.candidates(_band_keys(sig[live], self.config.bands, self.config.rows), live, insert=True)
            flat, offs, unsafe = _sorted_sets(*scanner.args(), self.config.ngram, self.config.unit == "char")
            if unsafe.any():  # rare: rebuild those sets through CPython's normalisation
                from .shingling import shingle_hashes

                parts = [
                    shingle_hashes(variants[d], self.config.ngram, self.config.unit) if unsafe[d]
                    else flat[offs[d] : offs[d + 1]]
                    for d in range(len(variants))
                ]
                offs = np.zeros(len(parts) + 1, dtype=np.int64)
                np.cumsum([len(p) for p in parts], out=offs[1:])
                flat = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
            labels = {t.label: i for i, t in enumerate(self.templates) if t.label}
            self._prepared = (table, owner, flat, offs, labels)
        return self._prepared

    def cuts(self, texts: Sequence[str]) -> list[list[Cut]]:
        """For each text, its boilerplate lines (kind ``"boilerplate"``), in order."""
        texts = check_texts(texts)
        cfg = self.config
        table, owner, vflat, voffs, labels = self._prepare()
        batch = Batch(texts, "line")
        sig, counts = signatures.compute_scanned(batch.scanner, cfg)
        live = np.flatnonzero(counts > 0)
        cand, ncand = table.candidates(_band_keys(sig[live], cfg.bands, cfg.rows), live, insert=False)
        rows = np.repeat(np.arange(len(live)), ncand)
        cols = np.concatenate([np.arange(c) for c in ncand]) if len(ncand) else np.zeros(0, np.int64)
        line, variant = live[rows], cand[rows, cols].astype(np.int64)
        best: dict[int, tuple[int, float]] = {}
        if len(line):
            involved, inverse = np.unique(line, return_inverse=True)
            lflat, loffs, unsafe = _sorted_sets(*batch.scanner.take(involved).args(), cfg.ngram, cfg.unit == "char")
            sim = _jaccard_cross(lflat, loffs, inverse, vflat, voffs, variant)
            if unsafe.any():
                redo = np.flatnonzero(unsafe[inverse])
                sim[redo] = exact_similarity(
                    _Pair(batch, line[redo], variants_of(self), variant[redo]),
                    np.arange(len(redo)), np.arange(len(redo)) + len(redo), cfg.ngram, cfg.unit,
                )
            ok = sim >= cfg.threshold
            for i, v, s in zip(line[ok].tolist(), variant[ok].tolist(), sim[ok].tolist()):
                if i not in best or s > best[i][1]:
                    best[i] = (int(owner[v]), s)
        if labels:
            starts = {(int(d), int(c)): i for i, (d, c) in enumerate(zip(batch.doc, batch.c0))}
            for d, text in enumerate(texts):
                for m in LABEL.finditer(text):
                    t = labels.get(_label_key(m.group(1)))
                    i = starts.get((d, m.start(1)))
                    if t is not None and i is not None and i not in best:
                        best[i] = (t, 0.0)
        out: list[list[Cut]] = [[] for _ in texts]
        for i in sorted(best):
            t, s = best[i]
            tpl = self.templates[t]
            line_text = batch.text_of(i)
            exact = any(line_text == v for v, _ in tpl.variants)
            out[batch.doc[i]].append(Cut(int(batch.c0[i]), int(batch.c1[i]), "boilerplate", tpl.text, s, exact))
        return out

    def strip(
        self,
        texts: Iterable[str],
        *,
        keep: Literal["none", "first"] = "none",
        annotate: bool = False,
    ) -> Iterator[str] | Iterator[list[Cut]]:
        """Strip a stream of texts, in batches; yields each text (or its cuts).

        ``keep="first"`` keeps the first line of each template in the stream
        and cuts the later ones; ``"none"`` (default) cuts every one.
        """
        _check_keep(keep)
        seen: set[str] = set()
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= BATCH:
                yield from self._strip_batch(batch, keep, seen, annotate)
                batch = []
        yield from self._strip_batch(batch, keep, seen, annotate)

    def _strip_batch(self, texts, keep, seen, annotate):
        if not texts:
            return
        for text, cuts in zip(texts, self.cuts(texts)):
            if keep == "first":
                kept = []
                for c in cuts:
                    if c.match in seen:
                        kept.append(c)
                    seen.add(c.match)
                cuts = kept
            yield cuts if annotate else apply_cuts(text, cuts)


class _Pair:
    """A scanner-like view over some lines of a batch and some variants (rare path)."""

    def __init__(self, batch: Batch, lines: np.ndarray, variants: list[str], which: np.ndarray) -> None:
        self.items = [batch.text_of(int(i)) for i in lines] + [variants[int(v)] for v in which]

    def take(self, idx: np.ndarray) -> Scanner:
        return Scanner([self.items[int(i)] for i in idx])


def variants_of(bp: Boilerplate) -> list[str]:
    return [v for t in bp.templates for v, _ in t.variants]


@njit(cache=True)
def _jaccard_cross(aflat, aoffs, ia, bflat, boffs, ib):
    out = np.empty(ia.shape[0], dtype=np.float64)
    for p in range(ia.shape[0]):
        i, iend = aoffs[ia[p]], aoffs[ia[p] + 1]
        j, jend = boffs[ib[p]], boffs[ib[p] + 1]
        na, nb = iend - i, jend - j
        inter = 0
        while i < iend and j < jend:
            x, y = aflat[i], bflat[j]
            if x == y:
                inter += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        union = na + nb - inter
        out[p] = inter / union if union else 0.0
    return out


def _check_keep(keep: str) -> None:
    if keep not in ("none", "first"):
        raise ValueError(f"keep must be 'none' (cut every copy) or 'first' (keep the first), got {keep!r}")


def find_boilerplate(
    texts: Sequence[str],
    *,
    min_docs: int = 3,
    min_fraction: float | None = None,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    config: Config | None = None,
) -> Boilerplate:
    """Learn the lines that recur across ``texts``.

    Args:
        texts: a sample of the corpus (documents as ``str``).
        min_docs: a line is boilerplate when it, or a variant, is in at least
            this many documents (default 3).
        min_fraction: or in at least this fraction of the documents (the
            larger of the two counts).
        threshold, ngram, unit, config: how near two lines must be to be
            variants (character 4-grams at Jaccard >= 0.6 by default).

    Returns:
        A :class:`Boilerplate`, templates most widespread first.

    >>> docs = [f"Mandatory credit: {a}\\nStory {i} about the {a} photographers' day." for i, a in
    ...         enumerate(["Reuters", "AP", "The White House", "AFP"])]
    >>> bp = find_boilerplate(docs, min_docs=3)
    >>> [(t.text, t.docs, len(t.variants)) for t in bp.templates]
    [('Mandatory credit: *', 4, 4)]
    >>> strip_boilerplate("Mandatory credit: Getty Images\\nThe story.", bp)
    'The story.'
    """
    if isinstance(min_docs, bool) or not isinstance(min_docs, int) or min_docs < 1:
        raise ValueError(f"min_docs must be a positive integer, got {min_docs!r}")
    if min_fraction is not None and not (0.0 < min_fraction <= 1.0):
        raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction!r}")
    cfg = make_config(config, threshold=threshold, ngram=ngram, unit=unit)
    texts = check_texts(texts)
    need = max(min_docs, math.ceil((min_fraction or 0.0) * len(texts)))
    batch = Batch(texts, "line")
    n = len(batch)
    root = np.arange(n)
    for i, (j, _) in sorted(batch.matches(cfg, "all").items()):
        root[i] = root[j]
    # label lines: one group per label
    label_of: dict[int, str] = {}
    starts = {(int(d), int(c)): i for i, (d, c) in enumerate(zip(batch.doc, batch.c0))}
    for d, text in enumerate(texts):
        for m in LABEL.finditer(text):
            i = starts.get((d, m.start(1)))
            if i is not None:
                label_of[i] = _label_key(m.group(1))
    parent = {int(r): int(r) for r in np.unique(root)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_label: dict[str, int] = {}
    for i, key in label_of.items():
        r = find(int(root[i]))
        if key in by_label:
            a, b = find(by_label[key]), r
            if a != b:
                parent[max(a, b)] = min(a, b)
        else:
            by_label[key] = r
    group = np.array([find(int(r)) for r in root], dtype=np.int64) if n else np.zeros(0, np.int64)
    pairs = np.unique(np.stack([group, batch.doc]), axis=1) if n else np.zeros((2, 0), np.int64)
    docs_per_group = np.bincount(pairs[0], minlength=n) if n else np.zeros(0, np.int64)
    frequent = np.flatnonzero(docs_per_group >= need)
    labels_of_group: dict[int, str] = {}
    for key, r in by_label.items():
        labels_of_group.setdefault(find(r), key)
    templates = []
    for g in frequent.tolist():
        members = np.flatnonzero(group == g)
        variant_docs: dict[str, set[int]] = {}
        for i in members.tolist():
            variant_docs.setdefault(batch.text_of(i), set()).add(int(batch.doc[i]))
        variants = tuple(sorted(((v, len(ds)) for v, ds in variant_docs.items()), key=lambda x: (-x[1], x[0])))
        examples = tuple((int(batch.doc[i]), int(batch.c0[i]), int(batch.c1[i])) for i in members[:5])
        label = labels_of_group.get(g)
        if label is None and 2 * len(variants) > docs_per_group[g] and len(variants) > 1:
            # near-variants that mostly occur once each are content written
            # on a common pattern (a chain of similar sentences), not a template
            continue
        text = variants[0][0]
        if label is not None and len(variants) > 1:
            m = LABEL.match(text)
            text = f"{m.group(1) if m else label}: *"
        templates.append(Template(text, int(docs_per_group[g]), variants, examples, label))
    templates.sort(key=lambda t: (-t.docs, t.text))
    return Boilerplate(templates, cfg, len(texts), need)


def strip_boilerplate(
    text: str,
    boilerplate: Boilerplate,
    *,
    keep: Literal["none", "first"] = "none",
    seen: set[str] | None = None,
    annotate: bool = False,
) -> str | list[Cut]:
    """``text`` without its boilerplate lines (each with its line break).

    ``keep="none"`` (default) cuts every copy, as corpus cleaning wants for
    credit lines and menus; ``keep="first"`` keeps the first line of each
    template and cuts later ones, within this text or, if you pass the same
    ``seen`` set to every call, across a stream. With ``annotate=True``,
    return the cuts instead. For many texts, ``boilerplate.strip(texts)``
    works in batches.
    """
    if not isinstance(boilerplate, Boilerplate):
        raise TypeError(
            f"boilerplate must be a dedup.Boilerplate (from find_boilerplate or Boilerplate.load), "
            f"got {type(boilerplate).__name__}"
        )
    _check_keep(keep)
    cuts = boilerplate.cuts([text])[0]
    if keep == "first":
        seen = set() if seen is None else seen
        kept = []
        for c in cuts:
            if c.match in seen:
                kept.append(c)
            seen.add(c.match)
        cuts = kept
    return cuts if annotate else apply_cuts(text, cuts)
