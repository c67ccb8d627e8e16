"""Paragraphs: splitting a text into spans, and repeated paragraphs.

Spans are always ``[start, end)`` character offsets into the original
string (``text[start:end]``), trimmed of surrounding whitespace. Splitting
runs in a kernel over the UTF-8 bytes, so a 50 MB paragraph or a
million-line text costs no Python object per line.

The spec of :func:`split_paragraphs`, in plain Python::

    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\\r\\n]+", text)]
    # each line trimmed of str.isspace characters; blank lines dropped

and with ``split="blank"``, consecutive non-blank lines are joined into one
paragraph. ``split="auto"`` uses ``"blank"`` when the text has blank lines
and most of its blank-separated blocks are several lines long (hard-wrapped
text), else ``"line"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple, TypeVar, overload

from ._engine.checks import check_texts, check_verify, make_config
from ._engine.paragraphs import (
    CORPUS_DEFAULTS,
    CORPUS_NUM_PERM,
    PARAGRAPH_DEFAULTS,
    PARAGRAPH_NGRAM,
    PARAGRAPH_NUM_PERM,
    PARAGRAPH_THRESHOLD,
    PARAGRAPH_UNIT,
    Batch,
    Split,
    split_spans,
)
from ._engine.scanner import encode_batch
from ._engine.workers import check_workers, per_text
from .config import Config
from .spans import Cut

R = TypeVar("R")


class Paragraph(NamedTuple):
    """A paragraph: ``text[start:end]``."""

    start: int
    end: int
    text: str


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



@overload
def find_repeats(  # type: ignore[overload-overlap]  # a str is a Sequence[str]; this one comes first
    text: str,
    *,
    threshold: float = ...,
    ngram: int = ...,
    unit: Literal["word", "char"] = ...,
    split: Split = ...,
    config: Config | None = ...,
    workers: int | None = ...,
) -> list[Cut]: ...


@overload
def find_repeats(
    text: Sequence[str],
    *,
    threshold: float = ...,
    ngram: int = ...,
    unit: Literal["word", "char"] = ...,
    split: Split = ...,
    config: Config | None = ...,
    workers: int | None = ...,
) -> list[list[Cut]]: ...


def find_repeats(
    text: str | Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    workers: int | None = None,
) -> list[Cut] | list[list[Cut]]:
    """Paragraphs of ``text`` that repeat an earlier paragraph of it.

    Given a list of texts instead, returns a list with the cuts of each, all
    computed in one batch (much faster than one call per text).
    :func:`remove_repeats` takes the same arguments and returns the text
    without these cuts.

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

    ``workers`` is the number of threads to run on (``None``, the default:
    every core available to the process); each takes its own texts, and the
    result is the same whatever the number.

    >>> text = ('Intro line.\\nThe council approved the "budget" on Tuesday after a long debate.\\nMiddle.\\n'
    ...         "The  Council approved the “budget” on Tuesday after a long debate.")
    >>> [(c.start, c.end, c.match, c.exact) for c in find_repeats(text)]
    [(86, 152, (12, 77), False)]
    """
    if isinstance(text, str):
        return _cuts([text], "within", threshold, ngram, unit, split, config, workers)[0]
    return _cuts(text, "within", threshold, ngram, unit, split, config, workers)


@overload
def remove_repeats(  # type: ignore[overload-overlap]  # a str is a Sequence[str]; this one comes first
    text: str,
    *,
    threshold: float = ...,
    ngram: int = ...,
    unit: Literal["word", "char"] = ...,
    split: Split = ...,
    config: Config | None = ...,
    workers: int | None = ...,
) -> str: ...


@overload
def remove_repeats(
    text: Sequence[str],
    *,
    threshold: float = ...,
    ngram: int = ...,
    unit: Literal["word", "char"] = ...,
    split: Split = ...,
    config: Config | None = ...,
    workers: int | None = ...,
) -> list[str]: ...


def remove_repeats(
    text: str | Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    workers: int | None = None,
) -> str | list[str]:
    """``text`` without the later copies of repeated paragraphs.

    The first copy stays where it is; every later copy goes, with the line
    break before it; the rest of the text is unchanged. The copies removed
    are the cuts :func:`find_repeats` gives for the same arguments. Given a
    list of texts, returns a list, computed in one batch.

    >>> remove_repeats("A first paragraph here.\\nAnother one.\\nA first paragraph here.\\nThe end.")
    'A first paragraph here.\\nAnother one.\\nThe end.'
    """
    if isinstance(text, str):
        return _removed([text], "within", threshold, ngram, unit, split, config, workers)[0]
    return _removed(text, "within", threshold, ngram, unit, split, config, workers)


def _config(scope: str, threshold: float, ngram: int, unit: str, config: Config | None) -> Config:
    """The config of ``scope`` ("within" a text or "across" texts), with the
    defaults of that scope (32 permutations within, 64 across)."""
    defaults, num_perm = (PARAGRAPH_DEFAULTS, PARAGRAPH_NUM_PERM) if scope == "within" else (
        CORPUS_DEFAULTS, CORPUS_NUM_PERM)
    cfg = make_config(config, defaults, threshold=threshold, ngram=ngram, unit=unit, num_perm=num_perm)
    check_verify(cfg, "exact", "find_repeats and remove_repeats" if scope == "within"
                 else "find_shared_paragraphs and remove_shared_paragraphs")
    return cfg


def _each_batch(texts: Sequence[str], scope: str, threshold: float, ngram: int, unit: str, split: Split,
                config: Config | None, workers: int | None, what: Callable[[Batch, Config, int], list[R]]) -> list[R]:
    """``what(batch, config, workers)`` of the batch of ``texts`` for
    ``scope``, one item per text. Within a text, each text is on its own:
    pieces of texts go to the workers, a batch each; across texts, one
    batch whose stages run on the workers."""
    cfg = _config(scope, threshold, ngram, unit, config)
    texts = check_texts(texts)
    threads = check_workers(workers)
    if scope != "within":
        return what(Batch(texts, split), cfg, threads)
    return per_text(lambda piece: what(Batch(piece, split), cfg, 1), texts, threads)


def _cuts(texts: Sequence[str], scope: str, threshold: float, ngram: int, unit: str, split: Split,
          config: Config | None, workers: int | None) -> list[list[Cut]]:
    """The cuts of ``scope`` in each text."""
    return _each_batch(texts, scope, threshold, ngram, unit, split, config, workers,
                       lambda batch, cfg, threads: batch.cuts(cfg, scope, threads))


def _removed(texts: Sequence[str], scope: str, threshold: float, ngram: int, unit: str, split: Split,
             config: Config | None, workers: int | None) -> list[str]:
    """Each text without the cuts of ``scope``."""
    return _each_batch(texts, scope, threshold, ngram, unit, split, config, workers,
                       lambda batch, cfg, threads: batch.removed(cfg, scope, threads))


def find_shared_paragraphs(
    texts: Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    workers: int | None = None,
) -> list[list[Cut]]:
    """For each text, its paragraphs that already appeared in an earlier text.

    Each is a :class:`Cut` of kind ``"cross-document"`` whose ``match`` is
    ``(document, start, end)`` of the earlier paragraph: the report of what
    went where. For two articles that share most paragraphs without being
    near-duplicates as wholes. Repeats inside one text are left to
    :func:`find_repeats`. ``workers``: threads that sketch and verify the
    paragraphs (``None``, the default: every core available to the
    process); the result is the same whatever the number.

    >>> a = 'Storm hits the coast.\\nThousands lost power overnight in the north, "officials said."'
    >>> b = "Markets fell today.\\nThousands lost power overnight in the north, “officials said.”"
    >>> find_shared_paragraphs([a, b])
    [[], [Cut(start=20, end=82, kind='cross-document', match=(0, 22, 84), similarity=1.0, exact=False)]]
    """
    return _cuts(texts, "across", threshold, ngram, unit, split, config, workers)


def remove_shared_paragraphs(
    texts: Sequence[str],
    *,
    threshold: float = PARAGRAPH_THRESHOLD,
    ngram: int = PARAGRAPH_NGRAM,
    unit: Literal["word", "char"] = PARAGRAPH_UNIT,
    split: Split = "auto",
    config: Config | None = None,
    workers: int | None = None,
) -> list[str]:
    """The texts without the paragraphs an earlier text already had.

    The paragraphs removed are the cuts :func:`find_shared_paragraphs`
    gives for the same arguments.

    >>> a = "Storm hits the coast.\\nThousands lost power overnight."
    >>> remove_shared_paragraphs([a, "Markets fell today.\\nThousands lost power overnight."])
    ['Storm hits the coast.\\nThousands lost power overnight.', 'Markets fell today.']
    """
    return _removed(texts, "across", threshold, ngram, unit, split, config, workers)
