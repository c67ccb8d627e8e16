"""The command decides as the library does: `dedup documents` drops exactly
what `find_duplicates` drops (exact verification by default, or on the
signature estimate), whatever the batch, sort and range sizes; `explain`
gives the run's verdict; the report shows borderline pairs first."""

import json
import random
import re

import pytest
from strategies import drifting

import dedup
from dedup import cli, ondisk


def ties_and_empties():
    base = "the council approved the new budget on tuesday evening after a long debate about schools"
    other = "heavy snow closed the mountain pass for the third day in a row officials said on monday"
    return ["", base, base.upper(), "", base + " today", other, base, other + " again", "", "one two",
            "one two", base.replace("schools", "roads"), other]


CORPORA = {
    "drifting": lambda: drifting(1200, 5, width=20),
    "ties-and-empties": ties_and_empties,
    # enough documents and pairs to cross ranges (span 64), pair-file and text-group splits (sort_bytes 4 KB)
    "large": lambda: drifting(2500, 11, width=30, fresh=0.2) + ties_and_empties(),
}
FLAGS = ["--threshold", "0.8", "--ngram", "2", "--num-perm", "32"]


def run_documents(tmp_path, texts, *extra, monkeypatch=None):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    rm, out = tmp_path / "rm.jsonl", tmp_path / "out.jsonl"
    assert cli.main(["documents", str(src), "--out", str(out), "--removed", str(rm), "--quiet", *FLAGS, *extra]) == 0
    removed = [json.loads(line) for line in rm.read_text(encoding="utf-8").splitlines()]
    kept = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    return {r["id"]: (r["duplicate_of"], r["similarity"]) for r in removed}, kept


@pytest.mark.parametrize("corpus", sorted(CORPORA))
@pytest.mark.parametrize("verify", [None, "exact", "signature"])
def test_the_command_drops_exactly_what_find_duplicates_drops(tmp_path, monkeypatch, corpus, verify):
    monkeypatch.setattr(ondisk, "MIN_SPAN", 64)  # many ranges of documents
    monkeypatch.setattr(ondisk, "SORT_BYTES", 1 << 12)  # partitions, pair files and text groups split
    monkeypatch.setattr(cli, "BATCH", 37)
    texts = CORPORA[corpus]()
    got, kept = run_documents(tmp_path, texts, *(["--verify", verify] if verify else []))
    want = dedup.find_duplicates(texts, threshold=0.8, ngram=2, num_perm=32, **({"verify": verify} if verify else {}))
    assert got == {p: (m.matched, round(m.similarity, 4)) for p, m in want.matches.items()}
    assert kept == want.kept
    if corpus != "ties-and-empties":  # the corpus decides differently on the estimate: the test can tell them apart
        other = dedup.find_duplicates(texts, threshold=0.8, ngram=2, num_perm=32,
                                      verify="signature" if verify != "signature" else "exact")
        assert set(other.matches) != set(want.matches)
    else:  # ties go to the earliest, empty texts match nothing
        assert got[2] == (1, 1.0) and got[6] == (1, 1.0) and got[10] == (9, 1.0) and not {0, 3, 8} & set(got)


def test_exact_is_the_default_and_the_summary_says_which_verification(tmp_path, capsys):
    texts = drifting(300, 2, width=20)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    for flags, said in (([], "exact Jaccard"), (["--verify", "signature"], "signature estimate")):
        assert cli.main(["documents", str(src), "--out", str(tmp_path / "o.jsonl"), *FLAGS, *flags]) == 0
        assert re.search(rf"^verification +{said}$", capsys.readouterr().err, re.MULTILINE)


def pair_at(j_words, seed):
    """Two texts of 30 distinct words sharing the first ``j_words``."""
    rng = random.Random(seed)
    a = [f"a{rng.randrange(10**9)}" for _ in range(30)]
    b = a[:j_words] + [f"b{rng.randrange(10**9)}" for _ in range(30 - j_words)]
    return " ".join(a), " ".join(b)


@pytest.mark.parametrize("verify", ["exact", "signature"])
def test_explain_says_near_duplicates_exactly_when_the_run_drops_the_pair(tmp_path, capsys, verify):
    flags = ["--threshold", "0.8", "--ngram", "1", "--num-perm", "32", "--verify", verify]
    verdicts = []
    for k in range(22, 31):
        for seed in range(4):
            a, b = pair_at(k, seed)
            got, _ = run_documents(tmp_path, [a, b], *flags)  # the same config (later flags win)
            assert cli.main(["explain", a, b, *flags]) == 0
            line = capsys.readouterr().out.splitlines()[0]
            assert line.startswith(("near-duplicates on", "not near-duplicates on"))
            assert f"(--verify {verify})" in line
            verdicts.append((line.startswith("near-duplicates"), 1 in got))
    assert all(said == dropped for said, dropped in verdicts)
    assert {s for s, _ in verdicts} == {True, False}


def test_report_pairs_are_borderline_first_with_both_similarities_a_diff_and_labelled_axes(tmp_path):
    texts = drifting(800, 3, width=20)
    texts += texts[:50:5]  # exact copies too: similarities 0.81 to 1
    src, report = tmp_path / "in.jsonl", tmp_path / "r.html"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    for verify in ("exact", "signature"):
        assert cli.main(["documents", str(src), "--report", str(report), "--quiet", "--verify", verify,
                         "--out", str(tmp_path / "o.jsonl"), *FLAGS]) == 0
        page = report.read_text(encoding="utf-8")
        want = dedup.find_duplicates(texts, threshold=0.8, ngram=2, num_perm=32, verify=verify)
        sims = sorted((m.similarity, p) for p, m in want.matches.items())
        shown = [int(x) for x in re.findall(r"<h3>(\d+) dropped as a duplicate of \d+</h3>", page)]
        assert len(shown) == 12 and shown[:4] == [p for _, p in sims[:4]]  # the four closest to the threshold first
        tenth = lambda s: min(int((s - 0.8) / 0.02), 9)
        # drawn across the range: every tenth of [0.8, 1] that holds a drop has one shown
        assert {tenth(want.matches[p].similarity) for p in shown} == {tenth(s) for s, _ in sims}
        assert len({tenth(s) for s, _ in sims}) >= 3
        assert page.count("exact Jaccard ") >= 12 and page.count("signature estimate ") >= 12
        assert "<del>" in page and "<ins>" in page
        assert page.count('class="xlabel"') == 3 and page.count('class="ylabel"') == 3
        assert f"verification on {verify}" in page
        exact = [float(x) for x in re.findall(r"<p>exact Jaccard ([0-9.]+), signature estimate", page)]
        flagged = page.count("<section class=pair flagged>")
        assert flagged == sum(j < 0.8 for j in exact)
        if verify == "exact":
            assert min(exact) >= 0.8 and flagged == 0


def test_the_report_flags_pairs_the_estimate_dropped_below_the_threshold(tmp_path):
    # pairs at Jaccard 0.67-0.76 (word 1-grams), of which the 32-value estimate puts some at 0.8 or more
    texts = [t for k in (24, 25, 26) for seed in range(12) for t in pair_at(k, 100 * k + seed)]
    src, report = tmp_path / "in.jsonl", tmp_path / "r.html"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    flags = ["--threshold", "0.8", "--ngram", "1", "--num-perm", "32"]
    for verify in ("exact", "signature"):
        assert cli.main(["documents", str(src), "--report", str(report), "--quiet", "--verify", verify,
                         "--out", str(tmp_path / "o.jsonl"), *flags]) == 0
        page = report.read_text(encoding="utf-8")
        want = dedup.find_duplicates(texts, threshold=0.8, ngram=1, num_perm=32, verify=verify)
        flagged = page.count("<section class=pair flagged>")
        if verify == "exact":
            assert not want.matches and "No pairs." in page and flagged == 0
        else:
            assert 0 < len(want.matches) <= 12 and flagged == len(want.matches)
            assert f"{flagged} of the {flagged} pairs shown have an exact Jaccard below the threshold" in page


def test_report_of_a_huge_document_stays_small(tmp_path):
    big = " ".join(f"w{i}" for i in range(400_000))  # 3 MB
    src, report = tmp_path / "in.jsonl", tmp_path / "r.html"
    src.write_text(json.dumps({"text": big}) + "\n" + json.dumps({"text": big + " end"}) + "\n", encoding="utf-8")
    assert cli.main(["documents", str(src), "--report", str(report), "--quiet"]) == 0
    page = report.read_text(encoding="utf-8")
    assert "dropped as a duplicate of" in page and len(page) < 100_000 and "more characters" in page
