import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from naive import candidates

from dedup._engine.buckets import BucketTable
from dedup.lsh import candidate_probability, choose_bands


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_chosen_layout_finds_99_percent_just_above_threshold(threshold, num_perm):
    bands, rows = choose_bands(threshold, num_perm)
    assert bands * rows <= num_perm
    assert candidate_probability(min(1.0, threshold + 0.02), bands, rows) >= 0.99


def test_layout_beats_datasketch_default_at_0_8():
    assert choose_bands(0.8, 128) == (18, 7)
    assert candidate_probability(0.82, 9, 13) < 0.51  # datasketch's 9 x 13


@given(st.lists(st.lists(st.integers(1, 6), min_size=3, max_size=3), max_size=60), st.integers(1, 7))
def test_bucket_table_equals_naive_first_and_last(rows, split):
    keys = np.array(rows, dtype=np.uint64).reshape(-1, 3) if rows else np.zeros((0, 3), np.uint64)
    keys = keys + np.arange(3, dtype=np.uint64) * np.uint64(100)  # a key per band
    expected = candidates([[(int(k),) for k in row] for row in keys])
    table = BucketTable(capacity=1)  # forces growth
    got = []
    for lo in range(0, len(keys), split):  # batch boundaries must not matter
        cand, ncand = table.candidates(keys[lo : lo + split], np.arange(lo, min(lo + split, len(keys))), True)
        got += [list(cand[d, : ncand[d]]) for d in range(len(ncand))]
    assert got == expected


def test_a_template_shared_by_many_documents_costs_two_candidates_each():
    n, b = 100_000, 18
    keys = np.tile(np.arange(1, b + 1, dtype=np.uint64), (n, 1))  # every document in every bucket
    table = BucketTable()
    cand, ncand = table.candidates(keys, np.arange(n), True)
    assert ncand.max() == 2 and table.size == b
    assert set(cand[n - 1, :2]) == {0, n - 2}


@given(st.lists(st.lists(st.integers(1, 6), min_size=3, max_size=3), max_size=40))
def test_band_at_a_time_lookup_equals_the_shared_table(rows):
    """The one-shot band-major lookup gives each row the candidates, in the
    order, that inserting the rows one by one into a BucketTable gives."""
    from dedup._kernels.lsh import lookup_banded as _lookup_banded

    keys = np.array(rows, dtype=np.uint64).reshape(-1, 3)
    keys += np.arange(3, dtype=np.uint64) * np.uint64(100)  # a key belongs to one band
    ids = np.arange(len(keys), dtype=np.int32) * 3 + 7
    table = BucketTable(capacity=1)
    want, nwant = table.candidates(keys, ids, insert=True)
    got = np.empty_like(want)
    ngot = np.zeros(len(keys), dtype=np.int64)
    _lookup_banded(keys, ids, got, ngot)
    assert ngot.tolist() == nwant.tolist()
    assert all(got[d, : ngot[d]].tolist() == want[d, : nwant[d]].tolist() for d in range(len(keys)))


@given(
    st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), max_size=40),
    st.lists(st.integers(0, 2), max_size=40),
    st.booleans(),
)
def test_filtered_candidates_equal_prefiltering_the_candidates(rows, groups, grouped):
    """candidate_pairs(filtered=True) keeps exactly the pairs prefilter keeps, in order."""
    from dedup._engine.candidates import candidate_pairs, prefilter
    from dedup._engine.candidates import prefilter_floor as _prefilter_floor
    from dedup.config import Config

    cfg = Config(num_perm=8, bands=4, rows=2, threshold=0.9)
    assert _prefilter_floor(cfg) * 8 > 3  # pairs agreeing in 3 of 8 places or fewer are dropped
    sig = np.array(rows, dtype=np.uint32).reshape(-1, 8)
    counts = np.array([(i % 5) for i in range(len(sig))], dtype=np.int64)  # some items without shingles
    g = None
    if grouped:
        g = np.sort(np.array((groups + [0] * len(sig))[: len(sig)], dtype=np.int64))
    d, o = candidate_pairs(sig, counts, cfg, g)
    want = prefilter(sig, d, o, cfg)
    got = candidate_pairs(sig, counts, cfg, g, filtered=True)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


@given(
    st.lists(st.lists(st.integers(1, 300), max_size=90), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30),
    st.booleans(),
)
def test_exact_jaccard_kernel_equals_python_sets(sets, pairs, grouped):
    """Pairs in runs of the same first item reuse its table; the result is
    still each pair's set Jaccard (multisets taken as sets, growth mid-run)."""
    from dedup._kernels.sets import jaccard_pairs as _jaccard_pairs

    pairs = [(a % len(sets), b % len(sets)) for a, b in pairs]
    if grouped:
        pairs.sort(key=lambda p: p[0])
    flat = np.array([h * 64 for s in sets for h in s], dtype=np.uint64)  # same slot bits: long probe chains
    offs = np.cumsum([0] + [len(s) for s in sets]).astype(np.int64)
    ia = np.array([a for a, _ in pairs], dtype=np.int64)
    ib = np.array([b for _, b in pairs], dtype=np.int64)
    got = _jaccard_pairs(flat, offs, ia, flat, offs, ib).tolist()
    want = []
    for a, b in pairs:
        sa, sb = set(sets[a]), set(sets[b])
        want.append(len(sa & sb) / len(sa | sb) if sa | sb else 0.0)
    assert got == want
