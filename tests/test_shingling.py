import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import texts

from dedup._engine.scanner import Scanner
from dedup._engine.tables import tables
from dedup._kernels import hashing as _hash
from dedup._kernels.shingling import all_hashes as _all_hashes
from dedup._kernels.shingling import utf8_prefix
from dedup._kernels.unicode import MAPPED, UNSAFE
from dedup.shingling import normalize, shingle_hash, shingle_hashes, shingles


def reference(text, ngram, unit):
    return sorted({shingle_hash(s) for s in shingles(text, ngram, unit)})


@given(texts, st.integers(1, 6), st.sampled_from(["word", "char"]))
def test_fast_path_hashes_exactly_the_reference_shingles(text, ngram, unit):
    assert [int(h) for h in shingle_hashes(text, ngram, unit)] == reference(text, ngram, unit)


@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=8))
def test_combine_is_a_python_int_polynomial(values):
    h = 0
    for v in values:
        h = (h * _hash.BASE + v) % 2**64
    assert _hash.combine(values) == _hash.fmix64(h ^ len(values))


@given(st.integers(0, (1 << 64) - 1))
def test_fmix64_kernel_matches_python(x):
    assert int(_hash.fmix64_nb(np.uint64(x))) == _hash.fmix64(x)


def test_reference_shingles_by_example():
    assert shingles("") == set()
    assert shingles("¡¿ — …") == set()
    assert shingles("Ｈello, WORLD") == {("hello", "world")}
    assert shingles("a b c d e f", ngram=5) == {("a", "b", "c", "d", "e"), ("b", "c", "d", "e", "f")}
    assert shingles("ab cd", ngram=3, unit="char") == {("a", "b", " "), ("b", " ", "c"), (" ", "c", "d")}
    assert shingles("Straße STRASSE", ngram=1) == {("strasse",)}


@pytest.mark.parametrize(
    "text",
    [
        "“Curly quotes”, ‘single’ — dashes – and… ellipses",
        "Café naïve façade Zürich São Paulo Øresund Åland",
        "« Bonjour\u00a0» dit-il ; c’est l’été.",
        "東京タワーは高い。北京，上海、广州；",
        "ΣΊΣΥΦΟΣ and Дмитрий and ＦＵＬＬ－ＷＩＤＴＨ ９",
        "ﬁnance ½ x² Ⅻ",
    ],
)
def test_ordinary_non_ascii_text_is_normalised_in_the_kernel(text):
    buf, starts, ends, flags, moff, mlen, mdata, amap, raw = Scanner([text]).args()
    assert raw
    out = _all_hashes(buf, starts[0], ends[0], flags, moff, mlen, mdata, amap, raw, 5, False)
    assert out is not None, "fell back to CPython's normalisation"
    assert sorted({int(h) for h in out}) == reference(text, 5, "word")


@pytest.mark.parametrize("text", ["cafe\u0301 menu", "한국 \u1112\u1161\u11ab", "e\u0308\u0301x"])
def test_unsafe_text_falls_back_and_still_matches_the_spec(text):
    buf, starts, ends, flags, moff, mlen, mdata, amap, raw = Scanner([text]).args()
    assert _all_hashes(buf, starts[0], ends[0], flags, moff, mlen, mdata, amap, raw, 5, False) is None
    assert [int(h) for h in shingle_hashes(text, 2)] == reference(text, 2, "word")


def test_lone_surrogates_are_text_not_errors():
    text = "abc \ud800 def \udfff ghi"
    assert [int(h) for h in shingle_hashes(text, 2)] == reference(text, 2, "word")


def test_tables_map_safe_code_points_like_the_spec():
    flags, offset, length, data = tables()
    rng = np.random.default_rng(0)
    safe = np.flatnonzero((flags & UNSAFE) == 0)
    for _ in range(300):
        cps = rng.choice(safe, 6)
        text = "".join(map(chr, cps))
        mapped = "".join(
            "".join(map(chr, data[offset[c] : offset[c] + length[c]])) if flags[c] & MAPPED else chr(c)
            for c in cps
        )
        assert mapped == unicodedata.normalize("NFKC", text).casefold() == normalize(text)


def test_long_document_streams_through_chunks():
    words = " ".join(f"w{i % 9000}" for i in range(20000))
    assert [int(h) for h in shingle_hashes(words)] == reference(words, 5, "word")


def test_non_str_is_a_type_error():
    with pytest.raises(TypeError, match="text must be str, got bytes"):
        shingle_hashes(b"abc")


@given(texts, st.integers(1, 5), st.sampled_from(["word", "char"]), st.integers(0, 40))
def test_scanner_resumes_at_every_output_boundary(text, ngram, unit, extra):
    """Stream one document through an output buffer barely above ROOM slots."""
    from dedup._kernels.shingling import ROOM, STATE_SIZE
    from dedup._kernels.shingling import S_DONE as _DONE
    from dedup._kernels.shingling import S_UNSAFE as _UNSAFE
    from dedup._kernels.shingling import fill_hashes as _fill
    from dedup._kernels.shingling import new_ring as _ring
    from dedup._kernels.shingling import reset_state as _start

    text = text * 3  # longer, with repeats
    for raw in (True, False):
        buf, _starts, ends, flags, moff, mlen, mdata, amap, raw = Scanner([text], raw).args()
        st = np.zeros(STATE_SIZE, dtype=np.int64)
        _start(st, 0)
        ring = _ring(ngram)
        out = np.empty(ROOM + 1 + extra, dtype=np.uint64)
        got = []
        while st[_DONE] == 0:
            c = _fill(buf, ends[0], flags, moff, mlen, mdata, amap, raw, ngram, unit == "char", st, ring, out)
            got += [int(h) for h in out[:c]]
        if st[_UNSAFE]:
            assert raw
            continue
        assert sorted(set(got)) == reference(text, ngram, unit)
        break


@given(st.lists(texts, max_size=5), st.integers(1, 6))
def test_batch_char_hasher_equals_reference(batch, ngram):
    from dedup._kernels.shingling import char_hashes as _char_hashes

    flat, offs, unsafe = _char_hashes(*Scanner(batch).args(), ngram)
    for i, text in enumerate(batch):
        if unsafe[i]:
            assert offs[i + 1] == offs[i]
            assert [int(h) for h in shingle_hashes(text, ngram, "char")] == reference(text, ngram, "char")
        else:
            assert sorted({int(h) for h in flat[offs[i] : offs[i + 1]]}) == reference(text, ngram, "char")


@given(st.lists(texts, min_size=1, max_size=6), st.integers(0, 120), st.integers(1, 40), st.sampled_from([2, 4, 5]))
def test_prefix_distinct_shingle_check_equals_the_spec(items, limit, bound, ngram):
    """The kernel that lets strip skip long lines: True exactly where the
    spec is (False where the kernel defers to CPython), and never True
    unless the whole text has more than ``bound`` distinct shingles."""
    from dedup._engine.hashsets import prefix_exceeds
    from dedup._kernels.shingling import reference_prefix_exceeds

    got = prefix_exceeds(Scanner(items), limit, bound, ngram).tolist()
    for text, g in zip(items, got):
        want = reference_prefix_exceeds(text, limit, bound, ngram)
        if g:
            assert want
            assert len({s for s in shingles(text, ngram, "char") if len(s) == ngram}) > bound
        elif want:  # only where the prefix needs CPython's normalisation
            buf, starts, ends, *rest = Scanner([utf8_prefix(text, limit)]).args()
            assert _all_hashes(buf, starts[0], ends[0], *rest, ngram, True) is None


def test_prefix_distinct_shingle_check_by_example():
    from dedup._engine.hashsets import prefix_exceeds
    from dedup._kernels.shingling import reference_prefix_exceeds

    long_line = "A long paragraph of ordinary words that goes on and on, well past any credit line. " * 3
    items = [long_line, "ha " * 200, "Mandatory credit: Reuters", "é" * 300]
    got = prefix_exceeds(Scanner(items), 60, 30, 4).tolist()
    assert got == [True, False, False, False]
    assert got == [reference_prefix_exceeds(t, 60, 30, 4) for t in items]
    with pytest.raises(ValueError, match="bound must be at least 1, got 0"):
        prefix_exceeds(Scanner(items), 60, 0, 4)
