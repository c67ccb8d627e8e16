"""Bounded memory for one huge document (report, explain, boilerplate learning).

Each test runs the work in a fresh interpreter and asserts on the growth of
its peak resident memory (``ru_maxrss``) over what it held before the call,
with the inputs already built: a generous bound that the earlier code
exceeded several times over. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = os.environ.get("MEMTEST_SRC") or str(Path(__file__).resolve().parents[2] / "src")

# the work of each test, run in a child: TEXTS builds the inputs, the test's
# code does the work; the child prints one JSON line
PRELUDE = """
import json, random, resource, sys
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux
def words(n, seed, vocab=50000):
    rng = random.Random(seed)
    return [f"w{rng.randrange(vocab)}" for _ in range(n)]
"""


def run_child(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", PRELUDE + code], capture_output=True, text=True, env=env, check=False,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


MB = 1 << 20


@pytest.mark.slow
def test_explain_of_two_huge_texts_takes_memory_proportional_to_their_shingle_hashes(tmp_path):
    """`dedup explain` on two 6 MB near-duplicates: growth under 12 bytes per
    input character (was about 57: Python sets of shingle tuples) and under
    100 KB printed, the texts cut with a note of what was left out."""
    out = tmp_path / "out.txt"
    r = run_child(f"""
from pathlib import Path
w = words(850_000, 1)
a = " ".join(w)
w[::200] = ["x"] * len(w[::200])
b = " ".join(w)
Path({str(tmp_path / 'a.txt')!r}).write_text(a); Path({str(tmp_path / 'b.txt')!r}).write_text(b)
del w
n = len(a) + len(b)
import dedup.cli, dedup.report
dedup.report.explain("warm up the kernels", "and tables first")
before = peak()
with open({str(out)!r}, "w") as f:
    sys.stdout = f
    code = dedup.cli.main(["explain", {str(tmp_path / 'a.txt')!r}, {str(tmp_path / 'b.txt')!r}])
    sys.stdout = sys.__stdout__
print(json.dumps({{"code": code, "grown": peak() - before, "n": n}}))
""")
    assert r["code"] == 0
    assert r["grown"] < 12 * r["n"], f"explain grew {r['grown'] / MB:.0f} MB on {r['n'] / MB:.1f} MB of text"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("near-duplicates on exact Jaccard")
    assert len(text) < 100_000 and text.count("more characters not shown") == 2


def test_explain_marks_only_the_shown_part_and_says_what_it_shows():
    from dedup.report import EXPLAIN_CHARS, explain

    base = " ".join(f"w{i}" for i in range(20_000))  # about 130,000 characters
    r = explain(base, base + " tail", shown=1000)
    assert r["shown"] == 1000 and r["match"] and r["shared_shingles"] == r["shingles_a"]
    assert r["spans_a"] and all(e <= 1000 for _, e in r["spans_a"])
    assert explain("a b", "a b")["shown"] == EXPLAIN_CHARS
    with pytest.raises(ValueError, match="shown must be a number of characters"):
        explain("a", "b", shown=-1)


@pytest.mark.slow
def test_report_of_a_huge_pair_is_small_and_takes_bounded_memory():
    """The report of one pair of 6 MB texts (long unspaced tokens, then
    words): the page stays under 1 MB (was the tokens in the diff) and the
    facts cost under 4 bytes per input character (was about 7)."""
    r = run_child("""
w = words(900_000, 2)
tokens = " ".join("".join(w[i:i + 100]) for i in range(0, 200_000, 100))  # 2,000 tokens of ~600 characters
a = tokens + "\\n" + " ".join(w[200_000:])
b = a.replace("w1", "v1")
n = len(a) + len(b)
del w, tokens
from dedup.config import Config
from dedup.report import html_report
pairs = [{"kept": "a", "id": "b", "kept_text": a, "text": b, "similarity": 0.9}]
html_report({}, [], [], [{**pairs[0], "kept_text": "a b c d e f", "text": "a b c d e f"}], Config())  # warm up
before = peak()
page = html_report({"documents in": 2}, [{"kept": "a", "members": ["a", "b"]}], [0.9], pairs, Config())
print(json.dumps({"grown": peak() - before, "n": n, "page": len(page), "more": "more characters not shown" in page}))
""")
    assert r["page"] < MB and r["more"], r
    assert r["grown"] < 4 * r["n"], f"report grew {r['grown'] / MB:.0f} MB on {r['n'] / MB:.1f} MB of text"


def test_report_diff_compares_a_bounded_prefix_and_says_so():
    from dedup.report import DIFF_CHARS, diff_html

    a = "x" * (10 * DIFF_CHARS)
    page = diff_html(a, a + "y")
    assert len(page) < 3 * DIFF_CHARS and "characters compared" in page
    assert "compared" not in diff_html("a b c", "a b d")


def test_report_cuts_long_ids():
    from dedup.config import Config
    from dedup.report import html_report

    long_id = "i" * 100_000
    pairs = [{"kept": long_id, "id": "b", "kept_text": "a b c d e f", "text": "a b c d e f", "similarity": 1.0}]
    page = html_report({"documents in": 2}, [{"kept": long_id, "members": [long_id, "b"]}], [1.0], pairs, Config())
    assert len(page) < 20_000


@pytest.mark.slow
def test_learning_boilerplate_from_three_copies_of_a_huge_document_takes_bounded_memory():
    """find_boilerplate on three 8 MB documents: under 90 MB of growth
    (was 170 MB, and 7 GB at 100 MB each), and the header and footer lines
    are still found."""
    r = run_child("""
import dedup
rng = random.Random(1)
vocab = [f"w{i}" for i in range(50000)]
lines = ["Home | News | Sport | Contact", "Mandatory credit: Reuters"]
size = 0
while size < 8_000_000:
    line = " ".join(rng.choice(vocab) for _ in range(rng.randrange(5, 30)))
    lines.append(line)
    size += len(line) + 1
lines.append("Copyright 2024 Example News. All rights reserved.")
doc = "\\n".join(lines)
docs = [doc, doc.replace("w1 ", "w2 "), doc.replace("w3 ", "w4 ")]
del lines
dedup.find_boilerplate(["a\\nb", "a\\nc", "a\\nd"])  # warm up the kernels and tables
before = peak()
bp = dedup.find_boilerplate(docs)
grown = peak() - before
ok = all(docs[d][s:e] in {v for v, _ in t.variants} for t in bp.templates for d, s, e in t.examples)
print(json.dumps({"grown": grown, "texts": [t.text for t in bp.templates[:3]], "places": ok}))
""")
    assert r["grown"] < 90 * MB, f"learning grew {r['grown'] / MB:.0f} MB"
    assert set(r["texts"]) == {"Copyright 2024 Example News. All rights reserved.",
                               "Home | News | Sport | Contact", "Mandatory credit: Reuters"}
    assert r["places"]


def test_learning_samples_the_head_and_tail_lines_of_a_huge_document():
    """Lines in the middle of a document longer than LEARN_CHARS are not
    learned from; head and tail lines are, and examples point into the documents."""
    from dedup.boilerplate import LEARN_CHARS, find_boilerplate

    filler = [f"filler line {i} of the body text" for i in range(2 * LEARN_CHARS // 30)]
    mid = len(filler) // 2
    docs = []
    for d in range(3):
        body = filler[:mid] + ["Middle notice: printed mid-page"] + filler[mid:]
        body = [f"{line} doc {d}" for line in body]
        docs.append("\n".join(["Top menu | Home | About", *body, "Footer: all rights reserved"]))
    assert len(docs[0]) > LEARN_CHARS
    bp = find_boilerplate(docs, labels=False)
    texts = {t.text for t in bp.templates}
    assert texts == {"Top menu | Home | About", "Footer: all rights reserved"}
    for t in bp.templates:
        for d, s, e in t.examples:
            assert docs[d][s:e] == t.text
    short = [doc[: LEARN_CHARS // 4] + "\nMiddle notice: printed mid-page\nFooter: all rights reserved" for doc in docs]
    assert "Middle notice: printed mid-page" in {t.text for t in find_boilerplate(short, labels=False).templates}
