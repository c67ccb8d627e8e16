"""benchmarks/real_documents.py: the corpus builder is deterministic, its
truth (an exact set-similarity join) equals brute force, and the script runs
end to end on a tiny corpus.

The base pages are the real text kept in tests/data (repeats_real.json), so
none of this depends on what is installed on the machine.
"""

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import real_documents as rd

from dedup.shingling import shingle_hashes


def _docs() -> list[dict]:
    """Real paragraphs from tests/data, three cases to a document."""
    cases = json.loads((ROOT / "tests" / "data" / "repeats_real.json").read_text(encoding="utf-8"))["cases"]
    return [{"source": f"/usr/share/doc/case{k}/README", "text": "\n\n".join(c["text"] for c in cases[k:k + 3])}
            for k in range(0, len(cases), 3)]


def _pages():
    return rd.pages_of({"docs": _docs()})


def test_the_corpus_is_deterministic_and_every_page_has_a_copy():
    pages = _pages()
    assert len(pages) >= 15
    a, b = rd.build_corpus(pages, 0.1, seed=3), rd.build_corpus(pages, 0.1, seed=3)
    assert (a.texts, a.page, a.kind) == (b.texts, b.page, b.kind)
    assert rd.build_corpus(pages, 0.1, seed=4).texts != a.texts
    assert a.nbytes >= 0.1e6
    first = {p: t for t, p, k in zip(a.texts, a.page, a.kind) if k == "first"}
    assert len(first) == a.n_pages == len(set(a.page))
    for t, p, k in zip(a.texts, a.page, a.kind):
        if k == "exact":
            assert t == first[p]
        elif k != "first":
            assert t != first[p]
    # every page is captured at least twice, and not all in a row (the order is shuffled)
    assert all(a.page.count(p) >= 2 for p in first)
    assert a.page != sorted(a.page)
    # a re-capture has another date line, and the same words in its body
    bodies = {i: p.body for i, p in enumerate(pages)}
    for t, p, k in zip(a.texts, a.page, a.kind):
        lines = t.replace("\r\n", "\n").split("\n")
        if k == "recapture":
            assert "\n".join(lines[4:-2]).split() == bodies[p].split()
            assert lines[2].startswith("Updated ") and lines[2] != first[p].split("\n")[2]
        if k in ("edited", "hard negative"):
            assert "\n".join(lines[4:-2]).split() != bodies[p].split()


def test_exact_pairs_equal_brute_force():
    pages = _pages()
    corpus = rd.build_corpus(pages, 0.06, seed=5)
    rng = random.Random(0)
    edited = [rd.edit(corpus.texts[0], rng, target, []) for target in (0.55, 0.65, 0.75, 0.8, 0.85)]
    texts = corpus.texts + ["", "too short", corpus.texts[0], *edited]
    a, b, j = rd.exact_pairs(texts, 0.5)
    got = {(int(x), int(y)): float(v) for x, y, v in zip(a, b, j)}
    sets = [set(shingle_hashes(t, rd.NGRAM).tolist()) for t in texts]
    want = {}
    for x, y in itertools.combinations(range(len(texts)), 2):
        if sets[x] and sets[y]:
            v = len(sets[x] & sets[y]) / len(sets[x] | sets[y])
            if v >= 0.5:
                want[(x, y)] = v
    assert got == want
    assert 0 < sum(0.5 <= v < rd.THRESHOLD for v in want.values())  # near copies below the threshold too
    best = rd.best_earlier(len(texts), a, b, j)
    assert best[len(corpus.texts) + 2] == 1.0 and best[0] == 0.0


def test_quality_counts_against_the_truth():
    best = np.array([0.0, 1.0, 0.85, 0.75, 0.3, 0.81])
    q = rd.quality([1, 3, 4], best)
    assert (q["true"], q["correct"], q["false_drops"], q["false_drops_below_0.7"], q["missed"]) == (3, 1, 2, 1, 2)


@pytest.mark.slow
def test_the_script_runs_on_a_tiny_corpus(tmp_path):
    pages = tmp_path / "pages.json"
    pages.write_text(json.dumps(_docs()), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "real_documents.py"), "--mb", "0.08", "--runs", "1",
         "--pages-json", str(pages), "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
         "--tools", "dedup,dedup-signature,datasketch"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "out" / "real-documents-pages-0.08-15.md").read_text(encoding="utf-8")
    assert md == r.stdout
    assert "| dedup |" in md and "| dedup (verify=signature) |" in md
    data = json.loads((tmp_path / "out" / "real-documents-pages-0.08-15.json").read_text(encoding="utf-8"))
    rows = data["rows"]
    truth = {q["quality"]["true"] for q in rows.values()}
    assert len(truth) == 1 and truth.pop() > 0
    # dedup's exact verification drops what the truth says on this corpus
    q = rows["dedup"]["quality"]
    assert q["false_drops"] == 0 and q["missed"] == 0


@pytest.mark.parametrize(("text", "want"), [
    (("<html><head><style>p {}</style><title>T</title></head><body><p>One &amp; two</p><script>x()</script>"
     "<ul><li>a</li><li>b</li></ul></body></html>"), "T\n\nOne & two\n\na\nb"),
])
def test_html_text(text, want):
    assert rd.html_text(text) == want
