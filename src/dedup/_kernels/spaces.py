"""White space, as the kernels see it: the one table.

A code point is white space when ``str.isspace`` says so (``\\t \\n \\v \\f
\\r``, the file/group/record/unit separators 0x1C-0x1F, space, NEL, no-break
space, the Unicode spaces and line/paragraph separators). Spec: the tests
compare :func:`is_space` with ``chr(cp).isspace()`` for every code point.
"""

from __future__ import annotations

from numba import njit

from .shingling import decode_utf8


@njit(cache=True, inline="always")
def is_space(cp):
    if cp < 0x80:
        return cp == 32 or (9 <= cp <= 13) or (0x1C <= cp <= 0x1F)
    return (
        cp == 0x85 or cp == 0xA0 or cp == 0x1680 or (0x2000 <= cp <= 0x200A)
        or cp == 0x2028 or cp == 0x2029 or cp == 0x202F or cp == 0x205F or cp == 0x3000
    )


@njit(cache=True, inline="always")
def space_at(buf, pos):
    """(is the character at ``buf[pos]`` white space, its size in bytes)."""
    b = buf[pos]
    if b < 0x80:
        return is_space(b), 1
    cp, size = decode_utf8(buf, pos)
    return is_space(cp), size
