"""Batching: every loop that cuts a sequence or a stream into batches.

A batch ends after ``size`` items, or once its texts reach ``chars``
characters (:func:`batches`, for streams: the text that crosses the limit
closes its batch); :func:`ranges` cuts a list before the text that would
cross the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

BATCH_CHARS = 16 << 20  # characters of text per batch, whatever the count


def batches(items: Iterable[T], size: int, chars: int | None = None,
            length: Callable[[Any], int] = len) -> Iterator[list[T]]:
    """Consecutive lists of ``items``: each ends after ``size`` items or once
    ``length`` of its items sums to ``chars`` or more (``None``: no limit).
    No list is empty."""
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        if chars is not None:
            total += length(item)
        if len(batch) >= size or (chars is not None and total >= chars):
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def ranges(texts: Sequence[str], size: int, chars: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``[lo, hi)`` ranges of at most ``size`` texts or about
    ``chars`` characters: a range ends before the text that would take it
    past ``chars`` (a longer text is a range of its own)."""
    lo, total = 0, 0
    for i, t in enumerate(texts):
        if i > lo and (i - lo >= size or total + len(t) > chars):
            yield lo, i
            lo, total = i, 0
        total += len(t)
    if lo < len(texts):
        yield lo, len(texts)


def str_length(text: Any) -> int:
    """``len(text)`` of a ``str``, 0 for anything else (checked later)."""
    return len(text) if isinstance(text, str) else 0
