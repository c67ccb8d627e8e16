"""Shingling: text -> set of shingles -> 64-bit shingle hashes.

The spec is :func:`shingles` and :func:`shingle_hash`, a few lines of plain
Python. The fast path (:func:`dedup.shingling.shingle_hashes`, and the
signature kernels that call :func:`fill_hashes`) reads the text's UTF-8 once
in a numba kernel that normalises code point by code point (tables from
:mod:`dedup._kernels.unicode`),
tokenises and hashes, without a Python string per token or shingle. Tests
check it yields exactly ``{shingle_hash(s) for s in shingles(text)}`` for
arbitrary Unicode text.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from numba import njit, uint64

from .hashing import BASE, FNV_OFFSET, FNV_PRIME, MASK64, combine, fmix64_nb
from .unicode import MAPPED, UNSAFE, WORD

_TOKEN = re.compile(r"\w+")

# ---------------------------------------------------------------- reference


def normalize(text: str) -> str:
    """NFKC, then case folding: the normalisation every shingle sees.

    >>> normalize("Ｃafé ＝ CAFÉ … ﬁn")
    'café = café ... fin'
    """
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


def unit_hash(u: str) -> int:
    """FNV-1a (64-bit) over the code points of a word or character."""
    h = FNV_OFFSET
    for c in u:
        h = ((h ^ ord(c)) * FNV_PRIME) & MASK64
    return h


def shingle_hash(shingle: tuple[str, ...]) -> int:
    """The 64-bit hash of one shingle: :func:`dedup._kernels.hashing.combine` of its unit hashes."""
    return combine(unit_hash(u) for u in shingle)


# ---------------------------------------------------------------- fast path


def ascii_map(flags: np.ndarray, offset: np.ndarray, data: np.ndarray) -> np.ndarray:
    """int64[128]: each ASCII byte's normalised (lower-cased) code point if it
    is a word character, else -1: the kernels' fast path."""
    amap = np.full(128, -1, dtype=np.int64)
    for b in range(128):
        c = int(data[offset[b]]) if flags[b] & MAPPED else b
        if flags[c] & WORD:
            amap[b] = c
    return amap


# State slots of the resumable shingle scanner.
S_POS, S_TOTAL, S_IN_TOK, S_NTOK, S_DONE, S_UNSAFE, S_TOKHASH, S_ROLL = range(8)
STATE_SIZE = 8
ROOM = 64  # free output slots fill_hashes keeps before reading a code point


@njit(cache=True, inline="always")
def _push(ring, total, roll, top, value, n, out, cnt):
    """Slide the window by one unit; emit the window's hash once it is full.

    ``roll`` is the window's polynomial (see :func:`dedup._kernels.hashing.combine`) and
    ``top`` is BASE**(n-1), the weight of the unit that leaves.
    """
    mask = ring.shape[0] - 1
    if total >= n:
        roll -= ring[(total - n) & mask] * top
    roll = roll * uint64(BASE) + value
    ring[total & mask] = value
    total += 1
    if total >= n:
        out[cnt] = fmix64_nb(roll ^ uint64(n))
        cnt += 1
    return total, roll, cnt


@njit(cache=True, inline="always")
def decode_utf8(buf, pos):
    """(code point, size) of the UTF-8 sequence at ``buf[pos]`` (well formed:
    dedup encodes it itself, lone surrogates as three bytes)."""
    b0 = buf[pos]
    if b0 < 0x80:
        return np.int64(b0), 1
    if b0 < 0xE0:
        return (np.int64(b0 & 0x1F) << 6) | np.int64(buf[pos + 1] & 0x3F), 2
    if b0 < 0xF0:
        return (
            (np.int64(b0 & 0x0F) << 12) | (np.int64(buf[pos + 1] & 0x3F) << 6) | np.int64(buf[pos + 2] & 0x3F)
        ), 3
    return (
        (np.int64(b0 & 0x07) << 18)
        | (np.int64(buf[pos + 1] & 0x3F) << 12)
        | (np.int64(buf[pos + 2] & 0x3F) << 6)
        | np.int64(buf[pos + 3] & 0x3F)
    ), 4


@njit(cache=True, nogil=True)
def new_ring(n):
    """A ring buffer for the last ``n`` unit hashes (length a power of two)."""
    size = 1
    while size < n:
        size *= 2
    return np.zeros(size, dtype=np.uint64)


@njit(cache=True, nogil=True)
def reset_state(st, start):
    st[:] = 0
    st[S_POS] = start


@njit(cache=True, nogil=True)
def fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, out):
    """Write the next shingle hashes of the document ending at ``end`` to ``out``.

    Resumable: the scan position, the current token's hash and the last
    ``n`` unit hashes live in ``st`` and ``ring``, so a document of any length
    streams through a fixed ``out`` buffer (of more than ROOM slots). Returns
    how many hashes were written; sets ``st[S_DONE]`` when the document is
    exhausted, and also ``st[S_UNSAFE]`` (writing nothing more) if ``raw`` and
    it holds a code point that needs CPython's normalisation. Hashes may
    repeat (a shingle occurring twice is emitted twice).
    """
    fnv_offset = uint64(FNV_OFFSET)
    fnv_prime = uint64(FNV_PRIME)
    pos = st[S_POS]
    total = st[S_TOTAL]
    in_tok = st[S_IN_TOK]
    ntok = st[S_NTOK]
    tok = uint64(st[S_TOKHASH])
    roll = uint64(st[S_ROLL])
    top = uint64(1)
    for _ in range(n - 1):
        top *= uint64(BASE)
    space_unit = (fnv_offset ^ uint64(32)) * fnv_prime
    cap = out.shape[0]
    cnt = 0
    while cnt + ROOM <= cap:
        if char_mode and pos < end and buf[pos] < 0x80:
            # a run of ASCII bytes, each a unit (plus a space unit between tokens)
            while pos < end and cnt + 2 <= cap:
                b = buf[pos]
                if b >= 0x80:
                    break
                c = amap[b]
                pos += 1
                if c >= 0:
                    if in_tok == 0:
                        in_tok = 1
                        if ntok > 0:
                            total, roll, cnt = _push(ring, total, roll, top, space_unit, n, out, cnt)
                        ntok += 1
                    total, roll, cnt = _push(ring, total, roll, top, (fnv_offset ^ uint64(c)) * fnv_prime, n, out, cnt)
                else:
                    in_tok = 0
            continue
        if pos < end and buf[pos] < 0x80 and not char_mode:
            c = amap[buf[pos]]
            pos += 1
            if c >= 0:
                if in_tok == 0:
                    in_tok = 1
                    tok = fnv_offset
                    ntok += 1
                tok = (tok ^ uint64(c)) * fnv_prime
                while pos < end and buf[pos] < 0x80 and amap[buf[pos]] >= 0:
                    tok = (tok ^ uint64(amap[buf[pos]])) * fnv_prime
                    pos += 1
            elif in_tok == 1:
                in_tok = 0
                total, roll, cnt = _push(ring, total, roll, top, tok, n, out, cnt)
            continue
        if pos >= end:
            if in_tok == 1 and not char_mode:
                total, roll, cnt = _push(ring, total, roll, top, tok, n, out, cnt)
            in_tok = 0
            if 0 < total < n:
                out[cnt] = fmix64_nb(roll ^ uint64(total))
                cnt += 1
            st[S_DONE] = 1
            break
        cp, size = decode_utf8(buf, pos)
        pos += size
        f = flags[cp]
        k = 1
        if raw and f & (MAPPED | UNSAFE):
            if f & UNSAFE:
                st[S_UNSAFE] = 1
                st[S_DONE] = 1
                cnt = 0
                break
            if f & MAPPED:
                k = np.int64(mlen[cp])
        for q in range(k):
            c = cp
            if k != 1 or (raw and f & MAPPED):
                c = np.int64(mdata[moff[cp] + q])
            if flags[c] & WORD:
                if in_tok == 0:
                    in_tok = 1
                    tok = fnv_offset
                    if char_mode and ntok > 0:
                        total, roll, cnt = _push(ring, total, roll, top, (fnv_offset ^ uint64(32)) * fnv_prime, n, out, cnt)
                    ntok += 1
                if char_mode:
                    total, roll, cnt = _push(ring, total, roll, top, (fnv_offset ^ uint64(c)) * fnv_prime, n, out, cnt)
                else:
                    tok = (tok ^ uint64(c)) * fnv_prime
            elif in_tok == 1:
                in_tok = 0
                if not char_mode:
                    total, roll, cnt = _push(ring, total, roll, top, tok, n, out, cnt)
    st[S_POS] = pos
    st[S_TOTAL] = total
    st[S_IN_TOK] = in_tok
    st[S_NTOK] = ntok
    st[S_TOKHASH] = np.int64(tok)
    st[S_ROLL] = np.int64(roll)
    return cnt


@njit(cache=True, nogil=True)
def all_hashes(buf, start, end, flags, moff, mlen, mdata, amap, raw, n, char_mode):
    """Every shingle hash of one document (with repeats), or None if unsafe."""
    st = np.zeros(STATE_SIZE, dtype=np.int64)
    reset_state(st, start)
    ring = new_ring(n)
    out = np.empty((end - start) // 4 + 4 * ROOM, dtype=np.uint64)
    cnt = 0
    while st[S_DONE] == 0:
        if out.shape[0] - cnt < 2 * ROOM:
            grown = np.empty(2 * out.shape[0], dtype=np.uint64)
            grown[:cnt] = out[:cnt]
            out = grown
        cnt += fill_hashes(buf, end, flags, moff, mlen, mdata, amap, raw, n, char_mode, st, ring, out[cnt:])
    if st[S_UNSAFE] == 1:
        return None
    return out[:cnt]


@njit(cache=True, nogil=True)
def unit_table(amap):
    """uint64[128]: each ASCII byte's character unit hash (:func:`unit_hash` of
    its normalised character), or 0 where it is not a word character (a unit
    hash is never 0: FNV's multiply by an odd prime is a bijection)."""
    out = np.zeros(128, dtype=np.uint64)
    for b in range(128):
        if amap[b] >= 0:
            out[b] = (uint64(FNV_OFFSET) ^ uint64(amap[b])) * uint64(FNV_PRIME)
    return out


@njit(cache=True, inline="always")
def item_char_hashes(buf, pos, end, flags, moff, mlen, mdata, uval, raw, n, ring, out, cnt, reserve):
    """Append the character shingle hashes of ``buf[pos:end]`` (what
    :func:`fill_hashes` emits with ``char_mode``, without its resumable state) to
    ``out[cnt:]``, which must have room for two per byte; ``reserve`` more
    slots are kept free. Returns (count, ok): not ok when the item needs
    CPython's normalisation, or expands past the room (ligatures); the caller
    then redoes it through the general path."""
    fnv_offset = uint64(FNV_OFFSET)
    fnv_prime = uint64(FNV_PRIME)
    space_unit = (fnv_offset ^ uint64(32)) * fnv_prime
    top = uint64(1)
    for _ in range(n - 1):
        top *= uint64(BASE)
    mask = ring.shape[0] - 1
    nn = uint64(n)
    base = uint64(BASE)
    cap = out.shape[0]
    total = 0
    roll = uint64(0)
    in_tok = False
    ntok = 0
    while pos < end:
        b0 = buf[pos]
        if b0 < 0x80:  # ASCII: at most two units per byte
            v = uval[b0]
            pos += 1
        else:
            cp, size = decode_utf8(buf, pos)
            f = flags[cp]
            if raw and f & (MAPPED | UNSAFE):
                # mapped (case, compatibility form) or unsafe: the general path
                if cap - cnt < 2 * (end - pos) + reserve + 64:
                    return cnt, False
                if f & UNSAFE:
                    return cnt, False
                pos += size
                k = np.int64(mlen[cp]) if f & MAPPED else 1
                for q in range(k):
                    c = np.int64(mdata[moff[cp] + q]) if f & MAPPED else cp
                    if not (flags[c] & WORD):
                        in_tok = False
                        continue
                    if not in_tok:
                        in_tok = True
                        if ntok > 0:
                            total, roll, cnt = _push(ring, total, roll, top, space_unit, n, out, cnt)
                        ntok += 1
                    total, roll, cnt = _push(ring, total, roll, top, (fnv_offset ^ uint64(c)) * fnv_prime, n, out,
                                             cnt)
                continue
            # a character that is its own normalisation: one unit or none
            pos += size
            v = (fnv_offset ^ uint64(cp)) * fnv_prime if f & WORD else uint64(0)
        if v == 0:
            in_tok = False
            continue
        # the window update is written out by hand (space unit, then the
        # character): a helper taking the arrays costs a third of this
        # loop's speed
        if not in_tok:
            in_tok = True
            if ntok > 0:
                if total >= n:
                    roll -= ring[(total - n) & mask] * top
                roll = roll * base + space_unit
                ring[total & mask] = space_unit
                total += 1
                if total >= n:
                    out[cnt] = fmix64_nb(roll ^ nn)
                    cnt += 1
            ntok += 1
        if total >= n:
            roll -= ring[(total - n) & mask] * top
        roll = roll * base + v
        ring[total & mask] = v
        total += 1
        if total >= n:
            out[cnt] = fmix64_nb(roll ^ nn)
            cnt += 1
    if 0 < total < n:
        out[cnt] = fmix64_nb(roll ^ uint64(total))
        cnt += 1
    return cnt, True


@njit(cache=True, nogil=True)
def char_hashes(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n):
    """Character shingle hashes of every item in one pass: the fast path for
    many short items. Returns (flat, offsets, unsafe); an unsafe item (one
    needing CPython's normalisation, or expanding past the buffer) is left
    empty for the caller to redo."""
    m = starts.shape[0]
    total_bytes = 0
    for d in range(m):
        total_bytes += ends[d] - starts[d]
    after = np.zeros(m, dtype=np.int64)  # bytes of the items after each one
    for d in range(m - 2, -1, -1):
        after[d] = after[d + 1] + ends[d + 1] - starts[d + 1]
    flat = np.empty(2 * total_bytes + 128, dtype=np.uint64)  # ASCII bytes give at most two units each
    offs = np.zeros(m + 1, dtype=np.int64)
    unsafe = np.zeros(m, dtype=np.bool_)
    ring = new_ring(n)
    uval = unit_table(amap)
    cnt = 0
    for d in range(m):
        got, ok = item_char_hashes(buf, starts[d], ends[d], flags, moff, mlen, mdata, uval, raw, n, ring, flat, cnt,
                              2 * after[d])
        if ok:
            cnt = got
        else:
            unsafe[d] = True
        offs[d + 1] = cnt
    return flat[:cnt], offs, unsafe


def reference_prefix_exceeds(text: str, limit: int, bound: int, ngram: int) -> bool:
    """Spec of :func:`prefix_exceeds`: does the longest prefix of ``text``
    within ``limit`` UTF-8 bytes have more than ``bound`` distinct character
    shingles? Its shingles (of ``ngram`` units each) are all shingles of the
    whole text too, so then the whole text has more than ``bound``.
    """
    found = {s for s in shingles(utf8_prefix(text, limit), ngram, "char") if len(s) == ngram}
    return len(found) > bound


def utf8_prefix(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 is at most ``limit`` bytes.

    >>> utf8_prefix("café au lait", 4)
    'caf'
    """
    data = text.encode("utf-8", "surrogatepass")
    cut = min(limit, len(data))
    while 0 < cut < len(data) and data[cut] & 0xC0 == 0x80:  # not inside a character
        cut -= 1
    return data[:cut].decode("utf-8", "surrogatepass")


@njit(cache=True, nogil=True)
def prefix_exceeds_nb(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, limit, bound):
    """Per item: whether the first ``limit`` bytes (cut back to a character
    boundary) hold more than ``bound`` distinct character shingles. Items the
    kernel cannot normalise alone (or that expand past the room) give False:
    they are never skipped.

    Distinct hashes are first counted as the bits they set in a bitmap
    (hashes that share a bit count once, so the count never exceeds the true
    one); only when that count does not settle it are they sorted.
    """
    out = np.zeros(starts.shape[0], dtype=np.bool_)
    scratch = np.empty(2 * limit + 4 * ROOM, dtype=np.uint64)
    words = 64
    while words * 64 < 16 * bound:
        words *= 2
    bits = np.zeros(words, dtype=np.uint64)
    wmask = words - 1
    ring = new_ring(n)
    uval = unit_table(amap)
    for d in range(starts.shape[0]):
        start, end = starts[d], ends[d]
        if end - start > limit:
            end = start + limit
            while end > start and (buf[end] & 0xC0) == 0x80:  # not inside a character
                end -= 1
        cnt, ok = item_char_hashes(buf, start, end, flags, moff, mlen, mdata, uval, raw, n, ring, scratch, 0, 0)
        if not ok or cnt <= bound:
            continue
        distinct = 0
        for t in range(cnt):
            h = scratch[t]
            w = np.int64((h >> uint64(6)) & uint64(wmask))
            bit = uint64(1) << (h & uint64(63))
            distinct += (bits[w] & bit) == 0
            bits[w] |= bit
        for t in range(cnt):
            bits[np.int64((scratch[t] >> uint64(6)) & uint64(wmask))] = 0
        if distinct <= bound:  # repeats or shared bits: count exactly (rare)
            seg = np.sort(scratch[:cnt])
            distinct = 1
            for t in range(1, cnt):
                distinct += seg[t] != seg[t - 1]
        out[d] = distinct > bound
    return out


