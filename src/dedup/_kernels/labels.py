"""Keys of "Label: value" lines.

The spec is two regular expressions and a normalisation, in plain Python
(:func:`label_key_of`). Boilerplate learning and
stripping ask for these keys on every short line of a corpus, so a kernel
(:func:`line_label_keys`) decides lines without a Python
call per line, normalising with the tables of :mod:`dedup._kernels.unicode`, and
gives the 64-bit :func:`key_hash` of their key;
a line it cannot decide (an unsafe code point, see :mod:`dedup._kernels.unicode`)
is left to the spec. Tests check both agree on arbitrary lines. Lines are
grouped by these 64-bit hashes: two different keys share one with
probability about 2**-64 per pair.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from numba import njit, uint64

from .hashing import FNV_OFFSET, FNV_PRIME, MASK64
from .shingling import decode_utf8
from .spaces import is_space
from .unicode import DIGIT, MAPPED, UNSAFE, WORD

# "Label: value" lines: one to three words, then ':', '|', '–' or '—' and a
# blank (so not "std::fmt", "http://x", "mailto:x"), then a short value
LABEL_LINE = re.compile(r"([^\W\d_]+(?:[ \t]+[^\W\d_]+){0,2})[ \t]*([:|–—])[ \t]+\S[^\n\r]{0,60}")
SEPARATORS = {":": ":", "|": "|", "–": "—", "—": "—"}  # a label's key ends with its separator (dashes as one)
MAX_VALUE = 60

NO, YES, ASK = 0, 1, 2  # kernel verdicts: not a key line, a key line (hash given), ask the spec


# ---------------------------------------------------------------- reference


def normalize_key(text: str) -> str:
    """NFKC, case folding, white space runs to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def label_key_of(line: str) -> str | None:
    """The normalised label of a "Label: value" line and its separator, else None.

    >>> label_key_of("Mandatory  Credit: The White House")
    'mandatory credit:'
    >>> label_key_of("Never — a type with no values")
    'never—'
    >>> [label_key_of(x) for x in ("The president said on Tuesday: no.", "std::fmt", "http://example.com/",
    ...                            "mailto:someone@example.com")]
    [None, None, None, None]
    """
    m = LABEL_LINE.fullmatch(line)
    return None if m is None else normalize_key(m.group(1)) + SEPARATORS[m.group(2)]


def key_hash(key: str) -> int:
    """FNV-1a (64-bit) over the UTF-8 bytes of a key."""
    h = FNV_OFFSET
    for b in key.encode("utf-8", "surrogatepass"):
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


# ------------------------------------------------------------------ kernels


@njit(cache=True, inline="always")
def _alpha(b):
    return (65 <= b <= 90) or (97 <= b <= 122)


@njit(cache=True, inline="always")
def _lower(b):
    return b + 32 if 65 <= b <= 90 else b


@njit(cache=True, inline="always")
def _mix(h, b):
    return (h ^ uint64(b)) * uint64(FNV_PRIME)


@njit(cache=True, inline="always")
def _mix_utf8(h, cp):
    """:func:`_mix` the UTF-8 bytes of code point ``cp``."""
    if cp < 0x80:
        return _mix(h, cp)
    if cp < 0x800:
        return _mix(_mix(h, 0xC0 | (cp >> 6)), 0x80 | (cp & 0x3F))
    if cp < 0x10000:
        return _mix(_mix(_mix(h, 0xE0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3F)), 0x80 | (cp & 0x3F))
    return _mix(_mix(_mix(_mix(h, 0xF0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3F)), 0x80 | ((cp >> 6) & 0x3F)),
                0x80 | (cp & 0x3F))


@njit(cache=True, inline="always")
def _char_units(buf, pos, flags, mlen):
    """(code point, size in bytes, characters in its normalisation, unsafe)
    of the character at ``buf[pos]``."""
    b = buf[pos]
    if b < 0x80:
        return np.int64(b), 1, 1, False
    cp, size = decode_utf8(buf, pos)
    f = flags[cp]
    if f & UNSAFE:
        return cp, size, 0, True
    return cp, size, np.int64(mlen[cp]) if f & MAPPED else 1, False


@njit(cache=True, inline="always")
def _unit(cp, r, flags, moff, mdata):
    """Character ``r`` of the normalisation of ``cp`` (see :func:`_char_units`)."""
    if cp < 0x80:
        return np.int64(_lower(cp))
    if flags[cp] & MAPPED:
        return np.int64(mdata[moff[cp] + r])
    return cp


@njit(cache=True, nogil=True)
def line_label_keys(buf, starts, ends, idx, flags, moff, mlen, mdata):
    """Verdict and key hash of items ``idx`` (byte spans ``[starts, ends)``)
    as "Label: value" lines: what :func:`label_key_of` and :func:`key_hash`
    give. Label letters (``[^\\W\\d_]``) are normalised with the tables of
    :mod:`dedup._kernels.unicode`; a label holding an unsafe code point, or one that
    normalises to white space, is left to the spec (ASK)."""
    m = idx.shape[0]
    verdict = np.zeros(m, dtype=np.int8)
    hashes = np.zeros(m, dtype=np.uint64)
    for p in range(m):
        pos = starts[idx[p]]
        end = ends[idx[p]]
        h = uint64(FNV_OFFSET)
        words = 0
        result = NO
        # the label: words of letters, then the delimiter
        while pos < end:
            # a word: letters, normalised
            size = _letter_at(buf, pos, flags)
            if size == 0:
                break
            if words > 0:
                h = _mix(h, 32)
            while size > 0:
                cp, _, k, unsafe = _char_units(buf, pos, flags, mlen)
                if unsafe:
                    result = ASK
                    break
                for r in range(k):
                    c = _unit(cp, r, flags, moff, mdata)
                    if is_space(c):
                        result = ASK
                    h = _mix_utf8(h, c)
                pos += size
                size = _letter_at(buf, pos, flags) if pos < end else 0
            if result == ASK:
                break
            words += 1
            spaces = 0
            while pos < end and (buf[pos] == 32 or buf[pos] == 9):
                pos += 1
                spaces += 1
            if pos >= end:
                break
            b = buf[pos]
            if b == 58 or b == 124:  # ':' or '|'
                pos += 1
                h = _mix(h, b)
                result = YES
            elif b == 0xE2 and pos + 2 < end and buf[pos + 1] == 0x80 and (buf[pos + 2] == 0x93 or buf[pos + 2] == 0x94):
                pos += 3  # '–' or '—', keyed as '—'
                h = _mix(_mix(_mix(h, 0xE2), 0x80), 0x94)
                result = YES
            if result == YES:
                if pos >= end or not (buf[pos] == 32 or buf[pos] == 9):  # a blank after the separator
                    result = NO
                break
            if not (spaces > 0 and words < 3):
                break
        if result != YES:
            verdict[p] = result
            continue
        # the value: optional blanks, a character that is not white space, at most MAX_VALUE more
        while pos < end and (buf[pos] == 32 or buf[pos] == 9):
            pos += 1
        if pos >= end:
            continue
        b = buf[pos]
        if b < 0x80:
            if is_space(b):
                continue
            pos += 1
        else:
            cp, size = decode_utf8(buf, pos)
            if is_space(cp):
                continue
            pos += size
        rest = 0
        for q in range(pos, end):
            rest += (buf[q] & 0xC0) != 0x80
        if rest <= MAX_VALUE:
            verdict[p] = YES
            hashes[p] = h
    return verdict, hashes


@njit(cache=True, inline="always")
def _letter_at(buf, pos, flags):
    """Size in bytes of the character at ``pos`` if it is a label letter
    (``[^\\W\\d_]``: a word character, not a digit, not '_'), else 0."""
    b = buf[pos]
    if b < 0x80:
        return 1 if _alpha(b) else 0
    cp, size = decode_utf8(buf, pos)
    f = flags[cp]
    return size if (f & WORD) and not (f & DIGIT) else 0


@njit(cache=True, nogil=True)
def has_byte(buf, starts, ends, lines):
    """Whether each item ``lines[p]`` holds a label delimiter byte (':', '|',
    or the lead byte of '–'/'—'): the lines worth keying."""
    out = np.zeros(lines.shape[0], dtype=np.bool_)
    for p in range(lines.shape[0]):
        for q in range(starts[lines[p]], ends[lines[p]]):
            b = buf[q]
            if b == 0x3A or b == 0x7C or b == 0xE2:
                out[p] = True
                break
    return out


@njit(cache=True, nogil=True)
def fnv_spans(buf, starts, ends):
    """:func:`key_hash` of each ``buf[starts[i]:ends[i]]``."""
    out = np.empty(starts.shape[0], dtype=np.uint64)
    for i in range(out.shape[0]):
        h = uint64(FNV_OFFSET)
        for q in range(starts[i], ends[i]):
            h = _mix(h, buf[q])
        out[i] = h
    return out


def key_hashes(keys: list[str]) -> np.ndarray:
    """uint64 :func:`key_hash` of each key, in one kernel call."""
    parts = [k.encode("utf-8", "surrogatepass") for k in keys]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in parts], out=offsets[1:])
    return fnv_spans(np.frombuffer(b"".join(parts), dtype=np.uint8), offsets[:-1], offsets[1:])
