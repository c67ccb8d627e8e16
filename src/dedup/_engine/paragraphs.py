"""The paragraph engine: the paragraphs of a batch of texts
(:func:`split_spans`), their candidate pairs, and the paragraphs each
repeats (:class:`Batch`), for repeated paragraphs within a text, shared
paragraphs across texts, and boilerplate lines.

The spec of the split, in plain Python::

    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\\r\\n]+", text)]
    # each line trimmed of str.isspace characters; blank lines dropped

and with ``split="blank"``, consecutive non-blank lines are joined into one
paragraph. ``split="auto"`` uses ``"blank"`` when the text has blank lines
and most of its blank-separated blocks are several lines long (hard-wrapped
text), else ``"line"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np

from .._kernels.labels import fnv_spans
from .._kernels.lines import same_bytes, split_lines
from ..config import Config
from ..recapture import ATTRIBUTION_BYTES, check
from ..spans import Cut, remove_items
from . import signatures
from .candidates import candidate_pairs
from .clusters import best_confirmed, best_matches, first_of_group
from .scanner import Scanner, encode_batch
from .verify import exact_similarity, signature_similarity

Split = Literal["auto", "line", "blank"]
SPLITS = ("auto", "line", "blank")


def split_spans(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, split: Split = "auto"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Paragraphs of every document of a batch: (doc, byte start, byte end,
    char start, char end) arrays, in document and text order."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    breaks = np.flatnonzero(buf == 10)
    if (buf == 13).any():
        breaks = np.flatnonzero((buf == 10) | (buf == 13))
    doc, block, b0, b1, c0, c1 = split_lines(buf, np.asarray(starts, np.int64), np.asarray(ends, np.int64), breaks)
    if split == "line" or len(doc) == 0:
        return doc, b0, b1, c0, c1
    ndocs = len(starts)
    # per document: blocks, and blocks of more than one line
    first_of_block = np.ones(len(block), dtype=bool)
    first_of_block[1:] = block[1:] != block[:-1]
    blocks = np.bincount(doc[first_of_block], minlength=ndocs)
    lines = np.bincount(doc, minlength=ndocs)
    block_sizes = np.bincount(block)[block[first_of_block]]
    multi = np.bincount(doc[first_of_block][block_sizes > 1], minlength=ndocs)
    if split == "blank":
        joined = np.ones(ndocs, dtype=bool)
    else:
        joined = (blocks > 1) & (lines > blocks) & (2 * multi > blocks)
    # a group is a block in joined documents, a line elsewhere
    new_group = first_of_block | ~joined[doc]
    starts_idx = np.flatnonzero(new_group)
    ends_idx = np.append(starts_idx[1:], len(doc)) - 1
    return doc[starts_idx], b0[starts_idx], b1[ends_idx], c0[starts_idx], c1[ends_idx]


# ------------------------------------------------------------------ repeats

# Paragraph-level shingling, chosen by the precision/recall table in
# docs/paragraphs.md (benchmarks/paragraph_choice.py).
PARAGRAPH_THRESHOLD = 0.6
PARAGRAPH_NGRAM = 4
PARAGRAPH_UNIT: Literal["word", "char"] = "char"
# Verification is exact: the signature only finds candidates. Inside one
# document they are few; across a corpus, 64 permutations (21 bands x 3 rows
# instead of 16 x 2) halve the chance candidates and run faster overall
# (benchmarks/paragraphs.py).
PARAGRAPH_NUM_PERM = 32
CORPUS_NUM_PERM = 64
PARAGRAPH_DEFAULTS = {
    "threshold": PARAGRAPH_THRESHOLD, "ngram": PARAGRAPH_NGRAM, "unit": PARAGRAPH_UNIT, "num_perm": PARAGRAPH_NUM_PERM,
}
CORPUS_DEFAULTS = {**PARAGRAPH_DEFAULTS, "num_perm": CORPUS_NUM_PERM}


class Pairs(NamedTuple):
    """Candidate pairs of a :class:`Batch` (see :meth:`Batch.pairs`)."""

    later: np.ndarray
    earlier: np.ndarray
    sim: np.ndarray
    rep: np.ndarray  # each item's first item with the same content key
    scope: str
    threshold: float


class Batch:
    """The paragraphs of a batch of texts, ready for the kernels."""

    def __init__(self, texts: Sequence[str], split: Split) -> None:
        self.texts = texts
        buf, offsets = encode_batch(texts)
        self.doc, b0, b1, self.c0, self.c1 = split_spans(buf, offsets[:-1], offsets[1:], split)
        self.scanner = Scanner.from_spans(buf, b0, b1, self.text_of)

    def __len__(self) -> int:
        return len(self.doc)

    def text_of(self, i: int) -> str:
        return self.texts[self.doc[i]][self.c0[i] : self.c1[i]]

    def pairs(self, config: Config, scope: str, workers: int = 1) -> Pairs:
        """Every candidate pair (later, earlier, similarity) for ``scope``:
        ``"within"`` a document, else across the batch (``"all"``, and
        ``"across"``, where :meth:`best` takes matches from earlier
        documents only).

        Identical copies (the same bytes) are grouped by content key and a
        hash of their bytes, without LSH: only first copies are compared (a
        later copy has its first copy's match, see :meth:`best`).
        """
        m = len(self)
        sig, counts, keys, keyed = signatures.sketch(self.scanner, config, workers)
        live = counts > 0
        within = scope == "within"
        groups = self.doc if within else np.zeros(m, np.int64)
        same_words = first_of_group(keys, groups, keyed & live)
        keys = keys.copy()
        keys[:, 1] ^= fnv_spans(self.scanner.buf, self.scanner.starts, self.scanner.ends)
        rep = first_of_group(keys, groups, keyed & live)
        firsts = np.flatnonzero((rep == np.arange(m)) & live)
        # LSH compares one first copy per group of the same words (other
        # case, spacing or marks: the same shingles), and a pair of groups
        # stands for every pair of their first copies, at one similarity
        heads = np.flatnonzero((same_words == np.arange(m)) & live)
        exact = config.verify != "signature"
        doc, other = candidate_pairs(sig[heads], counts[heads], config, self.doc[heads] if within else None,
                                     filtered=exact)
        doc, other = heads[doc], heads[other]
        if exact:
            sim = exact_similarity(self.scanner, doc, other, config.ngram, config.unit, workers)
        else:
            sim = signature_similarity(sig[doc], sig[other])
        doc, other, sim = _group_pairs(doc, other, sim, same_words, firsts)
        # and the first copies of one group are each other's candidates at 1.0
        later, earlier = _same_word_pairs(same_words[firsts], firsts)
        doc, other = np.concatenate([doc, later]), np.concatenate([other, earlier])
        sim = np.concatenate([sim, np.ones(len(later))])
        return Pairs(doc, other, sim, rep, scope, config.threshold)

    def matches(self, config: Config, scope: str, workers: int = 1) -> dict[int, tuple[int, float]]:
        """Best earlier match of each paragraph (index -> (index, similarity)):
        of its :meth:`pairs` at Jaccard >= threshold, the most similar (the
        earliest on ties) that :func:`confirm_recaptures` confirms."""
        return self.best(self.pairs(config, scope, workers))

    def best(self, pairs: Pairs, confirm: bool = True) -> dict[int, tuple[int, float]]:
        """See :meth:`matches`; with ``confirm=False``, the best pairs by
        similarity alone (siblings included)."""

        # paragraphs near (and not equal in words to) exactly one other: a
        # near copy counts only between two such, as siblings come in families
        near = (pairs.sim >= pairs.threshold) & (pairs.sim < 1.0)
        m = len(pairs.rep)
        alone = np.bincount(pairs.later[near], minlength=m) + np.bincount(pairs.earlier[near], minlength=m) <= 1

        def choose(sel: np.ndarray | slice) -> dict[int, tuple[int, float]]:
            later, earlier, sim = pairs.later[sel], pairs.earlier[sel], pairs.sim[sel]
            if confirm:
                return best_confirmed(later, earlier, sim, pairs.threshold,
                                      lambda i, j, s: confirm_recaptures(self.scanner, i, j, s, self.text_of, alone))
            return best_matches(later, earlier, sim, pairs.threshold)

        # An identical copy has what its first copy has: the first copy's
        # match when that is at 1.0 (earlier still), else the first copy
        # itself; across documents, a copy in its first copy's own document
        # has the first copy's match from an earlier document, if any.
        rep = pairs.rep
        copies = np.flatnonzero(rep != np.arange(len(rep)))
        if pairs.scope == "across":
            same_doc = self.doc[rep[copies]] == self.doc[copies]
            best = choose(self.doc[pairs.earlier] < self.doc[pairs.later])
            any_doc = choose(np.isin(pairs.later, rep[copies[~same_doc]]))
        else:
            same_doc = np.zeros(len(copies), dtype=bool)
            best = any_doc = choose(slice(None))
        m = len(rep)
        r = rep[copies]
        target, sim = _as_arrays(best, m)
        inherit = copies[same_doc & (target[r] >= 0)]
        if any_doc is not best:
            target, sim = _as_arrays(any_doc, m)
        own = ~same_doc
        at_one = (target[r] >= 0) & (sim[r] >= 1.0)
        c, via = copies[own], np.where(at_one[own], target[r[own]], r[own])
        via_sim = np.where(at_one[own], sim[r[own]], 1.0)
        out = dict(best)
        if len(inherit):
            out.update(zip(inherit.tolist(), [best[x] for x in rep[inherit].tolist()]))
        out.update(zip(c.tolist(), zip(via.tolist(), via_sim.tolist())))
        return out

    def removed(self, config: Config, scope: str, workers: int = 1) -> list[str]:
        """The texts without their paragraphs that match an earlier one."""
        best = self.matches(config, scope, workers)
        return remove_items(self.texts, self.doc, self.c0, self.c1, np.fromiter(sorted(best), np.int64, len(best)))

    def cuts(self, config: Config, scope: str, workers: int = 1) -> list[list[Cut]]:
        """Each text's paragraphs that match an earlier one (see :meth:`matches`)."""
        kind = "repeat" if scope == "within" else "cross-document"
        best = self.matches(config, scope, workers)
        i = np.fromiter(sorted(best), np.int64, len(best))
        j = np.fromiter((best[x][0] for x in i.tolist()), np.int64, len(i))
        sims = [best[x][1] for x in i.tolist()]
        same = same_bytes(self.scanner.buf, self.scanner.starts, self.scanner.ends, i, j).tolist()
        spans = zip(self.c0[j].tolist(), self.c1[j].tolist())
        matches = list(zip(self.doc[j].tolist(), self.c0[j].tolist(), self.c1[j].tolist())) if kind != "repeat" \
            else list(spans)
        out: list[list[Cut]] = [[] for _ in self.texts]
        for d, s, e, m, sim, ex in zip(self.doc[i].tolist(), self.c0[i].tolist(), self.c1[i].tolist(), matches,
                                       sims, same):
            out[d].append(Cut(s, e, kind, m, sim, ex))
        return out


def _as_arrays(best: dict[int, tuple[int, float]], m: int) -> tuple[np.ndarray, np.ndarray]:
    """(match, similarity) of each of ``m`` items from ``best`` (-1, 0.0 where none)."""
    target = np.full(m, -1, dtype=np.int64)
    sim = np.zeros(m)
    if best:
        keys = np.fromiter(best, np.int64, len(best))
        vals = list(best.values())
        target[keys] = [v[0] for v in vals]
        sim[keys] = [v[1] for v in vals]
    return target, sim


def confirm_recaptures(scanner: Scanner, later: np.ndarray, earlier: np.ndarray, sim: np.ndarray, text_of,
                       alone: np.ndarray | None = None) -> np.ndarray:
    """Whether each item ``later[p]`` of ``scanner`` is ``earlier[p]``
    captured again, given their Jaccard ``sim[p]``: the same bytes; else
    the same tokens (which needs the same shingles, so ``sim`` 1.0); else,
    where both are ``alone`` (when given), :func:`near_recapture`. Only
    the pairs that can pass reach Python."""
    ok = same_bytes(scanner.buf, scanner.starts, scanner.ends, later, earlier)
    may_near = np.ones(len(ok), dtype=bool) if alone is None else alone[later] & alone[earlier]
    # an attribution added at the end adds a few bytes (recapture._grown)
    size = scanner.ends - scanner.starts
    grown = np.abs(size[later] - size[earlier])
    attributed = (grown >= 3) & (grown <= ATTRIBUTION_BYTES)
    for p in np.flatnonzero(~ok & ((sim >= 1.0) | may_near | attributed)).tolist():
        a, b = text_of(int(earlier[p])), text_of(int(later[p]))
        ok[p] = check(a, b, same=bool(sim[p] >= 1.0), near=bool(may_near[p]))
    return ok


def _same_word_pairs(group: np.ndarray, items: np.ndarray, most: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) pairs of ``items`` (ascending) with the same ``group``,
    each with at most ``most`` earlier ones (the closest)."""
    order = np.argsort(group, kind="stable")
    g, it = group[order], items[order]
    later: list[int] = []
    earlier: list[int] = []
    for lo, hi in _runs(g):
        for q in range(lo + 1, hi):
            for r in range(max(lo, q - most), q):
                later.append(int(it[q]))
                earlier.append(int(it[r]))
    return np.array(later, dtype=np.int64), np.array(earlier, dtype=np.int64)


def _group_pairs(doc: np.ndarray, other: np.ndarray, sim: np.ndarray, same_words: np.ndarray,
                 firsts: np.ndarray, most: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of group heads (later, earlier, similarity) as every pair of
    their groups' first copies (at most ``most`` of a group; the later one
    first), at the heads' similarity."""
    group = same_words[firsts]
    size = np.bincount(group, minlength=len(same_words))
    wide = (size[doc] > 1) | (size[other] > 1)
    if not wide.any():
        return doc, other, sim
    members: dict[int, list[int]] = {}
    for g, f in zip(group.tolist(), firsts.tolist()):
        if size[g] > 1 and len(members.setdefault(g, [])) < most:
            members[g].append(f)
    a: list[int] = []
    b: list[int] = []
    s: list[float] = []
    for d, o, x in zip(doc[wide].tolist(), other[wide].tolist(), sim[wide].tolist()):
        for i in members.get(d, [d]):
            for j in members.get(o, [o]):
                a.append(max(i, j))
                b.append(min(i, j))
                s.append(x)
    keep = ~wide
    return (np.concatenate([doc[keep], np.array(a, dtype=np.int64)]),
            np.concatenate([other[keep], np.array(b, dtype=np.int64)]), np.concatenate([sim[keep], np.array(s)]))


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """[lo, hi) of each run of two or more equal values of a sorted array."""
    if len(values) < 2:
        return []
    edges = np.flatnonzero(np.r_[True, values[1:] != values[:-1], True])
    return [(lo, hi) for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist()) if hi - lo > 1]


