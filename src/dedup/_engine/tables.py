"""The Unicode tables of :mod:`dedup._kernels.unicode`, built once per
Unicode version and cached on disk (``$DEDUP_CACHE_DIR``, else
``$XDG_CACHE_HOME/dedup``, else ``~/.cache/dedup``)."""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import numpy as np

from .._kernels.unicode import TABLE_VERSION, build
from .files import replacing

_TABLES: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
_LOCK = threading.Lock()  # workers' threads may ask for the tables at once: built once


def cache_dir() -> Path:
    base = os.environ.get("DEDUP_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dedup"
    )
    return Path(base)


def tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(flags, offset, length, data) for this Python's Unicode database."""
    if _TABLES is not None:
        return _TABLES
    with _LOCK:
        return _TABLES if _TABLES is not None else _load()


def _load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    global _TABLES
    path = cache_dir() / f"unicode-{unicodedata.unidata_version}-v{TABLE_VERSION}.npz"
    try:
        with np.load(path) as z:
            _TABLES = (z["flags"], z["offset"], z["length"], z["data"])
            return _TABLES
    except (OSError, KeyError, ValueError):
        pass
    _TABLES = build()
    try:
        with replacing(path) as tmp, open(tmp, "wb") as f:
            flags, offset, length, data = _TABLES
            np.savez_compressed(f, flags=flags, offset=offset, length=length, data=data)
    except OSError:  # a read-only home is fine: the tables are rebuilt next time
        pass
    return _TABLES
