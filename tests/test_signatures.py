import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from naive import hash_set
from strategies import texts

from dedup.config import Config
from dedup.signatures import CHUNK, compute, reference_signature

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
    from dedup.clusters import hash_sets
    from dedup.shingling import Scanner
    from dedup.signatures import from_hashes

    ngram, unit = shape
    cfg = Config(scheme=scheme, ngram=ngram, unit=unit, num_perm=32, bands=1, rows=1)
    flat, offs = hash_sets(Scanner(batch), ngram, unit)
    assert np.array_equal(from_hashes(flat, offs, cfg), compute(batch, cfg)[0])
