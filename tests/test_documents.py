import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from naive import find_duplicates as naive_find

import dedup
from dedup import Config

POOL = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
        "xi", "café", "“quoted”", "東京"]


def corpus(draw_ints, n):
    base = [" ".join(random.Random(i).choices(POOL, k=12)) for i in range(3)]
    out = []
    for x in draw_ints[:n]:
        words = base[x % 3].split()
        for p in range((x // 3) % 4):
            words[(x * 7 + p * 5) % len(words)] = POOL[(x + p) % len(POOL)]
        out.append(" ".join(words) if x % 11 else "")
    return out


docs_strategy = st.lists(st.integers(0, 200), max_size=25).map(lambda xs: corpus(xs, len(xs)))


@given(docs_strategy, st.sampled_from(["exact", "signature"]), st.sampled_from([0.5, 0.8]))
def test_find_duplicates_equals_naive_pipeline(texts, verify, threshold):
    cfg = Config(threshold=threshold, ngram=2, verify=verify, num_perm=64)
    got = dedup.find_duplicates(texts, config=cfg)
    want = naive_find(texts, cfg)
    assert {p: (d.root, d.matched) for p, d in got.matches.items()} == {p: w[:2] for p, w in want.items()}
    for p, d in got.matches.items():
        assert d.similarity == pytest.approx(want[p][2])
    assert got.duplicates == sorted(want)
    for cluster in got.clusters:
        assert len(cluster) >= 2 and cluster[0] not in got.duplicates
        assert all(got.matches[i].root == cluster[0] for i in cluster[1:])


def test_copies_and_equal_sets_match_as_the_naive_pipeline():
    from dedup import documents

    # byte copies, copies in other case and spacing (the same shingle sequence),
    # and texts with the same shingle set in another sequence ("a b a b a"
    # and "b a b a b": the same 2-gram set {ab, ba}, at Jaccard 1.0 but with
    # other content keys), in orders where the earliest match at 1.0 is not
    # the one with the same content key; decomposed accents, which the kernel
    # leaves to CPython's normalisation; batches of 3 texts
    loop = ["a b a b a", "b a b a b", "B a  b A b", "a b a b a", "b a b a b", "x y z w", "X Y Z W", "x y z w"]
    near = ["p q r s t u", "p q r s t v", "p q r s t u", "P q r s t u!"]
    nfd = ["cafe\u0301 au lait ce matin", "café au lait ce matin", "cafe\u0301 au lait ce matin", "cafe\u0301 au lait"]
    for texts in (loop, loop[::-1], near + loop, loop[1:] + near, nfd + loop + nfd[::-1]):
        for keep, batch in (("first", 2048), ("longest", 2048), ("first", 3)):
            for verify in ("exact", "signature"):
                cfg = Config(threshold=0.5, ngram=2, num_perm=32, verify=verify)
                with pytest.MonkeyPatch.context() as mp:
                    mp.setattr(documents, "BATCH_DOCS", batch)  # batches of 3: hashes of several batches
                    got = dedup.find_duplicates(texts, config=cfg, keep=keep)
                order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i)) if keep == "longest" else None
                ranked = [texts[i] for i in order] if order else texts
                want = naive_find(ranked, cfg)
                if order:
                    want = {order[p]: (order[r], order[m], s) for p, (r, m, s) in want.items()}
                assert {p: (d.root, d.matched, d.similarity) for p, d in got.matches.items()} == want


@given(st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=4), min_size=1, max_size=8), st.data())
def test_exact_pairs_keep_every_best_match(seqs, data):
    """The pairs exact_pairs keeps (same content key at 1.0, the rest on
    their sets) give every doc the best match all pairs give."""
    from naive import jaccard

    from dedup._engine.clusters import best_matches
    from dedup._engine.signatures import from_hashes, reference_content_key
    from dedup._engine.verify import exact_pairs

    m = len(seqs)
    hashes = [[(v + 1) * 0x9E3779B97F4A7C15 % 2**64 for v in seq] for seq in seqs]
    flat = np.array([h for hs in hashes for h in hs], dtype=np.uint64)
    offs = np.cumsum([0] + [len(hs) for hs in hashes])
    sig = from_hashes(flat, offs, Config(num_perm=4, bands=1, rows=4))  # few values: unequal sets agree often
    keys = np.array([reference_content_key(hs) for hs in hashes], dtype=np.uint64)
    # items: rows of the hash sets, some used twice (copies share a row)
    row = np.array(data.draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=16)), dtype=np.int64)
    pairs = [(d, c) for d in range(len(row)) for c in data.draw(st.permutations(range(d)))
             if data.draw(st.booleans())]
    doc = np.array([d for d, _ in pairs], dtype=np.int64)
    other = np.array([c for _, c in pairs], dtype=np.int64)
    threshold = data.draw(st.sampled_from([0.2, 0.5, 1.0]))
    every = np.array([jaccard(set(hashes[row[d]]), set(hashes[row[c]])) for d, c in pairs])
    got = exact_pairs(doc, other, sig[row], keys[row], flat, offs, row)
    assert best_matches(*got, threshold) == best_matches(doc, other, every, threshold)


@given(docs_strategy)
def test_index_agrees_with_find_duplicates(texts):
    cfg = Config(ngram=2, num_perm=64, verify="signature")
    result = dedup.find_duplicates(texts, config=cfg)
    index = dedup.Index(config=cfg)
    found = [index.add(i, t) for i, t in enumerate(texts)]
    assert [i for i, m in enumerate(found) if m is not None] == result.duplicates
    for i, m in enumerate(found):
        if m is not None:
            assert m.key == result.matches[i].matched
            assert m.similarity == result.matches[i].similarity


@given(docs_strategy, st.integers(1, 30))
def test_deduplicate_does_not_depend_on_batch_size(texts, batch_size):
    one_by_one = list(dedup.deduplicate(enumerate(texts), text=lambda r: r[1], batch_size=1))
    assert list(dedup.deduplicate(enumerate(texts), text=lambda r: r[1], batch_size=batch_size)) == one_by_one
    index = dedup.Index()
    assert [i for i, t in one_by_one] == [i for i, t in enumerate(texts) if index.add(i, t) is None]


def test_index_add_many_equals_add_one_by_one():
    texts = corpus(list(range(0, 200, 3)), 60)
    a, b = dedup.Index(), dedup.Index()
    assert a.add_many(enumerate(texts)) == [b.add(i, t) for i, t in enumerate(texts)]
    assert len(a) == len(b) == 60
    assert a.query(texts[5]) == b.query(texts[5]) is not None


def test_example_from_readme():
    texts = [
        "Breaking: the river burst its banks overnight, flooding the old town.",
        "BREAKING — the river burst its banks overnight, flooding the old town!",
        "A recipe for lemon cake with three eggs and a cup of sugar.",
    ]
    r = dedup.find_duplicates(texts)
    assert r.clusters == [[0, 1]] and r.duplicates == [1] and r.kept == [0, 2]
    assert r.matches[1] == dedup.Duplicate(position=1, root=0, matched=0, similarity=1.0)


def test_keep_rules():
    short = "one two three four five six seven eight nine ten"
    long = short + " eleven"
    texts = [short, long, "unrelated words about something else entirely here"]
    assert dedup.find_duplicates(texts, threshold=0.7).clusters == [[0, 1]]
    assert dedup.find_duplicates(texts, threshold=0.7, keep="longest").clusters == [[1, 0]]
    score = [0, 0, 0]
    assert dedup.find_duplicates(texts, threshold=0.7, keep=lambda i: -score[i]).clusters == [[0, 1]]
    score = [1, 5, 0]
    assert dedup.find_duplicates(texts, threshold=0.7, keep=lambda i: -score[i]).clusters == [[1, 0]]


def test_empty_inputs():
    r = dedup.find_duplicates([])
    assert (r.clusters, r.duplicates, r.matches, r.kept) == ([], [], {}, [])
    assert list(dedup.deduplicate([])) == []
    # texts without tokens never match anything, not even each other
    assert dedup.find_duplicates(["", "", "!!", " "]).duplicates == []


def test_char_shingles_for_cjk():
    a = "今日は東京タワーに行きました。とても高かったです。"
    b = "今日は東京タワーに行きました。とても高かったです！"
    assert dedup.find_duplicates([a, b], unit="char", ngram=3).duplicates == [1]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: dedup.find_duplicates(["ok", 3, "x"]), TypeError, "text at position 1 is int, not str: 3"),
        (lambda: dedup.find_duplicates(["a"], threshold=0), ValueError, r"threshold must be in \(0, 1\], got 0"),
        (lambda: dedup.find_duplicates(["a"], threshold=1.2), ValueError, "got 1.2"),
        (lambda: dedup.find_duplicates(["a"], ngram=0), ValueError, r"ngram must be an integer in \[1, 65536\], got 0"),
        (lambda: dedup.find_duplicates(["a"], ngram=2.5), ValueError, "got 2.5"),
        (lambda: dedup.find_duplicates(["a"], unit="token"), ValueError, "unit must be one of"),
        (lambda: dedup.find_duplicates(["a"], keep="last"), ValueError, "keep must be 'first', 'longest'"),
        (lambda: dedup.find_duplicates(["a"], config=Config(), threshold=0.5), ValueError, r"either config= or \['threshold'\]"),
        (lambda: dedup.Index(config=Config(verify="exact")), ValueError, "verify='exact'"),
        (lambda: dedup.Index().add_many([("k", None)]), TypeError, "text at position 0 is NoneType"),
        (lambda: dedup.Index().add_many(["just text"]), TypeError, r"item at position 0 must be a \(key, text\) pair"),
        (lambda: list(dedup.deduplicate(["a", b"b"])), TypeError, "item at position 1 is bytes, not str"),
        (lambda: list(dedup.deduplicate([{"text": "a"}, {"body": "b"}], text="text")), KeyError, "item at position 1 has no field 'text'"),
        (lambda: list(dedup.deduplicate([{"t": 1}], text="t")), TypeError, "position 0 is int"),
        (lambda: list(dedup.deduplicate(["a"], batch_size=0)), ValueError, "batch_size must be a positive integer, got 0"),
        (lambda: Config(bands=20, rows=7), ValueError, "bands \\* rows must be at most num_perm=128, got 20 \\* 7 = 140"),
    ],
)
def test_errors_name_the_bad_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_deduplicate_records_and_objects():
    class Page:
        def __init__(self, url, body):
            self.url, self.body = url, body

    pages = [Page("a", "the same story text told here"), Page("b", "The same story text, told here."), Page("c", "other")]
    assert [p.url for p in dedup.deduplicate(pages, text="body")] == ["a", "c"]
    assert [p.url for p in dedup.deduplicate(iter(pages), text=lambda p: p.body)] == ["a", "c"]


def test_config_round_trips_and_refuses_mismatches():
    cfg = Config(threshold=0.7, scheme="datasketch")
    assert Config.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match=r"threshold: 0.8 \(yours: 0.7\); scheme: 'fss' \(yours: 'datasketch'\)"):
        cfg.check_compatible(Config(), "index.db")
    with pytest.raises(ValueError, match="format_version is 99"):
        Config.from_dict({**cfg.to_dict(), "format_version": 99})
