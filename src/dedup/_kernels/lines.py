"""Kernels of paragraph splitting and exact-copy checks.

Spec: ``tests/naive.py`` (``spec_lines``) and the ``spec_blank`` of
``tests/test_paragraphs.py``, compared by exact equality.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .spaces import space_at


@njit(cache=True, nogil=True)
def split_lines(buf, starts, ends, breaks):
    """Every non-blank line of every document.

    ``breaks``: the sorted positions of every line break byte (\\n, \\r)
    in ``buf``. Returns arrays per line: document, block (lines with no
    blank line between them share a block; numbered across the batch), byte
    span and character span (characters counted from the document's start)
    of the line trimmed of whitespace. Characters are counted as the bytes
    that do not continue a UTF-8 sequence; only a line's ends are decoded.
    """
    cap = 16 + starts.shape[0]
    doc = np.empty(cap, dtype=np.int64)
    block = np.empty(cap, dtype=np.int64)
    b0 = np.empty(cap, dtype=np.int64)
    b1 = np.empty(cap, dtype=np.int64)
    c0 = np.empty(cap, dtype=np.int64)
    c1 = np.empty(cap, dtype=np.int64)
    n = 0
    blk = 0
    nb = breaks.shape[0]
    j = 0  # the first break at or after pos
    for d in range(starts.shape[0]):
        pos = starts[d]
        end = ends[d]
        ch = 0  # characters before pos
        blk += 1
        blank_since = False
        while True:
            while j < nb and breaks[j] < pos:
                j += 1
            # the line [pos, q) and its continuation bytes
            q = breaks[j] if j < nb and breaks[j] < end else end
            cont = 0
            for t in range(pos, q):
                cont += (buf[t] & 0xC0) == 0x80
            # trim: leading white space, then trailing
            a = pos
            ca = ch
            while a < q:
                sp, size = space_at(buf, a)
                if not sp:
                    break
                a += size
                ca += 1
            cq = ch + (q - pos) - cont
            if a < q:
                e = q
                ce = cq
                while True:
                    s = e - 1
                    while (buf[s] & 0xC0) == 0x80:
                        s -= 1
                    sp, size = space_at(buf, s)
                    if not sp:
                        break
                    e = s
                    ce -= 1
                if blank_since:
                    blk += 1
                    blank_since = False
                if n == cap:
                    cap *= 2
                    doc = grow(doc, cap)
                    block = grow(block, cap)
                    b0 = grow(b0, cap)
                    b1 = grow(b1, cap)
                    c0 = grow(c0, cap)
                    c1 = grow(c1, cap)
                doc[n] = d
                block[n] = blk
                b0[n] = a
                b1[n] = e
                c0[n] = ca
                c1[n] = ce
                n += 1
            elif n > 0 and doc[n - 1] == d:
                blank_since = True
            if q >= end:
                break
            # the line break: \r\n, \r or \n
            if buf[q] == 13 and q + 1 < end and buf[q + 1] == 10:
                pos = q + 2
                ch = cq + 2
            else:
                pos = q + 1
                ch = cq + 1
    return doc[:n], block[:n], b0[:n], b1[:n], c0[:n], c1[:n]


@njit(cache=True, nogil=True)
def grow(arr, cap):
    out = np.empty(cap, dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@njit(cache=True, nogil=True)
def same_bytes(buf, starts, ends, a, b):
    """Whether items ``a[p]`` and ``b[p]`` are the same bytes (so the same text)."""
    out = np.zeros(a.shape[0], dtype=np.bool_)
    for p in range(a.shape[0]):
        s, t = starts[a[p]], starts[b[p]]
        size = ends[a[p]] - s
        if size != ends[b[p]] - t:
            continue
        q = 0
        while q < size and buf[s + q] == buf[t + q]:
            q += 1
        out[p] = q == size
    return out
