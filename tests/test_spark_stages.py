"""The Spark pipeline's stages, without Spark: each equals its plain-Python
spec or the local engine, on arbitrary input and however it is split into
batches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config
from dedup._engine.buckets import star_chain_pairs
from dedup._engine.clusters import forest_roots, pointer_jump
from dedup._engine.signatures import compute
from dedup._engine.verify import exact_for_texts

pa = pytest.importorskip("pyarrow")
from dedup.spark import stages


def naive_star_chain(records: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spec: records sorted by (key, doc); each member after a bucket's
    first is paired with the first and with the member before it."""
    pairs, first, prev = set(), {}, {}
    for k, d in sorted(records):
        if k in first:
            pairs |= {(d, first[k]), (d, prev[k])}
        else:
            first[k] = d
        prev[k] = d
    return pairs


records = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40)), max_size=60, unique=True)


@given(records, st.lists(st.integers(1, 7), min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_star_chain_pairs_equal_the_spec_however_the_run_is_sliced(recs, cuts):
    recs = sorted(recs)
    key = np.array([k for k, _ in recs], dtype=np.uint64)
    doc = np.array([d for _, d in recs], dtype=np.int64)
    got: set[tuple[int, int]] = set()
    carry, lo = None, 0
    for size in [*cuts, len(recs)]:
        d, c, carry = star_chain_pairs(key[lo : lo + size], doc[lo : lo + size], carry)
        got |= set(zip(d.tolist(), c.tolist()))
        lo += size
        if lo >= len(recs):
            break
    assert got == naive_star_chain(recs)


def test_star_chain_pairs_of_a_bucket_of_a_million_are_two_per_member():
    n = 1_000_000
    d, c, _ = star_chain_pairs(np.full(n, 7, dtype=np.uint64), np.arange(n))
    assert len(d) == 2 * (n - 1)
    assert set(np.unique(c[: n - 1]).tolist()) == {0}


@given(st.lists(st.integers(0, 1000), max_size=80))
@settings(max_examples=300, deadline=None)
def test_pointer_jump_gives_the_forest_roots(raw):
    # each item points to itself or to an earlier item
    parent = np.array([i if r % 3 == 0 or i == 0 else r % i for i, r in enumerate(raw)], dtype=np.int64)
    best = {i: (int(p), 1.0) for i, p in enumerate(parent.tolist()) if p != i}
    roots, rounds = pointer_jump(parent)
    assert roots.tolist() == forest_roots(len(parent), best).tolist()
    depth = 0
    for i in range(len(parent)):
        d, j = 0, i
        while parent[j] != j:
            j, d = parent[j], d + 1
        depth = max(depth, d)
    assert rounds <= max(1, depth).bit_length() + 1


def test_pointer_jump_of_a_long_chain_takes_log_rounds():
    roots, rounds = pointer_jump(np.maximum(np.arange(1 << 12) - 1, 0))
    assert roots.tolist() == [0] * (1 << 12)
    assert rounds == 13


TEXTS = ["the cat sat on the mat today", "", "ｆｕｌｌ ｗｉｄｔｈ text here and there", "日本語のテキストです。" * 3,
         "e\u0301 combining accents in this text", "the cat sat on the mat today!"]


def batch(**cols) -> pa.RecordBatch:
    return pa.record_batch({k: pa.array(v) for k, v in cols.items()})


def test_sign_gives_the_engine_signatures_and_keys_of_texts_with_shingles():
    cfg = Config(ngram=3)
    (out,) = list(stages.sign(cfg)([batch(rank=list(range(len(TEXTS))), text=TEXTS)]))
    sig, counts = compute(TEXTS, cfg)
    assert np.array_equal(stages.fixed_rows(out.column("sig"), np.uint32, cfg.num_perm), sig)
    keys = out.column("keys").to_pylist()
    assert [len(k) > 0 for k in keys] == (counts > 0).tolist()


def test_estimate_and_exact_equal_the_engine():
    cfg = Config(ngram=3)
    sig, _ = compute(TEXTS, cfg)
    doc, cand = np.array([5, 3, 5, 2]), np.array([0, 2, 4, 0])
    b = pa.RecordBatch.from_arrays(
        [pa.array(doc), pa.array(cand), stages.binary_rows(sig[doc]), stages.binary_rows(sig[cand])],
        names=["doc", "cand", "sig_doc", "sig_cand"])
    (est,) = list(stages.estimate(cfg)([b.slice(0, 4)]))
    assert est.column("same").to_pylist() == (sig[doc] == sig[cand]).sum(axis=1).tolist()
    texts = batch(doc=doc.tolist(), cand=cand.tolist(), text_doc=[TEXTS[i] for i in doc], text_cand=[TEXTS[i] for i in cand])
    (ex,) = list(stages.exact(cfg)([texts]))
    assert ex.column("sim").to_pylist() == exact_for_texts(TEXTS, doc, cand, cfg.ngram, cfg.unit).tolist()


def test_fixed_rows_reads_a_sliced_binary_column():
    values = np.arange(24, dtype=np.uint32).reshape(6, 4)
    col = stages.binary_rows(values).slice(2, 3)
    assert np.array_equal(stages.fixed_rows(col, np.uint32, 4), values[2:5])


def test_ranks_continue_across_batches_from_the_partition_offset():
    (counted,) = list(stages.rank_counts(lambda: 3)([batch(id=[1, 2]), batch(id=[3])]))
    assert counted.to_pydict() == {"part": [3], "n": [3]}
    out = list(stages.add_ranks({3: 10}, lambda: 3)([batch(id=["a", "b"]), batch(id=["c"])]))
    assert [b.column("rank").to_pylist() for b in out] == [[10, 11], [12]]


def test_without_pyspark_the_error_names_the_install(monkeypatch):
    import sys

    import dedup.spark as ds

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ImportError, match=r"^dedup.spark needs pyspark, pyarrow and pandas; run: "
                                          r"pip install 'dedup-text\[spark\]'$"):
        ds.find_duplicates(None)
