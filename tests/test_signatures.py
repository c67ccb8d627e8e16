import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from naive import hash_set
from strategies import texts

from dedup._engine.signatures import compute
from dedup._kernels.signatures import CHUNK, reference_signature
from dedup.config import Config

SCHEMES = ["fss", "datasketch", "datasketch-legacy"]


@given(
    st.lists(texts, min_size=1, max_size=4),
    st.sampled_from(SCHEMES),
    st.sampled_from([(5, "word"), (2, "word"), (3, "char")]),
    st.sampled_from([1, 16, 128]),
    st.integers(0, 2**32 - 1),
)
def test_kernel_equals_reference(batch, scheme, shape, num_perm, seed):
    ngram, unit = shape
    cfg = Config(scheme=scheme, ngram=ngram, unit=unit, num_perm=num_perm, seed=seed, bands=1, rows=1)
    sig, counts = compute(batch, cfg)
    for i, text in enumerate(batch):
        hs = hash_set(text, cfg)
        assert [int(v) for v in sig[i]] == reference_signature(hs, cfg)
        assert (counts[i] > 0) == bool(hs)


@pytest.mark.parametrize("scheme", ["datasketch", "datasketch-legacy"])
@pytest.mark.parametrize("seed", [1, 7])
def test_datasketch_schemes_equal_datasketch_itself(scheme, seed):
    datasketch = pytest.importorskip("datasketch")
    docs = [
        "The quick brown fox jumps over the lazy dog, “again” and again…",
        "Café au lait — naïve façade; 東京タワーは高い。",
        " ".join(f"token{i}" for i in range(3000)),
    ]
    cfg = Config(scheme=scheme, seed=seed, num_perm=128)
    sig, _ = compute(docs, cfg)
    for i, doc in enumerate(docs):
        m = datasketch.MinHash(
            num_perm=128, seed=seed, hashfunc=lambda x: x,
            scheme="affine32" if scheme == "datasketch" else "legacy",
        )
        m.update_batch([h & 0xFFFFFFFF for h in hash_set(doc, cfg)])
        assert [int(v) for v in m.hashvalues] == [int(v) for v in sig[i]]


def test_streamed_and_rescanned_documents_equal_reference():
    # more shingles than one chunk, and (with many bins) bins left empty after
    # round 0, which makes the kernel re-scan the text for later rounds
    doc = " ".join(f"w{i}" for i in range(CHUNK + 900))
    for num_perm in (128, 8192):
        cfg = Config(num_perm=num_perm, ngram=1, bands=1, rows=1)
        sig, counts = compute([doc], cfg)
        assert counts[0] == CHUNK + 900
        assert [int(v) for v in sig[0]] == reference_signature(hash_set(doc, cfg), cfg)


def test_batch_does_not_change_a_signature():
    docs = [f"document number {i} with some shared words and “quotes”" for i in range(50)]
    cfg = Config()
    whole, _ = compute(docs, cfg)
    for i in (0, 17, 49):
        alone, _ = compute([docs[i]], cfg)
        assert np.array_equal(alone[0], whole[i])


def _pair(n, j, tag):
    inter = round(j * n)
    rest = n - inter
    words = [f"{tag}x{i}" for i in range(n)]
    a = words[:inter] + words[inter : inter + rest // 2]
    b = words[:inter] + words[inter + rest // 2 :]
    return " ".join(a), " ".join(b), inter / n


@pytest.mark.parametrize("scheme", ["fss", "datasketch"])
def test_estimates_are_unbiased_with_binomial_rmse(scheme):
    k, trials = 128, 600
    cfg = Config(ngram=1, scheme=scheme, num_perm=k)
    for n in (12, 60, 200, 1500):
        for j in (0.5, 0.8, 0.9):
            docs, truth = [], []
            for t in range(trials):
                a, b, jt = _pair(n, j, f"n{n}j{int(j * 100)}t{t}")
                docs += [a, b]
                truth.append(jt)
            sig, _ = compute(docs, cfg)
            est = (sig[0::2] == sig[1::2]).mean(axis=1)
            jt = truth[0]
            bound = np.sqrt(jt * (1 - jt) / k)
            err = est - jt
            rmse = np.sqrt(np.mean(err**2))
            assert rmse <= 1.10 * bound, (n, j, rmse / bound)
            assert abs(err.mean()) <= 4 * bound / np.sqrt(trials), (n, j, err.mean())


@given(st.lists(texts, max_size=6), st.sampled_from(SCHEMES), st.sampled_from([(4, "char"), (5, "word")]))
def test_signatures_from_stored_hashes_equal_signatures_from_text(batch, scheme, shape):
    from dedup._engine.hashsets import hash_sets
    from dedup._engine.scanner import Scanner
    from dedup._engine.signatures import from_hashes

    ngram, unit = shape
    cfg = Config(scheme=scheme, ngram=ngram, unit=unit, num_perm=32, bands=1, rows=1)
    flat, offs = hash_sets(Scanner(batch), ngram, unit)
    assert np.array_equal(from_hashes(flat, offs, cfg), compute(batch, cfg)[0])


@given(st.lists(texts, max_size=6), st.sampled_from(SCHEMES), st.sampled_from([(4, "char"), (5, "word"), (2, "char")]),
       st.sampled_from([1 << 18, 8]))
def test_one_pass_sketches_equal_signatures_and_key_the_hash_sequence(batch, scheme, shape, limit):
    from dedup._engine import signatures
    from dedup._engine.hashsets import hash_sets
    from dedup._engine.scanner import Scanner
    from dedup.shingling import normalize

    ngram, unit = shape
    cfg = Config(scheme=scheme, ngram=ngram, unit=unit, num_perm=32, bands=1, rows=1)
    saved, signatures.LONG_ITEM = signatures.LONG_ITEM, limit  # 8 bytes: longer items take the streaming path
    try:
        sig, counts, keys, keyed = signatures.sketch(Scanner(batch), cfg)
    finally:
        signatures.LONG_ITEM = saved
    want_sig, want_counts = compute(batch, cfg)
    assert np.array_equal(sig, want_sig) and np.array_equal(counts, want_counts)
    flat, offs = hash_sets(Scanner(batch, raw=False), ngram, unit)  # the sequence of the normalised text
    for i in range(len(batch)):
        seq = [int(h) for h in flat[offs[i] : offs[i + 1]]]
        if unit == "char":  # word shingles are emitted by another kernel: only their set is compared
            sizes = {len(t.encode("utf-8", "surrogatepass")) <= limit for t in (batch[i], normalize(batch[i]))}
            if len(sizes) == 1:  # (an item is redone on its normalised text when the kernel can't normalise it)
                assert keyed[i] == sizes.pop()
            if keyed[i]:
                assert tuple(int(k) for k in keys[i]) == signatures.reference_content_key(seq)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans()), max_size=40))
def test_first_of_group_equals_reference(items):
    from dedup._engine.clusters import first_of_group
    from dedup._kernels.sets import reference_first_of_group

    keys = np.array([[k * 0x9E3779B97F4A7C15 % 2**64, k] for k, _, _ in items], dtype=np.uint64).reshape(-1, 2)
    groups = np.array([g for _, g, _ in items], dtype=np.int64)
    keyed = np.array([ok for _, _, ok in items], dtype=bool)
    assert first_of_group(keys, groups, keyed).tolist() == reference_first_of_group(keys, groups, keyed)


@given(st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=1, max_size=10), st.data())
def test_agreement_kernel_equals_signature_similarity(rows, data):
    from dedup._engine.verify import signature_similarity
    from dedup._kernels.sets import agreements as _agreements

    sig = np.array(rows, dtype=np.uint32)
    idx = st.lists(st.integers(0, len(rows) - 1), max_size=20)
    a = np.array(data.draw(idx), dtype=np.int64)
    b = np.array(data.draw(st.lists(st.integers(0, len(rows) - 1), min_size=len(a), max_size=len(a))), dtype=np.int64)
    assert np.array_equal(_agreements(sig, a, b) / 8, signature_similarity(sig[a], sig[b]))


@given(st.lists(texts, max_size=6), st.sampled_from(SCHEMES), st.sampled_from([(4, "char"), (5, "word"), (1, "word")]))
def test_kept_sketches_equal_signatures_and_keep_each_items_shingle_hashes(batch, scheme, shape):
    from dedup._engine import signatures
    from dedup._engine.scanner import Scanner

    ngram, unit = shape
    cfg = Config(scheme=scheme, ngram=ngram, unit=unit, num_perm=32, bands=1, rows=1)
    start = 5  # after what an earlier batch wrote
    sig, counts, keys, flat, offs, row = signatures.sketch_kept(Scanner(batch), cfg, np.zeros(7, np.uint64), start)
    want_sig, want_counts = compute(batch, cfg)
    assert np.array_equal(sig, want_sig) and np.array_equal(counts, want_counts)
    assert offs[0] == start and np.all(np.diff(offs) >= 0) and len(flat) >= offs[-1]
    assert flat[:start].tolist() == [0] * start  # left as it was
    pieces = signatures.in_item_order(flat, offs, row)
    in_order = np.concatenate(pieces) if pieces else np.zeros(0, np.uint64)
    assert in_order.tolist() == [h for i in range(len(batch)) for h in flat[offs[row[i]] : offs[row[i] + 1]].tolist()]
    for i, text in enumerate(batch):
        seq = [int(h) for h in flat[offs[row[i]] : offs[row[i] + 1]]]
        assert set(seq) == hash_set(text, cfg)
        assert tuple(int(k) for k in keys[i]) == signatures.reference_content_key(seq)


@pytest.mark.parametrize(("text", "unit", "ngram"), [
    (" ".join("a" * 20000), "word", 1),  # a shingle per 2 bytes
    ("½" * 3000, "word", 1),  # 2 bytes, 2 tokens ("1⁄2")
    ("½" * 3000, "char", 2),  # 2 bytes, 3 units
])
def test_kept_sketches_grow_past_their_first_buffer(text, unit, ngram):
    from dedup._engine import signatures
    from dedup._engine.scanner import Scanner

    cfg = Config(ngram=ngram, unit=unit, num_perm=16, bands=1, rows=1)
    batch = ["x y", text, "z"]
    sig, counts, _, flat, offs, row = signatures.sketch_kept(Scanner(batch), cfg)
    assert np.array_equal(sig, compute(batch, cfg)[0])
    for i, t in enumerate(batch):
        assert set(flat[offs[row[i]] : offs[row[i] + 1]].tolist()) == hash_set(t, cfg)
    # more shingles than the kernel first reserves (a quarter of the bytes, all of them with "char")
    assert counts[1] > sum(len(t.encode()) for t in batch) // (1 if unit == "char" else 4) + 256
