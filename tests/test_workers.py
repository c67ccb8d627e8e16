"""workers= and --jobs: the output is the same whatever the number of workers.

Every public function that takes ``workers`` is run with 1, 2 and 3 workers
on small inputs, with pieces shrunk to a few texts, items or pairs (the
``tiny_pieces`` fixture) so that every stage is cut into many pieces and
the cuts fall everywhere; a spy on the pool checks that the pieces did go
to several threads, so a test cannot pass by running on one.
"""

import json
import random
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SPECIAL, drifting
from strategies import texts as any_text

import dedup
from dedup import OnDisk, cli, ondisk
from dedup._engine import batches, hashsets, signatures, verify, workers
from dedup.config import Config

WORKERS = [2, 3]


class Pool(workers.ThreadPoolExecutor):
    """The pool of :func:`workers.run`, counting the pieces each thread ran."""

    threads: ClassVar[set[str]] = set()
    pieces = 0
    lock = threading.Lock()

    def submit(self, fn, *args, **kwargs):
        def spied(*a, **kw):
            with Pool.lock:
                Pool.threads.add(threading.current_thread().name)
                Pool.pieces += 1
            return fn(*a, **kw)

        return super().submit(spied, *args, **kwargs)


@pytest.fixture()
def tiny_pieces(monkeypatch):
    """Pieces of one or a few texts, items or pairs; the pool spied on.
    Returns a function that checks that the pool ran pieces on several
    threads since the last check."""
    monkeypatch.setattr(workers, "MIN_PIECE_CHARS", 1)
    monkeypatch.setattr(workers, "PIECES_PER_WORKER", 7)
    monkeypatch.setattr(hashsets, "PIECE_BYTES", 50)
    monkeypatch.setattr(signatures, "PIECE_BYTES", 70)
    monkeypatch.setattr(verify, "PIECE_HASHES", 20)
    monkeypatch.setattr(workers, "ThreadPoolExecutor", Pool)

    def used_threads() -> None:
        threads, pieces = set(Pool.threads), Pool.pieces
        Pool.threads.clear()
        Pool.pieces = 0
        assert pieces > 2 and len(threads) >= 2, (pieces, threads)

    Pool.threads.clear()
    Pool.pieces = 0
    return used_threads


def unicode_docs(n: int, seed: int) -> list[str]:
    """Documents of words from Unicode-heavy alphabets, with near copies."""
    rng = random.Random(seed)
    alphabet = list(SPECIAL.replace("\n", "").replace("\r", "")) + list("abcdefghij")
    vocab = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    out: list[str] = []
    for _ in range(n):
        if out and rng.random() < 0.4:
            words = rng.choice(out).split(" ")
            for _ in range(rng.randint(0, 3)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            out.append(" ".join(words).upper() if rng.random() < 0.3 else " ".join(words))
        else:
            out.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40))))
    return out


def ties_and_empties() -> list[str]:
    base = "the council approved the new budget on tuesday evening after a long debate about schools"
    other = "heavy snow closed the mountain pass for the third day in a row officials said on monday"
    return ["", base, base.upper(), "", base + " today", other, base, other + " again", "", "one two",
            "one two", base.replace("schools", "roads"), other]


DOCS = {
    "drifting": lambda: drifting(300, 5, width=20),
    "unicode": lambda: unicode_docs(200, 3),
    "ties-and-empties": ties_and_empties,
}

CREDITS = ["Mandatory credit: Reuters", "Mandatory credit: Reuters", "Mandatory credit: AP",
           "Photo: The White House"]
MENU = "Home | News | Sport | Weather"
SENTENCES = [
    "The council approved the new budget on Tuesday evening after a long debate about schools.",
    "Heavy rain flooded several roads in the north of the country overnight, officials said.",
    "東京タワーに行きました。とても高くて、景色がきれいでした。",
    "Ünïcödé façade “quoted” text… with accents and dashes — everywhere in it.",
    "Scientists reported a new species of frog found in the rainforest last week.",
    "The central bank kept interest rates unchanged at its meeting on Thursday.",
]


def pages(n: int, seed: int) -> list[str]:
    """Pages with a menu, credit lines, sentences shared across pages,
    paragraphs repeated inside a page (some re-captured: other case,
    quotes, a word changed), blank-line blocks and CRLF line breaks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lines = [MENU] if rng.random() < 0.7 else []
        body = [f"Story {i}: {rng.choice(SENTENCES)} Item {rng.randrange(1000)}."]
        for _ in range(rng.randint(1, 6)):
            s = rng.choice(SENTENCES)
            kind = rng.random()
            if kind < 0.2 and body:
                s = rng.choice(body).upper()
            elif kind < 0.35 and body:
                s = rng.choice(body).replace("the", "a", 1).replace('"', "“")
            elif kind < 0.45:
                s = f"Unique line {i}-{rng.randrange(10**6)} about {rng.choice(['trade', 'rain', 'frogs'])}."
            body.append(s)
        lines += body
        if rng.random() < 0.8:
            lines.append(rng.choice(CREDITS))
        sep = "\r\n" if rng.random() < 0.2 else "\n\n" if rng.random() < 0.2 else "\n"
        out.append(sep.join(lines))
    return out


def result_of(r: dedup.DedupResult):
    return r.clusters, r.duplicates, {k: tuple(v) for k, v in r.matches.items()}


# ------------------------------------------------------------------ documents


@pytest.mark.parametrize("corpus", sorted(DOCS))
@pytest.mark.parametrize("how", [{}, {"verify": "signature"}, {"keep": "longest", "ngram": 2, "num_perm": 32},
                                 {"unit": "char", "ngram": 3}])
def test_find_duplicates_is_the_same_on_any_number_of_workers(tiny_pieces, corpus, how):
    texts = DOCS[corpus]()
    want = result_of(dedup.find_duplicates(texts, **how, workers=1))
    assert want[1] or corpus == "unicode" and "unit" in how  # the corpus has duplicates to find
    for w in WORKERS:
        assert result_of(dedup.find_duplicates(texts, **how, workers=w)) == want
        tiny_pieces()


def test_find_duplicates_with_default_workers_gives_the_one_worker_answer():
    texts = drifting(400, 7, width=20)
    assert result_of(dedup.find_duplicates(texts)) == result_of(dedup.find_duplicates(texts, workers=1))


@settings(max_examples=25, deadline=None)
@given(st.lists(any_text, max_size=30), st.sampled_from(WORKERS))
def test_find_duplicates_on_any_unicode_text_is_the_same_on_any_number_of_workers(texts, w):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers, "MIN_PIECE_CHARS", 1)
        mp.setattr(verify, "PIECE_HASHES", 1)
        mp.setattr(hashsets, "PIECE_BYTES", 1)
        texts = texts + texts[::2]  # copies to find
        want = result_of(dedup.find_duplicates(texts, ngram=2, workers=1))
        assert result_of(dedup.find_duplicates(texts, ngram=2, workers=w)) == want


def test_deduplicate_is_the_same_on_any_number_of_workers(tiny_pieces):
    texts = drifting(300, 9, width=20) + unicode_docs(100, 4)
    want = list(dedup.deduplicate(texts, batch_size=97, workers=1))
    assert len(want) < len(texts)
    for w in WORKERS:
        assert list(dedup.deduplicate(texts, batch_size=97, workers=w)) == want
        tiny_pieces()


@pytest.mark.parametrize("path", [False, True])
def test_index_batch_calls_are_the_same_on_any_number_of_workers(tiny_pieces, tmp_path, path):
    texts = drifting(200, 2, width=20) + unicode_docs(60, 8)
    queries = drifting(50, 3, width=20)
    answers = []
    for w in [1, *WORKERS]:
        index = dedup.Index(path=tmp_path / f"{w}.db" if path else None)
        added = index.add_many(((i, t) for i, t in enumerate(texts)), workers=w)
        answers.append((added, index.query_many(queries, workers=w)))
        index.close()
        if w > 1:
            tiny_pieces()
    assert any(answers[0][0]) and answers[1:] == [answers[0]] * len(WORKERS)


@pytest.mark.parametrize("verify_with", ["exact", "signature"])
def test_ondisk_is_the_same_on_any_number_of_workers(tiny_pieces, monkeypatch, verify_with):
    monkeypatch.setattr(ondisk, "MIN_SPAN", 64)  # many ranges of documents
    texts = drifting(500, 13, width=20, fresh=0.2) + unicode_docs(100, 5) + ties_and_empties()
    cfg = Config(threshold=0.8, ngram=2, num_perm=32, verify=verify_with)
    got = []
    for w in [1, *WORKERS]:
        with OnDisk(cfg, sort_bytes=1 << 12, workers=w) as od:
            sizes = [od.add(texts[lo : lo + 77]) for lo in range(0, len(texts), 77)]
            got.append([*od.finish().arrays(), np.concatenate(sizes), od.n])
            if w > 1:
                tiny_pieces()
    want = dedup.find_duplicates(texts, threshold=0.8, ngram=2, num_perm=32, verify=verify_with, workers=1)
    assert got[0][0].tolist() == [want.matches[i].matched if i in want.matches else -1 for i in range(len(texts))]
    assert got[0][3].tolist() == [len(t.encode("utf-8")) for t in texts]
    for other in got[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(got[0][:4], other[:4])) and other[4] == got[0][4]


# ------------------------------------------------------------------ paragraphs


@pytest.mark.parametrize("split", ["auto", "line", "blank"])
def test_repeats_are_the_same_on_any_number_of_workers(tiny_pieces, split):
    texts = pages(120, 1)
    cuts = dedup.find_repeats(texts, split=split, workers=1)
    kept = dedup.remove_repeats(texts, split=split, workers=1)
    assert any(cuts) and kept != texts
    for w in WORKERS:
        assert dedup.find_repeats(texts, split=split, workers=w) == cuts
        assert dedup.remove_repeats(texts, split=split, workers=w) == kept
        tiny_pieces()
    one = texts[3]
    assert dedup.find_repeats(one, workers=3) == dedup.find_repeats(one, workers=1)
    assert dedup.remove_repeats(one, workers=3) == dedup.remove_repeats(one, workers=1)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*SENTENCES, "x", "", "  ", *(s.upper() for s in SENTENCES[:2])])
                         .map(lambda s: s), max_size=8).map("\n".join), max_size=12), st.sampled_from(WORKERS))
def test_repeats_of_any_pages_are_the_same_on_any_number_of_workers(texts, w):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers, "MIN_PIECE_CHARS", 1)
        assert dedup.find_repeats(texts, workers=w) == dedup.find_repeats(texts, workers=1)


def test_shared_paragraphs_are_the_same_on_any_number_of_workers(tiny_pieces):
    texts = pages(120, 2)
    cuts = dedup.find_shared_paragraphs(texts, workers=1)
    kept = dedup.remove_shared_paragraphs(texts, workers=1)
    assert any(cuts)
    for w in WORKERS:
        assert dedup.find_shared_paragraphs(texts, workers=w) == cuts
        assert dedup.remove_shared_paragraphs(texts, workers=w) == kept
        tiny_pieces()


def test_boilerplate_is_learned_and_stripped_the_same_on_any_number_of_workers(tiny_pieces):
    texts = pages(150, 3)
    bp = dedup.find_boilerplate(texts, workers=1)
    assert bp.templates
    stream = pages(80, 4)
    want = (bp.cuts(stream, workers=1), list(bp.strip(stream, workers=1)),
            list(bp.strip(stream, keep_first=True, workers=1)), list(bp.find(stream, keep_first=True, workers=1)))
    assert any(want[0])
    for w in WORKERS:
        learned = dedup.find_boilerplate(texts, workers=w)
        assert learned == bp
        tiny_pieces()
        got = (learned.cuts(stream, workers=w), list(learned.strip(stream, workers=w)),
               list(learned.strip(stream, keep_first=True, workers=w)),
               list(learned.find(stream, keep_first=True, workers=w)))
        assert got == want
        tiny_pieces()


# ------------------------------------------------------------------ the command


@pytest.mark.parametrize("job", [["documents"], ["all", "--learn-boilerplate"], ["repeats"]])
def test_the_command_writes_the_same_on_any_number_of_jobs(tiny_pieces, tmp_path, monkeypatch, job):
    monkeypatch.setattr(cli, "BATCH", 37)
    monkeypatch.setattr(ondisk, "MIN_SPAN", 64)
    texts = pages(100, 5) + drifting(100, 6, width=20)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    outputs = []
    for jobs in ["1", "2", "3"]:
        out = tmp_path / f"out{jobs}.jsonl"
        extra = ["--removed", str(tmp_path / f"rm{jobs}.jsonl")] if job[0] != "repeats" else []
        assert cli.main([*job, str(src), "--out", str(out), "--quiet", "--jobs", jobs, *extra]) == 0
        outputs.append([out.read_bytes(), *(Path(e).read_bytes() for e in extra[1:])])
        if jobs != "1":
            tiny_pieces()
    assert outputs[0][0] != src.read_bytes()
    assert outputs[1:] == [outputs[0]] * 2


def test_the_command_runs_on_every_core_available_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 5, 7}, raising=False)
    seen = []
    real = ondisk.OnDisk.__init__

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("workers"))
        real(self, *args, **kwargs)

    monkeypatch.setattr(ondisk.OnDisk, "__init__", spy)
    src = tmp_path / "in.txt"
    src.write_text("one line\none line\n", encoding="utf-8")
    assert cli.main(["--by", "line", str(src), "--quiet"]) == 0
    assert cli.main(["--by", "line", str(src), "--quiet", "--jobs", "1"]) == 0
    assert seen == [3, 1]


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", ""])
def test_jobs_that_is_not_a_positive_integer_is_a_usage_error(run_dedup, tmp_path, value):
    src = tmp_path / "in.txt"
    src.write_text("one line\n", encoding="utf-8")
    r = run_dedup("--by", "line", str(src), "--jobs", value)
    assert r.returncode == 2
    assert f"--jobs: must be a positive integer (threads to run on), got {value!r}; try --jobs " in r.stderr
    assert "or --jobs 1" in r.stderr and r.stderr.count("\n") == 1


# ------------------------------------------------------------------ workers=


def test_none_is_every_core_available_to_the_process(monkeypatch):
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {2, 3}, raising=False)
    assert workers.check_workers(None) == 2
    assert workers.check_workers(5) == 5


CALLS = {
    "find_duplicates": lambda w: dedup.find_duplicates(["a b"], workers=w),
    "deduplicate": lambda w: list(dedup.deduplicate(["a b"], workers=w)),
    "find_repeats": lambda w: dedup.find_repeats("a\na", workers=w),
    "remove_repeats": lambda w: dedup.remove_repeats(["a\na"], workers=w),
    "find_shared_paragraphs": lambda w: dedup.find_shared_paragraphs(["a"], workers=w),
    "remove_shared_paragraphs": lambda w: dedup.remove_shared_paragraphs(["a"], workers=w),
    "find_boilerplate": lambda w: dedup.find_boilerplate(["a"], workers=w),
    "Boilerplate.cuts": lambda w: dedup.find_boilerplate(["a"]).cuts(["a"], workers=w),
    "Boilerplate.strip": lambda w: list(dedup.find_boilerplate(["a"]).strip(["a"], workers=w)),
    "Boilerplate.find": lambda w: list(dedup.find_boilerplate(["a"]).find(["a"], workers=w)),
    "Index.add_many": lambda w: dedup.Index().add_many([("k", "a b")], workers=w),
    "Index.query_many": lambda w: dedup.Index().query_many(["a b"], workers=w),
    "OnDisk": lambda w: OnDisk(Config(), workers=w).close(),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True])
def test_workers_that_is_not_a_positive_integer_is_a_value_error_naming_it_and_the_fix(call, value):
    with pytest.raises(ValueError) as e:
        CALLS[call](value)
    assert str(e.value) == (
        f"workers must be a positive integer (threads to run on) or None (every core: "
        f"{workers.available_cores()} here), got {value!r}; pass workers=1 for one thread"
    )


@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_function_that_takes_workers_runs_with_none_and_with_more_workers_than_cores(call):
    CALLS[call](None)
    CALLS[call](64)


def test_an_error_in_one_piece_is_raised_and_the_pool_is_gone():
    def fn(lo, hi):
        if lo == 3:
            raise KeyError(lo)
        return lo

    before = {t.name for t in threading.enumerate()}
    with pytest.raises(KeyError, match="3"):
        workers.run(fn, [(i, i + 1) for i in range(50)], 4)
    assert {t.name for t in threading.enumerate()} <= before
    assert workers.run(fn, [(0, 1), (1, 2)], 4) == [0, 1]
    assert workers.run(fn, [], 4) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3000), max_size=60), st.integers(1, 9), st.integers(1, 50),
       st.integers(1, 4000))
def test_pieces_cover_the_texts_in_order_and_hold_at_most_a_batch_each(lengths, w, size, chars):
    texts = ["x" * n for n in lengths]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers, "MIN_PIECE_CHARS", 100)
        mp.setattr(workers, "BATCH_CHARS", 2500)
        pieces = workers.text_pieces(texts, w, size, chars)
    assert [i for lo, hi in pieces for i in range(lo, hi)] == list(range(len(texts)))
    for lo, hi in pieces:
        assert hi - lo <= size
        assert hi - lo == 1 or sum(lengths[lo:hi]) <= (chars if w == 1 else min(chars, 2500))
    if w == 1:
        assert pieces == list(batches.ranges(texts, size, chars))
    for pieces in (workers.count_pieces(len(texts), w, 3), workers.cost_pieces(np.array(lengths, np.int64), w, 500)):
        assert [i for lo, hi in pieces for i in range(lo, hi)] == list(range(len(texts)))
        assert all(hi > lo for lo, hi in pieces) and len(pieces) <= max(1, workers.PIECES_PER_WORKER * w)
        assert w > 1 or len(pieces) <= 1


def test_every_public_function_that_takes_workers_is_checked_above_and_defaults_to_every_core():
    import inspect

    taking = set()
    for name in dedup.__all__:
        obj = getattr(dedup, name)
        members = [(name, obj)] + [(f"{name}.{m}", f) for m, f in vars(obj).items()
                                   if inspect.isfunction(f) and not m.startswith("_")] if inspect.isclass(obj) else [
            (name, obj)]
        for label, f in members:
            target = f.__init__ if inspect.isclass(f) else f
            if callable(target) and "workers" in inspect.signature(target).parameters:
                taking.add(label)
                assert inspect.signature(target).parameters["workers"].default is None, label
    assert taking == set(CALLS)
