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

__all__ = [
    "Boilerplate",
    "Config",
    "Cut",
    "DedupResult",
    "Duplicate",
    "Index",
    "Match",
    "OnDisk",
    "OnDiskResult",
    "Paragraph",
    "Template",
    "__version__",
    "apply_cuts",
    "deduplicate",
    "find_boilerplate",
    "find_duplicates",
    "find_repeats",
    "find_shared_paragraphs",
    "remove_repeats",
    "remove_shared_paragraphs",
    "shingles",
    "split_paragraphs",
    "strip_boilerplate",
]

# where each public name is defined: loaded on first use (PEP 562)
_WHERE = {
    "Boilerplate": "boilerplate",
    "Config": "config",
    "Cut": "spans",
    "DedupResult": "documents",
    "Duplicate": "documents",
    "Index": "index",
    "Match": "index",
    "OnDisk": "ondisk",
    "OnDiskResult": "ondisk",
    "Paragraph": "paragraphs",
    "Template": "boilerplate",
    "apply_cuts": "spans",
    "deduplicate": "documents",
    "find_boilerplate": "boilerplate",
    "find_duplicates": "documents",
    "find_repeats": "paragraphs",
    "find_shared_paragraphs": "paragraphs",
    "remove_repeats": "paragraphs",
    "remove_shared_paragraphs": "paragraphs",
    "shingles": "shingling",
    "split_paragraphs": "paragraphs",
    "strip_boilerplate": "boilerplate",
}

if TYPE_CHECKING:  # pragma: no cover  (type checkers and ruff see the names; nothing is imported at run time)
    from .boilerplate import Boilerplate, Template, find_boilerplate, strip_boilerplate
    from .config import Config
    from .documents import DedupResult, Duplicate, deduplicate, find_duplicates
    from .index import Index, Match
    from .ondisk import OnDisk, OnDiskResult
    from .paragraphs import (
        Paragraph,
        find_repeats,
        find_shared_paragraphs,
        remove_repeats,
        remove_shared_paragraphs,
        split_paragraphs,
    )
    from .shingling import shingles
    from .spans import Cut, apply_cuts


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
