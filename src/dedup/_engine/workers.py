"""Workers: the threads a call runs on (``workers=`` in the library,
``--jobs`` in the command).

A stage that runs on several workers cuts its input into pieces
(:func:`text_pieces` for texts, :func:`cost_pieces` for items or pairs of
known cost, :func:`count_pieces` by count), runs one function per piece in
a pool of threads (:func:`run`), and puts the results back together in
input order. The kernels release the GIL
(``nogil=True``), so the threads run them on separate cores; what each
piece computes does not depend on where the pieces are cut, so the output
is the same whatever the number of workers. Each worker holds one piece at
a time (at most ``BATCH_CHARS`` characters of text, see
:mod:`dedup._engine.batches`), never a copy of the corpus. With one worker
nothing changes: the pieces are the batches of the one-core path, run in
the calling thread, and no pool is made.

Threads were chosen by measurement over processes and numba's
``parallel=True`` (``benchmarks/workers.py``): threads share the texts and
the arrays (processes copy them and start an interpreter each; numba's
parallel kernels take longer to compile and leave the Python parts on one
core).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from .batches import BATCH_CHARS, ranges

R = TypeVar("R")

PIECES_PER_WORKER = 8  # pieces per worker when the input allows: the last one to finish is short
MIN_PIECE_CHARS = 1 << 16  # characters of text a piece holds at least (about a millisecond of work: more than a thread costs)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system
    has one, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1  # pragma: no cover - macOS and Windows


def check_workers(workers: object) -> int:
    """``workers`` as a count of threads: a positive ``int``, or ``None`` for
    every core available to the process. Anything else is a ValueError
    naming the value and the fix."""
    if workers is None:
        return available_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(
            f"workers must be a positive integer (threads to run on) or None (every core: "
            f"{available_cores()} here), got {workers!r}; pass workers=1 for one thread"
        )
    return workers


def run(fn: Callable[[int, int], R], pieces: Sequence[tuple[int, int]], workers: int) -> list[R]:
    """``[fn(lo, hi) for lo, hi in pieces]``, on ``workers`` threads (see :func:`ordered`)."""
    return list(ordered(fn, pieces, workers))


def ordered(fn: Callable[[int, int], R], pieces: Sequence[tuple[int, int]], workers: int) -> Iterator[R]:
    """``fn(lo, hi)`` of each piece, yielded in order, computed on ``workers`` threads.

    One worker, or one piece, runs in the calling thread, each piece when
    its result is asked for. Otherwise the pieces are handed out in order,
    at most ``2 * workers`` ahead of the one the caller waits for, so that
    results not yet taken stay few. If one raises (or the caller is
    interrupted, or stops), the pieces not yet started are dropped, the
    running ones finish, and the error is raised.
    """
    if workers <= 1 or len(pieces) <= 1:
        for lo, hi in pieces:
            yield fn(lo, hi)
        return
    todo = iter(pieces)
    with ThreadPoolExecutor(min(workers, len(pieces)), thread_name_prefix="dedup") as pool:
        pending = deque(pool.submit(fn, lo, hi) for lo, hi in itertools.islice(todo, 2 * workers))
        try:
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(fn, lo, hi) for lo, hi in itertools.islice(todo, 1))
                yield result
        finally:
            for f in pending:
                f.cancel()


def per_text(fn: Callable[[Sequence[str]], list[R]], texts: Sequence[str], workers: int) -> list[R]:
    """``fn(texts)``, for a function that treats each text on its own and
    gives one item per text: run on pieces of ``texts`` on ``workers``
    threads, the items put back in order (one call with one worker)."""
    pieces = text_pieces(texts, workers, max(1, len(texts)), sys.maxsize) or [(0, 0)]
    parts = run(lambda lo, hi: fn(texts[lo:hi]), pieces, workers)
    return [x for part in parts for x in part]


def text_pieces(texts: Sequence[str], workers: int, size: int, chars: int = BATCH_CHARS) -> list[tuple[int, int]]:
    """``[lo, hi)`` pieces of ``texts`` for ``workers``: with one worker, the
    batches of at most ``size`` texts and ``chars`` characters
    (:func:`dedup._engine.batches.ranges`); with more, pieces about
    ``PIECES_PER_WORKER`` times finer per worker, no smaller than
    ``MIN_PIECE_CHARS`` characters (nor one text)."""
    if workers <= 1:
        return list(ranges(texts, size, chars))
    total = sum(map(len, texts))
    parts = max(1, min(PIECES_PER_WORKER * workers, total // MIN_PIECE_CHARS))
    count = -(-len(texts) // parts)
    per = -(-total // parts)
    return list(ranges(texts, max(1, min(size, count)), max(1, min(chars, BATCH_CHARS, per))))


def count_pieces(n: int, workers: int, least: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` pieces of ``range(n)`` (items, candidate pairs) for
    ``workers``: one piece with one worker; else about ``PIECES_PER_WORKER``
    per worker, each of at least ``least`` items."""
    if n == 0:
        return []
    parts = 1 if workers <= 1 else max(1, min(PIECES_PER_WORKER * workers, n // max(1, least)))
    bounds = [n * i // parts for i in range(parts + 1)]
    return list(itertools.pairwise(bounds))


def cost_pieces(cost: np.ndarray, workers: int, least: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` pieces of items whose work is ``cost[i]`` (bytes of an
    item, shingles of a pair): one piece with one worker; else about
    ``PIECES_PER_WORKER`` per worker of about equal cost, each of at least
    ``least`` (a piece holds one item at least)."""
    n = len(cost)
    if n == 0:
        return []
    total = int(np.sum(cost))
    parts = 1 if workers <= 1 else max(1, min(PIECES_PER_WORKER * workers, total // max(1, least), n))
    if parts == 1:
        return [(0, n)]
    ends = np.cumsum(cost)
    cuts = np.searchsorted(ends, [total * i // parts for i in range(1, parts)], side="right")
    bounds = sorted({0, n, *cuts.tolist()})
    return list(itertools.pairwise(bounds))
