"""The one frozen configuration that decides dedup's output."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

SCHEMES = ("fss", "datasketch", "datasketch-legacy")
UNITS = ("word", "char")
VERIFY = ("exact", "signature")
NORMALIZATION = "nfkc-casefold"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Config:
    """Every parameter that changes which documents match.

    A config is stored with anything persisted (signatures, indexes) and
    compared on load; :meth:`check_compatible` refuses a mismatch instead of
    returning silently wrong similarities.

    Args:
        threshold: Jaccard similarity at or above which two documents are
            near-duplicates, in (0, 1].
        num_perm: signature length (number of hash values per document).
        ngram: shingle size, in words (``unit="word"``) or characters
            (``unit="char"``).
        unit: ``"word"`` (default) or ``"char"`` shingles. Use ``"char"``
            for Chinese, Japanese, Thai and other text without spaces, and for
            very short texts.
        scheme: ``"fss"`` (default; fast similarity sketching, O(n + k log k)
            per document), ``"datasketch"`` (equal to ``datasketch.MinHash``
            2.x's default ``affine32`` scheme for the same 32-bit token hashes) or
            ``"datasketch-legacy"`` (datasketch before 2.0).
        seed: seed of the hash functions.
        bands, rows: LSH banding; chosen from ``threshold`` and ``num_perm``
            when left out (see :func:`dedup.lsh.choose_bands`).
        verify: how LSH candidates are confirmed: on the ``"exact"`` Jaccard
            of the shingle sets, or on the ``"signature"`` estimate. It
            decides the output, so every consumer reads it and none rewrites
            it: ``find_duplicates`` and :class:`dedup.OnDisk` do either;
            :class:`dedup.Index` and ``deduplicate`` keep no text and refuse
            ``"exact"``; the paragraph and boilerplate functions always
            compare the texts and refuse ``"signature"``. Each refusal names
            the fix (``config.replace(verify=...)``).

    >>> Config(threshold=0.8).bands, Config(threshold=0.8).rows
    (18, 7)
    >>> Config(threshold=1.5)
    Traceback (most recent call last):
    ...
    ValueError: threshold must be in (0, 1], got 1.5; pass a Jaccard similarity such as 0.8
    """

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    unit: str = "word"
    scheme: str = "fss"
    seed: int = 1
    bands: int | None = None
    rows: int | None = None
    verify: str = "exact"
    normalization: str = NORMALIZATION

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0.0 < t <= 1.0):
            raise ValueError(
                f"threshold must be in (0, 1], got {t!r}; pass a Jaccard similarity such as 0.8"
            )
        _check_int("num_perm", self.num_perm, 1, 1 << 16)
        _check_int("ngram", self.ngram, 1, 1 << 16)
        _check_int("seed", self.seed, 0, (1 << 32) - 1)
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {self.scheme!r}")
        if self.verify not in VERIFY:
            raise ValueError(f"verify must be one of {VERIFY}, got {self.verify!r}")
        if self.normalization != NORMALIZATION:
            raise ValueError(
                f"normalization must be {NORMALIZATION!r}, got {self.normalization!r}"
            )
        if (self.bands is None) != (self.rows is None):
            raise ValueError(
                f"give both bands and rows or neither, got bands={self.bands!r}, rows={self.rows!r}"
            )
        if self.bands is None:
            from ._kernels.lsh import choose_bands

            bands, rows = choose_bands(float(t), self.num_perm)
            object.__setattr__(self, "bands", bands)
            object.__setattr__(self, "rows", rows)
        else:
            bands = _check_int("bands", self.bands, 1, self.num_perm)
            rows = _check_int("rows", self.rows, 1, self.num_perm)
            if bands * rows > self.num_perm:
                raise ValueError(
                    f"bands * rows must be at most num_perm={self.num_perm}, "
                    f"got {bands} * {rows} = {bands * rows}"
                )
        object.__setattr__(self, "threshold", float(t))

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes``; bands and rows are re-derived unless given."""
        if ("threshold" in changes or "num_perm" in changes) and "bands" not in changes:
            changes.setdefault("bands", None)
            changes.setdefault("rows", None)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["format_version"] = FORMAT_VERSION
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Config:
        d = dict(d)
        version = d.pop("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(
                f"stored format_version is {version!r}, this dedup reads {FORMAT_VERSION}; "
                "rebuild the index with this version"
            )
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown config fields {unknown}; written by a newer dedup?")
        return cls(**d)

    def check_compatible(self, other: Config, what: str = "stored data") -> None:
        """Raise ValueError naming every field where ``other`` differs."""
        if other == self:
            return
        diffs = [
            f"{f.name}: {getattr(other, f.name)!r} (yours: {getattr(self, f.name)!r})"
            for f in dataclasses.fields(self)
            if getattr(other, f.name) != getattr(self, f.name)
        ]
        raise ValueError(
            f"{what} was made with a different config; " + "; ".join(diffs)
            + ". Use the stored config (or rebuild) instead of mixing them."
        )


def _check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (lo <= value <= hi):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return value
