"""Cuts: the spans a remover would take out, and applying them."""

from __future__ import annotations

import itertools
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
    """``text`` without the cut spans; every kept line stays byte for byte.

    Cuts separated only by white space are one run. A run that covers whole
    lines goes with those lines: from the start of its first line to the
    start of the next kept line (the blank lines between go too), or, when
    nothing is kept after it, from the line break that ends the last kept
    line. A run inside a line goes alone.

    >>> apply_cuts("keep\\ncut \\nkeep too", [(5, 8)])
    'keep\\nkeep too'
    >>> apply_cuts("cut\\n\\nkeep", [(0, 3)])
    'keep'
    >>> apply_cuts("keep \\n\\ncut", [(7, 10)])
    'keep '
    >>> apply_cuts("keep\\ncut\\n", [(5, 8)])
    'keep\\n'
    """
    spans = sorted((c[0], c[1]) for c in cuts)
    if not spans:
        return text
    n = len(text)
    runs: list[list[int]] = []
    for cut in spans:
        s, e = cut
        if not (0 <= s <= e <= n):
            raise ValueError(f"cut {cut} is outside the text of length {n}")
        if runs and (s <= runs[-1][1] or text[runs[-1][1] : s].isspace()):
            runs[-1][1] = max(runs[-1][1], e)
        else:
            runs.append([s, e])
    out, pos = [], 0
    for s, e in runs:
        a, b = _extent(text, s, e)
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _extent(text: str, s: int, e: int) -> tuple[int, int]:
    """What a run of cuts ``[s, e)`` takes out of ``text`` (see :func:`apply_cuts`)."""
    n = len(text)
    a = s
    while a > 0 and text[a - 1].isspace() and text[a - 1] not in "\r\n":
        a -= 1
    if a > 0 and text[a - 1] not in "\r\n":  # inside a line: the span alone
        return s, e
    b = e
    while b < n and text[b].isspace():
        b += 1
    if b < n:  # to the start of the next kept line
        k = max(text.rfind("\n", e, b), text.rfind("\r", e, b))
        return a, (b if k < 0 else k + 1)
    # nothing kept after it: from the line break that ends the last kept line
    # to the one that ends the run's last line (which stays, as the text's end)
    p = a
    while p > 0 and text[p - 1].isspace():
        p -= 1
    breaks = [k for k in (text.find("\n", e), text.find("\r", e)) if k >= 0]
    b = min(breaks) if breaks else n
    if p == 0:
        return 0, b
    breaks = [k for k in (text.find("\n", p, a), text.find("\r", p, a)) if k >= 0]
    return (min(breaks) if breaks else a), b


def remove_items(texts: Sequence[str], doc: np.ndarray, c0: np.ndarray, c1: np.ndarray,
                 cut: np.ndarray) -> list[str]:
    """The texts without the items ``cut`` (sorted indices) of a batch whose
    items are spans of ``texts`` (``texts[doc[i]][c0[i]:c1[i]]``): what
    :func:`apply_cuts` gives with their spans."""
    out = list(texts)
    if not len(cut):
        return out
    d = doc[cut]
    bounds = np.flatnonzero(np.r_[True, d[1:] != d[:-1], True]).tolist()
    s, e, d = c0[cut].tolist(), c1[cut].tolist(), d.tolist()
    for lo, hi in itertools.pairwise(bounds):
        out[d[lo]] = apply_cuts(texts[d[lo]], list(zip(s[lo:hi], e[lo:hi])))
    return out
