"""The input checks every public function runs first: texts are ``str``,
and ``config=`` is a :class:`dedup.Config` not mixed with loose parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ..config import Config


def make_config(config: Config | None, defaults: dict[str, Any] | None = None, **params: Any) -> Config:
    """``config`` if given (then every other parameter must be left at its
    default: the caller's ``defaults``, else Config's), else ``Config(**params)``."""
    if config is None:
        return Config(**params)
    if not isinstance(config, Config):
        raise TypeError(f"config must be a dedup.Config, got {type(config).__name__}")
    defaults = {**{f.name: f.default for f in dataclasses.fields(Config)}, **(defaults or {})}
    changed = sorted(k for k, v in params.items() if v != defaults[k])
    if changed:
        raise ValueError(f"pass either config= or {changed}, not both")
    return config


def check_verify(config: Config, supported: str, who: str) -> Config:
    """``config`` if its ``verify`` is the one way ``who`` can verify
    (``"signature"``: it keeps no text; ``"exact"``: it always compares the
    texts), else a ValueError naming both and the fix."""
    if config.verify != supported:
        how = ("keeps no text, so it verifies on signatures" if supported == "signature"
               else "verifies every candidate on the exact Jaccard of the texts")
        raise ValueError(
            f"{who} {how}; got a Config with verify={config.verify!r}, "
            f"pass config.replace(verify={supported!r})"
        )
    return config


def check_texts(texts: Iterable[Any], start: int = 0) -> list[str]:
    """``texts`` as a list, each checked to be a ``str``; a single text or
    bytes where a sequence of texts belongs is an error, not a sequence of
    characters."""
    if isinstance(texts, (str, bytes, bytearray)) or texts is None:
        raise TypeError(
            f"expected a sequence of texts, got {type(texts).__name__}: {preview(texts)}; "
            "pass a list such as [text]"
        )
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(
                f"text at position {start + i} is {type(t).__name__}, not str: {preview(t)}"
            )
    return out


def preview(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def banding(config: Config) -> tuple[int, int]:
    """``config``'s bands and rows. ``Config`` types them ``int | None`` (None
    asks it to choose) but always sets both when it is made."""
    bands, rows = config.bands, config.rows
    if bands is None or rows is None:
        raise TypeError(f"Config without bands and rows: {config!r}; make it with Config(...)")
    return bands, rows
