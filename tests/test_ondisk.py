"""Out-of-core dedup gives exactly what the in-memory path gives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import drifting

import dedup
from dedup import OnDisk

BASE = [
    "The quick brown fox jumps over the lazy dog near the river bank today.",
    "Heavy rain flooded several roads in the north of the country overnight, officials said.",
    "東京タワーに行きました。とても高くて、景色がきれいでした。",
    "Ünïcödé façade “quoted” text… with accents and dashes — everywhere in it.",
    "",
]
EDITS = [lambda t: t, lambda t: t.upper(), lambda t: t + " Extra words here.", lambda t: t.replace("the", "a"),
         lambda t: t[: len(t) // 2]]


def run(texts, cfg, batch, sort_bytes, span=1 << 16):
    """OnDisk's answer, with ranges of ``span`` documents (a module constant,
    no parameter: small, results cross ranges)."""
    import dedup.ondisk

    with pytest.MonkeyPatch.context() as mp, OnDisk(cfg, sort_bytes=sort_bytes) as od:
        mp.setattr(dedup.ondisk, "MIN_SPAN", span)
        for lo in range(0, len(texts), batch):
            od.add(texts[lo : lo + batch])
        return od.finish().arrays()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(0, len(EDITS) - 1)), max_size=25),
       st.integers(1, 7), st.sampled_from([1 << 12, 1 << 30]), st.sampled_from([0.5, 0.8]), st.integers(1, 8),
       st.sampled_from(["exact", "signature"]))
def test_equals_the_in_memory_answer_at_any_batch_and_sort_size(picks, batch, sort_bytes, threshold, span, verify):
    texts = [EDITS[e](BASE[b]) for b, e in picks]
    cfg = dedup.Config(threshold=threshold, ngram=3, num_perm=64, verify=verify)
    best, sim, root = run(texts, cfg, batch, sort_bytes, span)
    want = dedup.find_duplicates(texts, config=cfg)
    got = {int(d): (int(root[d]), int(best[d]), float(sim[d])) for d in np.flatnonzero(best >= 0)}
    assert got == {p: (m.root, m.matched, pytest.approx(m.similarity)) for p, m in want.matches.items()}


@pytest.fixture()
def bucket_levels(monkeypatch):
    """A spy on OnDisk: the levels at which partitions are bucketed (1: the first 64 files;
    a deeper level only after a partition was split)."""
    levels = []
    bucket = OnDisk._bucket

    def spy(self, path, level, *args):
        levels.append(level)
        return bucket(self, path, level, *args)

    monkeypatch.setattr(OnDisk, "_bucket", spy)
    return levels


def test_large_partitions_are_split_and_temporary_files_removed(tmp_path, bucket_levels):
    # three stories 180 times each: each of their 24 band keys has 180 records (2.9 KB, less than sort_bytes,
    # 4 KB), so a partition with two of them is split once; and 100 stories of their own
    stories = [" ".join(f"w{i}x{j}" for j in range(12)) for i in range(103)]
    texts = [stories[i % 3] for i in range(540)] + stories[3:]
    cfg = dedup.Config(threshold=0.8, ngram=2, num_perm=32)
    assert cfg.bands == 8
    levels = bucket_levels
    with OnDisk(cfg, workdir=tmp_path, sort_bytes=4096) as od:
        od.add(texts)
        best, sim, root = od.finish().arrays()
        assert not [p.name for p in od.dir.iterdir() if p.name.startswith("p")]  # partitions and splits: read, removed
    assert list(tmp_path.iterdir()) == []
    assert levels.count(1) == 64 and levels.count(2) >= 64 and max(levels) == 2  # a partition split in 64
    assert best.tolist() == [-1] * 3 + [i % 3 for i in range(3, 540)] + [-1] * 100
    assert root.tolist() == [i % 3 for i in range(540)] + list(range(540, 640))
    want = dedup.find_duplicates(texts, config=cfg)
    assert {int(d): (int(root[d]), int(best[d]), float(sim[d])) for d in np.flatnonzero(best >= 0)} == {
        p: (m.root, m.matched, m.similarity) for p, m in want.matches.items()}


def test_a_bucket_larger_than_sort_bytes_is_split_to_the_last_key_bits(bucket_levels):
    # 300 copies of one text: its band key has 300 records (4.8 KB), more than sort_bytes,
    # whatever bits of the key the partition is split by
    texts = ["the same story about the weather and the markets"] * 300 + ["another story", "the same story"]
    cfg = dedup.Config(threshold=0.8, ngram=2, num_perm=32, bands=1, rows=32)  # one band: one such key
    levels = bucket_levels
    with OnDisk(cfg, sort_bytes=4096) as od:
        od.add(texts)
        best, sim, root = od.finish().arrays()
    assert max(levels) == 64 // 6  # split while 6 more bits of the 64-bit key are left
    want = dedup.find_duplicates(texts, config=cfg)
    assert sorted(want.matches) == list(range(1, 300))
    assert {int(d): (int(root[d]), int(best[d]), float(sim[d])) for d in np.flatnonzero(best >= 0)} == {
        p: (m.root, m.matched, m.similarity) for p, m in want.matches.items()}


def test_bad_input_names_the_item():
    with OnDisk(dedup.Config()) as od, pytest.raises(TypeError, match="text at position 1 is int"):
        od.add(["fine", 3])
    with pytest.raises(TypeError, match="config must be a dedup.Config"):
        OnDisk({"threshold": 0.8})


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
         "mike", "november", "oscar", "papa"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(0, len(WORDS) - 1)), min_size=5, max_size=60),
       st.integers(1, 9), st.sampled_from([0.6, 0.8]), st.integers(1, 8), st.sampled_from(["exact", "signature"]))
def test_drifting_chains_equal_the_in_memory_answer(edits, batch, threshold, span, verify):
    # each document is the one before with a word replaced: later members of a
    # bucket are near their predecessor, not its first member (the chain counts)
    words = [WORDS[i % len(WORDS)] + str(i) for i in range(30)]
    texts = []
    for pos, w in edits:
        words[pos] = WORDS[w]
        texts.append(" ".join(words))
    cfg = dedup.Config(threshold=threshold, ngram=2, num_perm=32, verify=verify)
    best, _, root = run(texts, cfg, batch, 1 << 12, span)
    want = dedup.find_duplicates(texts, config=cfg)
    assert {int(d): (int(best[d]), int(root[d])) for d in np.flatnonzero(best >= 0)} == {
        p: (m.matched, m.root) for p, m in want.matches.items()}


@pytest.mark.parametrize("verify", ["exact", "signature"])
def test_exact_and_signature_each_equal_the_library_and_differ_from_each_other(verify):
    # short signatures (32 values) make the estimate noisy near the threshold,
    # so the two verifications disagree on this corpus; each equals its library twin
    texts = drifting(1500, 7, width=20)
    cfg = dedup.Config(threshold=0.8, ngram=2, num_perm=32, verify=verify)
    best, sim, root = run(texts, cfg, 97, 1 << 12, span=200)  # small ranges, small text groups
    want = dedup.find_duplicates(texts, config=cfg)
    assert {int(d): (int(root[d]), int(best[d]), float(sim[d])) for d in np.flatnonzero(best >= 0)} == {
        p: (m.root, m.matched, m.similarity) for p, m in want.matches.items()}
    other = dedup.find_duplicates(texts, config=cfg.replace(verify="signature" if verify == "exact" else "exact"))
    assert set(want.matches) != set(other.matches)
    if verify == "exact":  # no drop below the threshold on exact Jaccard
        assert sim[best >= 0].min() >= 0.8


def test_exact_verification_reads_back_any_text():
    # empty texts, texts without enough words, non-ASCII, lone surrogates and a long text
    texts = ["", "a b", "a b", "ça fait du bien, ça fait du bien", "ÇA FAIT DU BIEN, ça fait du bien!", "\ud800 x y z",
             "\ud800 x y z", " ".join(f"t{i}" for i in range(5000)), " ".join(f"t{i}" for i in range(4999)), ""]
    for unit, ngram in (("word", 2), ("char", 4)):
        cfg = dedup.Config(threshold=0.8, ngram=ngram, unit=unit)
        best, sim, _ = run(texts, cfg, 3, 1 << 12)
        want = dedup.find_duplicates(texts, config=cfg)
        assert {int(d): (int(best[d]), float(sim[d])) for d in np.flatnonzero(best >= 0)} == {
            p: (m.matched, m.similarity) for p, m in want.matches.items()}
        assert len(want.matches) >= 3


@given(spans=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=30),
       gap=st.sampled_from([0, 16, 1 << 16]), window=st.sampled_from([8, 64, 1 << 22]))
def test_read_spans_read_what_slicing_gives_whatever_the_gaps(tmp_path_factory, spans, gap, window):
    from dedup._engine import columns

    values = np.arange(1500, dtype=np.uint64) * 7 + 1  # more than 30 spans reach
    path = tmp_path_factory.mktemp("spans") / "values"
    values.tofile(path)
    starts, ends, at = [], [], 0
    for skip, length in spans:  # sorted, not overlapping, some touching
        starts.append(at + skip)
        ends.append(at + skip + length)
        at = ends[-1]
    sizes = []  # bytes of each read: the spans, and gaps of less than GAP within a WINDOW
    with pytest.MonkeyPatch.context() as mp, open(path, "rb") as f:
        mp.setattr(columns, "GAP", gap)
        mp.setattr(columns, "WINDOW", window)
        pread = columns.os.pread
        mp.setattr(columns.os, "pread", lambda fd, n, at: sizes.append(n) or pread(fd, n, at))
        flat, offs = columns.read_spans(f.fileno(), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
                                        np.uint64)
        assert sum(sizes) <= 8 * sum(e - s for s, e in zip(starts, ends)) + len(spans) * min(gap, window)
        rows = np.array(sorted({s // 3 for s in starts}), dtype=np.int64)
        assert np.array_equal(columns.read_rows(f.fileno(), rows, 3, np.uint64), values.reshape(-1, 3)[rows])
    assert offs.tolist() == [0, *np.cumsum([e - s for s, e in zip(starts, ends)]).tolist()]
    for i, (s, e) in enumerate(zip(starts, ends)):
        assert flat[offs[i] : offs[i + 1]].tolist() == values[s:e].tolist()
