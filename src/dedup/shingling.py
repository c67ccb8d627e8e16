"""Shingling: text -> set of shingles -> 64-bit shingle hashes.

The spec is :func:`shingles` and :func:`shingle_hash`, a few lines of plain
Python; :func:`shingle_hashes` is the fast path, tested to give exactly
``{shingle_hash(s) for s in shingles(text)}``. The definitions live beside
their kernels, in :mod:`dedup._kernels.shingling` and
:mod:`dedup._engine.hashsets`; this module is their public name.
"""

from __future__ import annotations

from ._engine.hashsets import shingle_hashes
from ._kernels.shingling import normalize, shingle_hash, shingles

__all__ = ["normalize", "shingle_hash", "shingle_hashes", "shingles"]
