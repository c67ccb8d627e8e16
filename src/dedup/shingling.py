"""Shingling: text -> set of shingles -> 64-bit shingle hashes.

The spec is :func:`shingles` and :func:`shingle_hash`, a few lines of plain
Python. The fast path (:func:`shingle_hashes`, and the signature kernels that
call :func:`_fill`) normalises with CPython's C code (``unicodedata`` and
``str.casefold``), then tokenises and hashes the UTF-8 bytes in a numba
kernel; tests check it yields exactly ``{shingle_hash(s) for s in shingles(text)}``
for arbitrary Unicode text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import xxhash
from numba import njit, uint64

from ._hash import _combine_ring, _xxh64, combine

_TOKEN = re.compile(r"\w+")

# ---------------------------------------------------------------- reference


def normalize(text: str) -> str:
    """NFKC, then case folding: the normalisation every shingle sees.

    >>> normalize("Ｃafé ＝ CAFÉ")
    'café = café'
    """
    if text.isascii():  # NFKC is the identity and casefold is lower on ASCII
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def shingles(text: str, ngram: int = 5, unit: str = "word") -> set[tuple[str, ...]]:
    """The reference shingle set of ``text``.

    Tokens are the ``\\w+`` runs of the normalised text. Word shingles are
    runs of ``ngram`` consecutive tokens; character shingles are runs of
    ``ngram`` characters of the tokens joined by single spaces. A text with
    fewer than ``ngram`` units has one shingle of all of them; a text without
    tokens has none.

    >>> sorted(shingles("The cat sat on the mat", ngram=5))
    [('cat', 'sat', 'on', 'the', 'mat'), ('the', 'cat', 'sat', 'on', 'the')]
    >>> shingles("Hello, world!", ngram=5)
    {('hello', 'world')}
    >>> sorted(shingles("東京タワー", ngram=4, unit="char"))
    [('京', 'タ', 'ワ', 'ー'), ('東', '京', 'タ', 'ワ')]
    """
    tokens = _TOKEN.findall(normalize(text))
    units = list(" ".join(tokens)) if unit == "char" else tokens
    if not units:
        return set()
    if len(units) < ngram:
        return {tuple(units)}
    return {tuple(units[i : i + ngram]) for i in range(len(units) - ngram + 1)}


def unit_hash(u: str, unit: str = "word") -> int:
    """A word's hash is xxHash64 of its UTF-8; a character's is its code point."""
    if unit == "char":
        return ord(u)
    return xxhash.xxh64_intdigest(u.encode("utf-8", "surrogatepass"))


def shingle_hash(shingle: tuple[str, ...], unit: str = "word") -> int:
    """The 64-bit hash of one shingle: :func:`dedup._hash.combine` of its unit hashes."""
    return combine(unit_hash(u, unit) for u in shingle)


# ---------------------------------------------------------------- fast path

_WORD_TABLE: np.ndarray | None = None


def word_table() -> np.ndarray:
    """uint8[0x110000]: 1 where ``re`` matches the code point with ``\\w``."""
    global _WORD_TABLE
    if _WORD_TABLE is None:
        every = "".join(map(chr, range(0x110000)))
        word = "".join(re.findall(r"\w", every))
        table = np.zeros(0x110000, dtype=np.uint8)
        table[np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32)] = 1
        _WORD_TABLE = table
    return _WORD_TABLE


def encode_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Normalise and UTF-8-encode texts into one buffer and offsets[n + 1]."""
    parts = [normalize(t).encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    if parts:
        np.cumsum([len(p) for p in parts], out=offsets[1:])
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return buf, offsets


# State slots of the resumable shingle scanner.
_POS, _TOTAL, _IN_TOK, _TOK_START, _NTOK, _DONE = range(6)
STATE_SIZE = 6


@njit(cache=True, inline="always")
def _push(ring, total, value, n, out, cnt):
    ring[total % n] = value
    total += 1
    if total >= n:
        out[cnt] = _combine_ring(ring, total, n)
        cnt += 1
    return total, cnt


@njit(cache=True)
def _start(st, start):
    st[:] = 0
    st[_POS] = start


@njit(cache=True)
def _fill(buf, end, table, n, char_mode, st, ring, out):
    """Write the next shingle hashes of the document ending at ``end`` to ``out``.

    Resumable: the scan position and the last ``n`` unit hashes live in ``st``
    and ``ring``, so a document of any length streams through a fixed
    ``out`` buffer (of at least 2 slots). Returns how many hashes were
    written; ``st[_DONE]`` is set once the document is exhausted. Hashes may
    repeat (a shingle occurring twice is emitted twice).
    """
    pos = st[_POS]
    total = st[_TOTAL]
    in_tok = st[_IN_TOK]
    tok_start = st[_TOK_START]
    ntok = st[_NTOK]
    cap = out.shape[0]
    cnt = 0
    while cnt + 2 <= cap:
        if pos >= end:
            if in_tok == 1 and not char_mode:
                total, cnt = _push(ring, total, _xxh64(buf, tok_start, pos, 0), n, out, cnt)
            in_tok = 0
            if 0 < total < n:
                out[cnt] = _combine_ring(ring, total, total)
                cnt += 1
            st[_DONE] = 1
            break
        b0 = buf[pos]
        if b0 < 0x80:
            cp = np.int64(b0)
            size = 1
        elif b0 < 0xE0:
            cp = (np.int64(b0 & 0x1F) << 6) | np.int64(buf[pos + 1] & 0x3F)
            size = 2
        elif b0 < 0xF0:
            cp = (
                (np.int64(b0 & 0x0F) << 12)
                | (np.int64(buf[pos + 1] & 0x3F) << 6)
                | np.int64(buf[pos + 2] & 0x3F)
            )
            size = 3
        else:
            cp = (
                (np.int64(b0 & 0x07) << 18)
                | (np.int64(buf[pos + 1] & 0x3F) << 12)
                | (np.int64(buf[pos + 2] & 0x3F) << 6)
                | np.int64(buf[pos + 3] & 0x3F)
            )
            size = 4
        if table[cp]:
            if in_tok == 0:
                in_tok = 1
                tok_start = pos
                if char_mode and ntok > 0:
                    total, cnt = _push(ring, total, uint64(32), n, out, cnt)
                ntok += 1
            if char_mode:
                total, cnt = _push(ring, total, uint64(cp), n, out, cnt)
        elif in_tok == 1:
            in_tok = 0
            if not char_mode:
                total, cnt = _push(ring, total, _xxh64(buf, tok_start, pos, 0), n, out, cnt)
        pos += size
    st[_POS] = pos
    st[_TOTAL] = total
    st[_IN_TOK] = in_tok
    st[_TOK_START] = tok_start
    st[_NTOK] = ntok
    return cnt


@njit(cache=True)
def _all_hashes(buf, start, end, table, n, char_mode):
    """Every shingle hash of one document (with repeats), as one array."""
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    _start(st, start)
    ring = np.zeros(n, dtype=np.uint64)
    out = np.empty(end - start + 4, dtype=np.uint64)
    cnt = 0
    while st[_DONE] == 0:
        cnt += _fill(buf, end, table, n, char_mode, st, ring, out[cnt:])
    return out[:cnt]


def shingle_hashes(text: str, ngram: int = 5, unit: str = "word") -> np.ndarray:
    """Sorted unique shingle hashes of ``text`` (uint64), by the fast path.

    Equal to ``sorted({shingle_hash(s, unit) for s in shingles(text, ngram, unit)})``.

    >>> text = "Mandatory credit: The White House"
    >>> [int(h) for h in shingle_hashes(text)] == sorted(
    ...     shingle_hash(s) for s in shingles(text))
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    buf, offsets = encode_batch([text])
    return np.unique(_all_hashes(buf, 0, int(offsets[1]), word_table(), ngram, unit == "char"))
