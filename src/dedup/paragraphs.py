"""Paragraphs: splitting a text into spans, and repeated paragraphs.

Spans are always ``[start, end)`` character offsets into the original
string (``text[start:end]``), trimmed of surrounding whitespace. Splitting
runs in a kernel over the UTF-8 bytes, so a 50 MB paragraph or a
million-line text costs no Python object per line.

The spec of :func:`paragraphs`, in plain Python::

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
from numba import njit

from . import signatures
from ._labels import _fnv_spans
from .clusters import (
    best_confirmed,
    best_matches,
    candidate_pairs,
    exact_similarity,
    first_of_group,
    signature_similarity,
)
from .config import Config
from .documents import check_texts, make_config
from .recapture import ATTRIBUTION_BYTES, check
from .shingling import Scanner, _decode, encode_batch
from .spans import Cut, remove_items

Split = Literal["auto", "line", "blank"]
SPLITS = ("auto", "line", "blank")


class Paragraph(NamedTuple):
    """A paragraph: ``text[start:end]``."""

    start: int
    end: int
    text: str


@njit(cache=True, inline="always")
def _is_space(cp):
    if cp < 0x80:
        return cp == 32 or (9 <= cp <= 13) or (0x1C <= cp <= 0x1F)
    return (
        cp == 0x85 or cp == 0xA0 or cp == 0x1680 or (0x2000 <= cp <= 0x200A)
        or cp == 0x2028 or cp == 0x2029 or cp == 0x202F or cp == 0x205F or cp == 0x3000
    )


@njit(cache=True, inline="always")
def _space_at(buf, pos):
    """(is the character at ``buf[pos]`` white space, its size in bytes)."""
    b = buf[pos]
    if b < 0x80:
        return b == 32 or (9 <= b <= 13) or (0x1C <= b <= 0x1F), 1
    cp, size = _decode(buf, pos)
    return _is_space(cp), size


@njit(cache=True)
def _lines(buf, starts, ends, breaks):
    """Every non-blank line of every document.

    ``breaks``: the sorted positions of every line break byte (\\n, \\r)
    in ``buf``. Returns arrays per line: document, block (lines with no
    blank line between them share a block; numbered across the batch), byte
    span and character span (characters counted from the document's start)
    of the line trimmed of whitespace. Characters are counted as the bytes
    that do not continue a UTF-8 sequence; only a line's ends are decoded.
    """
    cap = 16 + starts.shape[0]
    doc = np.empty(cap, dtype=np.int64)
    block = np.empty(cap, dtype=np.int64)
    b0 = np.empty(cap, dtype=np.int64)
    b1 = np.empty(cap, dtype=np.int64)
    c0 = np.empty(cap, dtype=np.int64)
    c1 = np.empty(cap, dtype=np.int64)
    n = 0
    blk = 0
    nb = breaks.shape[0]
    j = 0  # the first break at or after pos
    for d in range(starts.shape[0]):
        pos = starts[d]
        end = ends[d]
        ch = 0  # characters before pos
        blk += 1
        blank_since = False
        while True:
            while j < nb and breaks[j] < pos:
                j += 1
            # the line [pos, q) and its continuation bytes
            q = breaks[j] if j < nb and breaks[j] < end else end
            cont = 0
            for t in range(pos, q):
                cont += (buf[t] & 0xC0) == 0x80
            # trim: leading white space, then trailing
            a = pos
            ca = ch
            while a < q:
                sp, size = _space_at(buf, a)
                if not sp:
                    break
                a += size
                ca += 1
            cq = ch + (q - pos) - cont
            if a < q:
                e = q
                ce = cq
                while True:
                    s = e - 1
                    while (buf[s] & 0xC0) == 0x80:
                        s -= 1
                    sp, size = _space_at(buf, s)
                    if not sp:
                        break
                    e = s
                    ce -= 1
                if blank_since:
                    blk += 1
                    blank_since = False
                if n == cap:
                    cap *= 2
                    doc = _grow(doc, cap)
                    block = _grow(block, cap)
                    b0 = _grow(b0, cap)
                    b1 = _grow(b1, cap)
                    c0 = _grow(c0, cap)
                    c1 = _grow(c1, cap)
                doc[n] = d
                block[n] = blk
                b0[n] = a
                b1[n] = e
                c0[n] = ca
                c1[n] = ce
                n += 1
            elif n > 0 and doc[n - 1] == d:
                blank_since = True
            if q >= end:
                break
            # the line break: \r\n, \r or \n
            if buf[q] == 13 and q + 1 < end and buf[q + 1] == 10:
                pos = q + 2
                ch = cq + 2
            else:
                pos = q + 1
                ch = cq + 1
    return doc[:n], block[:n], b0[:n], b1[:n], c0[:n], c1[:n]


@njit(cache=True)
def _grow(arr, cap):
    out = np.empty(cap, dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


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
    doc, block, b0, b1, c0, c1 = _lines(buf, np.asarray(starts, np.int64), np.asarray(ends, np.int64), breaks)
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


def split_paragraphs(text: str, *, split: Split = "auto") -> list[Paragraph]:
    """The paragraphs of ``text``, with their spans in it.

    >>> split_paragraphs("Title\\r\\n\\r\\n  First line.\\nSecond line. \\n")
    [Paragraph(start=0, end=5, text='Title'), Paragraph(start=11, end=22, text='First line.'), Paragraph(start=23, end=35, text='Second line.')]
    >>> [p.text for p in split_paragraphs("one\\ntwo\\n\\nthree\\nfour\\n\\nfive", split="blank")]
    ['one\\ntwo', 'three\\nfour', 'five']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    buf, offsets = encode_batch([text])
    _, _, _, c0, c1 = split_spans(buf, offsets[:-1], offsets[1:], split)
    return [Paragraph(s, e, text[s:e]) for s, e in zip(c0.tolist(), c1.tolist())]


# ------------------------------------------------------------------ repeats

# Paragraph-level shingling, chosen by the precision/recall table in
# docs/paragraphs.md (benchmarks/paragraph_choice.py).
PARAGRAPH_THRESHOLD = 0.6
PARAGRAPH_NGRAM = 4
PARAGRAPH_UNIT = "char"
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

    def pairs(self, config: Config, scope: str) -> Pairs:
        """Every candidate pair (later, earlier, similarity) for ``scope``:
        ``"within"`` a document, else across the batch (``"all"``, and
        ``"across"``, where :meth:`best` takes matches from earlier
        documents only).

        Identical copies (the same bytes) are grouped by content key and a
        hash of their bytes, without LSH: only first copies are compared (a
        later copy has its first copy's match, see :meth:`best`).
        """
        m = len(self)
        sig, counts, keys, keyed = signatures.sketch(self.scanner, config)
        live = counts > 0
        within = scope == "within"
        groups = self.doc if within else np.zeros(m, np.int64)
        same_words = first_of_group(keys, groups, keyed & live)
        keys = keys.copy()
        keys[:, 1] ^= _fnv_spans(self.scanner.buf, self.scanner.starts, self.scanner.ends)
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
            sim = exact_similarity(self.scanner, doc, other, config.ngram, config.unit)
        else:
            sim = signature_similarity(sig[doc], sig[other])
        doc, other, sim = _group_pairs(doc, other, sim, same_words, firsts)
        # and the first copies of one group are each other's candidates at 1.0
        later, earlier = _same_word_pairs(same_words[firsts], firsts)
        doc, other = np.concatenate([doc, later]), np.concatenate([other, earlier])
        sim = np.concatenate([sim, np.ones(len(later))])
        return Pairs(doc, other, sim, rep, scope, config.threshold)

    def matches(self, config: Config, scope: str) -> dict[int, tuple[int, float]]:
        """Best earlier match of each paragraph (index -> (index, similarity)):
        of its :meth:`pairs` at Jaccard >= threshold, the most similar (the
        earliest on ties) that :func:`confirm_recaptures` confirms."""
        return self.best(self.pairs(config, scope))

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

    def removed(self, config: Config, scope: str) -> list[str]:
        """The texts without their paragraphs that match an earlier one."""
        best = self.matches(config, scope)
        return remove_items(self.texts, self.doc, self.c0, self.c1, np.fromiter(sorted(best), np.int64, len(best)))

    def cuts(self, config: Config, scope: str) -> list[list[Cut]]:
        """Each text's paragraphs that match an earlier one (see :meth:`matches`)."""
        kind = "repeat" if scope == "within" else "cross-document"
        best = self.matches(config, scope)
        i = np.fromiter(sorted(best), np.int64, len(best))
        j = np.fromiter((best[x][0] for x in i.tolist()), np.int64, len(i))
        sims = [best[x][1] for x in i.tolist()]
        same = _same_bytes(self.scanner.buf, self.scanner.starts, self.scanner.ends, i, j).tolist()
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
    ok = _same_bytes(scanner.buf, scanner.starts, scanner.ends, later, earlier)
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


@njit(cache=True)
def _same_bytes(buf, starts, ends, a, b):
    """Whether items ``a[p]`` and ``b[p]`` are the same bytes (so the same text)."""
    out = np.zeros(a.shape[0], dtype=np.bool_)
    for p in range(a.shape[0]):
        s, t = starts[a[p]], starts[b[p]]
        size = ends[a[p]] - s
        if size != ends[b[p]] - t:
            continue
        q = 0
        while q < size and buf[s + q] == buf[t + q]:
            q += 1
        out[p] = q == size
    return out


def find_repeats(
    text: str | Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
) -> list[Cut] | list[list[Cut]]:
    """Paragraphs of ``text`` that repeat an earlier paragraph of it.

    Given a list of texts instead, returns a list with the cuts of each, all
    computed in one batch (much faster than one call per text).

    Each is a :class:`Cut` of kind ``"repeat"`` whose ``match`` is the span
    of the earlier paragraph it repeats (the most similar one), with their
    exact Jaccard similarity and whether the two are identical. A repeat is
    the same paragraph captured again: other spacing, quotes or case, a
    word changed or inserted in a paragraph of 20 words or more, an
    attribution such as "(Reuters)" added at its end
    (:func:`dedup.recapture.is_recapture`). A paragraph on the same pattern
    whose differing words carry the meaning (a flag, a number, an operator,
    a negation) is not one, and a short line counts only when it repeats
    token for token. Candidates are paragraphs at Jaccard >= 0.6 on
    character 4-grams of the normalised text (see docs/paragraphs.md for
    the measurements).

    >>> text = ('Intro line.\\nThe council approved the "budget" on Tuesday after a long debate.\\nMiddle.\\n'
    ...         "The  Council approved the “budget” on Tuesday after a long debate.")
    >>> [(c.start, c.end, c.match, c.exact) for c in find_repeats(text)]
    [(86, 152, (12, 77), False)]
    """
    if isinstance(text, str):
        return _cuts([text], "within", threshold, ngram, unit, split, config)[0]
    return _cuts(text, "within", threshold, ngram, unit, split, config)


def remove_repeats(
    text: str | Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    annotate: bool = False,
) -> str | list[str] | list[Cut] | list[list[Cut]]:
    """``text`` without the later copies of repeated paragraphs.

    The first copy stays where it is; every later copy goes, with the line
    break before it; the rest of the text is unchanged. With
    ``annotate=True``, return the cuts instead (as :func:`find_repeats`).
    Given a list of texts, returns a list, computed in one batch.

    >>> remove_repeats("A first paragraph here.\\nAnother one.\\nA first paragraph here.\\nThe end.")
    'A first paragraph here.\\nAnother one.\\nThe end.'
    """
    if annotate:
        return find_repeats(text, threshold=threshold, ngram=ngram, unit=unit, split=split, config=config)
    if isinstance(text, str):
        return _cuts([text], "within", threshold, ngram, unit, split, config, remove=True)[0]
    return _cuts(text, "within", threshold, ngram, unit, split, config, remove=True)


def _cuts(texts, scope, threshold, ngram, unit, split, config, remove=False) -> list[list[Cut]] | list[str]:
    """The cuts of ``scope`` ("within" a text or "across" texts), with the
    defaults of that scope (32 permutations within, 64 across); with
    ``remove``, the texts without them instead."""
    defaults, num_perm = (PARAGRAPH_DEFAULTS, PARAGRAPH_NUM_PERM) if scope == "within" else (
        CORPUS_DEFAULTS, CORPUS_NUM_PERM)
    cfg = make_config(config, defaults, threshold=threshold, ngram=ngram, unit=unit, num_perm=num_perm)
    batch = Batch(check_texts(texts), split)
    return batch.removed(cfg, scope) if remove else batch.cuts(cfg, scope)


def find_shared_paragraphs(
    texts: Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
) -> list[list[Cut]]:
    """For each text, its paragraphs that already appeared in an earlier text.

    Each is a :class:`Cut` of kind ``"cross-document"`` whose ``match`` is
    ``(document, start, end)`` of the earlier paragraph: the report of what
    went where. For two articles that share most paragraphs without being
    near-duplicates as wholes. Repeats inside one text are left to
    :func:`find_repeats`.

    >>> a = 'Storm hits the coast.\\nThousands lost power overnight in the north, "officials said."'
    >>> b = "Markets fell today.\\nThousands lost power overnight in the north, “officials said.”"
    >>> find_shared_paragraphs([a, b])
    [[], [Cut(start=20, end=82, kind='cross-document', match=(0, 22, 84), similarity=1.0, exact=False)]]
    """
    return _cuts(texts, "across", threshold, ngram, unit, split, config)


def remove_shared_paragraphs(
    texts: Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    annotate: bool = False,
) -> list[str] | list[list[Cut]]:
    """The texts without the paragraphs an earlier text already had.

    With ``annotate=True``, the cuts instead (as :func:`find_shared_paragraphs`).
    """
    return _cuts(texts, "across", threshold, ngram, unit, split, config, remove=not annotate)
