"""Cuts: the spans a remover would take out, and applying them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np


class Cut(NamedTuple):
    """A span of a text that a remover takes out, and why.

    Attributes:
        start, end: ``text[start:end]`` is the paragraph or line cut.
        kind: ``"repeat"`` (repeats an earlier paragraph of the same text),
            ``"cross-document"`` (repeats a paragraph of an earlier text) or
            ``"boilerplate"``.
        match: what it matches: ``(start, end)`` of the earlier paragraph
            for a repeat, ``(document, start, end)`` for a cross-document
            cut, the template's text for boilerplate.
        similarity: Jaccard similarity to ``match`` (1.0 for identical).
        exact: the cut text equals the matched text character for character.
    """

    start: int
    end: int
    kind: str
    match: Any
    similarity: float
    exact: bool


def apply_cuts(text: str, cuts: Iterable[Cut | tuple[int, int]]) -> str:
    """``text`` without the cut spans, each with the whitespace before it.

    A span goes together with the whitespace between it and the text before
    it (its line break), or, at the very start, with the whitespace after it;
    everything else is left byte for byte.

    >>> apply_cuts("keep\\ncut\\nkeep too", [(5, 8)])
    'keep\\nkeep too'
    >>> apply_cuts("cut\\n\\nkeep", [(0, 3)])
    'keep'
    """
    spans = sorted((c[0], c[1]) for c in cuts)
    if not spans:
        return text
    n = len(text)
    out, pos = [], 0
    for cut in spans:
        s, e = cut
        if not (0 <= s <= e <= n):
            raise ValueError(f"cut {cut} is outside the text of length {n}")
        # with the whitespace before it (or, at the start, after it)
        while s > 0 and text[s - 1].isspace():
            s -= 1
        if s == 0:
            while e < n and text[e].isspace():
                e += 1
        if s < pos:  # overlaps the previous cut
            pos = max(pos, e)
            continue
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    return "".join(out)


def remove_items(texts: Sequence[str], doc: np.ndarray, c0: np.ndarray, c1: np.ndarray,
                 cut: np.ndarray) -> list[str]:
    """The texts without the items ``cut`` (sorted indices) of a batch whose
    items are the non-blank lines or paragraphs of ``texts``, in order
    (``texts[doc[i]][c0[i]:c1[i]]``, trimmed): what :func:`apply_cuts` gives
    with their spans, without walking over white space. Between two
    consecutive items of a text there is only white space, so the space
    before an item reaches back to the end of the one before it (or to the
    start of the text), and the space after a first item reaches on to the
    start of the next (or the end of the text)."""
    out = list(texts)
    if not len(cut):
        return out
    m = len(doc)
    d = doc[cut]
    before = np.maximum(cut - 1, 0)
    after = np.minimum(cut + 1, m - 1)
    has_before = (cut > 0) & (doc[before] == d)
    s = np.where(has_before, c1[before], 0)
    ends = np.fromiter(map(len, texts), np.int64, len(texts))[d]
    e = np.where(has_before, c1[cut], np.where((cut + 1 < m) & (doc[after] == d), c0[after], ends))
    bounds = np.flatnonzero(np.r_[True, d[1:] != d[:-1], True]).tolist()
    s, e, d = s.tolist(), e.tolist(), d.tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        text = texts[d[lo]]
        # kept: before the first cut, between cuts, after the last; a cut
        # that starts before the previous one ends (the item after a first
        # item cut with its trailing space) keeps nothing: text[a:b] is ""
        # for a > b
        out[d[lo]] = "".join([text[a:b] for a, b in zip([0, *e[lo:hi]], [*s[lo:hi], len(text)])])
    return out
