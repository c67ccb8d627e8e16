"""Cuts: the spans a remover would take out, and applying them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple


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
