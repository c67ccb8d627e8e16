"""The kernels' view of a batch of texts: one UTF-8 buffer, the byte span of
each item, and the Unicode tables (:class:`Scanner`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._kernels.shingling import ascii_map, normalize
from .tables import tables


def encode_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 of the texts (lone surrogates kept) in one buffer, and offsets[n + 1]."""
    parts = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    if parts:
        np.cumsum(np.fromiter(map(len, parts), np.int64, len(parts)), out=offsets[1:])
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return buf, offsets


_AMAP: list[np.ndarray] = []


def _ascii_map() -> np.ndarray:
    """:func:`ascii_map` of the tables, made once (a Python loop: one per
    piece would cost the workers' threads the GIL)."""
    if not _AMAP:
        flags, offset, _, data = tables()
        _AMAP.append(ascii_map(flags, offset, data))
    return _AMAP[0]


# buf, starts, ends, flags, offset, length, data, amap, raw: a kernel's
# leading arguments; a fixed-length tuple, so calls are checked for arity.
ScanArgs = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray, bool,
]


class Scanner:
    """The kernels' view of a batch of texts: Unicode tables, one UTF-8
    buffer, and the byte span ``[starts[i], ends[i])`` of each item.

    ``raw=True`` texts are normalised by the kernel; an item it finds unsafe
    is redone with :meth:`normalized`, from CPython's normalisation of
    ``text_of(i)``.
    """

    def __init__(self, texts: Sequence[str], raw: bool = True) -> None:
        if not raw:
            texts = [normalize(t) for t in texts]
        buf, offsets = encode_batch(texts)
        self._init(buf, offsets[:-1], offsets[1:], raw, texts.__getitem__)

    @classmethod
    def from_spans(cls, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, text_of) -> Scanner:
        """Items that are byte spans of an existing buffer (paragraphs of a text)."""
        self = cls.__new__(cls)
        self._init(buf, starts, ends, True, text_of)
        return self

    def _init(self, buf, starts, ends, raw, text_of) -> None:
        self.flags, self.offset, self.length, self.data = tables()
        self.amap = _ascii_map()
        self.buf = buf
        self.starts = np.ascontiguousarray(starts, dtype=np.int64)
        self.ends = np.ascontiguousarray(ends, dtype=np.int64)
        self.raw = raw
        self.text_of = text_of

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, idx: np.ndarray) -> Scanner:
        """The items ``idx`` only (same buffer)."""
        return Scanner.from_spans(self.buf, self.starts[idx], self.ends[idx], lambda i: self.text_of(int(idx[i])))

    def normalized(self, idx: np.ndarray) -> Scanner:
        """The items ``idx`` re-encoded after CPython's normalisation."""
        return Scanner([self.text_of(int(i)) for i in idx], raw=False)

    def args(self) -> ScanArgs:
        """The kernels' leading arguments, in their order."""
        return (
            self.buf, self.starts, self.ends, self.flags, self.offset, self.length, self.data,
            self.amap, self.raw,
        )
