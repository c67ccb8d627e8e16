"""dedup: find and remove near-duplicate text.

The public names load on first use, so ``import dedup`` stays fast; the
compiled kernels (numba) load, and compile the first time, when first called.

>>> import dedup
>>> dedup.find_duplicates(["one two three four five six", "One, two, three, four, five, six."]).duplicates
[1]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "Boilerplate": "boilerplate",
    "Config": "config",
    "Cut": "spans",
    "Paragraph": "paragraphs",
    "Template": "boilerplate",
    "apply_cuts": "spans",
    "find_boilerplate": "boilerplate",
    "find_repeats": "paragraphs",
    "find_shared_paragraphs": "paragraphs",
    "split_paragraphs": "paragraphs",
    "remove_repeats": "paragraphs",
    "remove_shared_paragraphs": "paragraphs",
    "strip_boilerplate": "boilerplate",
    "DedupResult": "documents",
    "Duplicate": "documents",
    "Index": "index",
    "Match": "index",
    "OnDisk": "ondisk",
    "deduplicate": "documents",
    "find_duplicates": "documents",
    "shingles": "shingling",
}

__all__ = sorted([*_WHERE, "__version__"])

if TYPE_CHECKING:  # pragma: no cover
    from .boilerplate import Boilerplate, Template, find_boilerplate, strip_boilerplate
    from .paragraphs import (
        Paragraph,
        find_repeats,
        find_shared_paragraphs,
        split_paragraphs,
        remove_repeats,
        remove_shared_paragraphs,
    )
    from .spans import Cut, apply_cuts
    from .documents import Duplicate
    from .config import Config
    from .documents import DedupResult, deduplicate, find_duplicates
    from .index import Index, Match
    from .ondisk import OnDisk
    from .shingling import shingles


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
