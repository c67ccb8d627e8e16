"""Per-code-point tables that let a kernel normalise text as the spec does.

The spec normalises with ``unicodedata.normalize("NFKC", text).casefold()``.
NFKC is not per character in general (combining marks reorder and compose),
but for text made only of *safe* code points it is: a code point is safe
when every character of its NFKC form is a starter (combining class 0) that
can never be the second half of a canonical composition. Then

    NFKC(text).casefold() == "".join(NFKC(c).casefold() for c in text)

so a kernel can map code point by code point. Ordinary text (ASCII, accented
Latin in composed form, curly quotes, no-break spaces, ellipses, full-width
punctuation, CJK, Cyrillic, Greek, Arabic) is all safe; a document with an
unsafe code point (decomposed accents, Hangul jamo, some Indic vowel signs)
is normalised by CPython instead, with the same result.

Tables (:func:`build`, about 1 s; cached on disk by :mod:`dedup._engine.tables`):
    flags[cp]: bit 0 = ``\\w`` matches cp, bit 1 = cp maps to something else,
               bit 2 = cp is unsafe, bit 3 = ``\\d`` matches cp
    offset[cp], length[cp]: where ``NFKC(cp).casefold()`` lies in ``data``
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

WORD, MAPPED, UNSAFE, DIGIT = 1, 2, 4, 8
TABLE_VERSION = 2  # bump when build() changes: the disk cache (dedup._engine.tables) is keyed on it


def build() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = 0x110000
    flags = np.zeros(n, dtype=np.uint8)
    every = "".join(map(chr, range(n)))
    word = "".join(re.findall(r"\w", every))
    flags[np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32)] |= WORD
    digits = "".join(re.findall(r"\d", every))
    flags[np.frombuffer(digits.encode("utf-32-le"), dtype=np.uint32)] |= DIGIT
    second = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo
    for cp in range(n):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                second.add(int(parts[1], 16))
    offset = np.zeros(n, dtype=np.int32)
    length = np.zeros(n, dtype=np.uint8)
    data: list[int] = []
    normalize, combining = unicodedata.normalize, unicodedata.combining
    for cp in range(n):
        c = chr(cp)
        nf = normalize("NFKC", c)
        if any(combining(x) or ord(x) in second for x in nf):
            flags[cp] |= UNSAFE
            continue
        folded = nf.casefold()
        if folded != c:
            flags[cp] |= MAPPED
            offset[cp] = len(data)
            length[cp] = len(folded)
            data.extend(map(ord, folded))
    return flags, offset, length, np.array(data, dtype=np.uint32)
