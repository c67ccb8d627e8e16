"""Union-find: every grouping of items into sets, each set named by its
smallest member (so the result never depends on the order of merges).

Two forms of the one concept:

- :func:`chain_roots`: each item joins the set of one earlier item (its
  best earlier match), items taken in order; the root is the first item of
  the chain. With items in order this is union-find whose every union names
  the set by the earlier member, so no ``find`` is needed.
- :func:`union_by_key` / :func:`find_all`: general union-find (path halving)
  for merges in any order, sets named by their smallest member.

Spec: ``tests/naive.py`` (``find_duplicates``: ``root[d] = root[best]`` in a
Python list, the rule of :func:`chain_roots`), compared with the library's
clusters by the document tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def chain_roots(lo, best, given):
    """Roots in item order of items ``lo, lo + 1, ...``: item ``lo + i`` with
    ``best[i] >= 0`` takes the root of item ``best[i]`` (an earlier item),
    read from ``given[i]`` when that item is before ``lo``; an item with
    ``best[i] < 0`` is its own root."""
    root = np.arange(lo, lo + best.shape[0])
    for i in range(best.shape[0]):
        b = best[i]
        if b >= lo:
            root[i] = root[b - lo]
        elif b >= 0:
            root[i] = given[i]
    return root


@njit(cache=True, nogil=True)
def find(parent, x):
    """The root of ``x``, halving the path on the way."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@njit(cache=True, nogil=True)
def union_by_key(parent, items, keys):
    """Merge the sets of ``items`` that share a key; a set is named by its
    smallest member, so the result does not depend on the order of merges."""
    order = np.argsort(keys, kind="mergesort")
    for q in range(1, order.shape[0]):
        if keys[order[q]] == keys[order[q - 1]]:
            a = find(parent, items[order[q - 1]])
            b = find(parent, items[order[q]])
            if a != b:
                parent[max(a, b)] = min(a, b)


@njit(cache=True, nogil=True)
def find_all(parent):
    """The root of every item."""
    out = np.empty_like(parent)
    for x in range(parent.shape[0]):
        out[x] = find(parent, x)
    return out
