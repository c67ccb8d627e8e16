"""Labelled repeat and boilerplate cases from real text (tests/data/*_real.json).

Built by benchmarks/real_cases.py from text on the machine that built them
(man pages, Debian copyright files and changelogs, pydoc, package METADATA);
the tests read only the JSON. Each label is one test: a paragraph that must
(or must not) be cut by ``find_repeats``, a line that must (or must not) be
cut by a ``Boilerplate`` learned from the case's documents. A label with
``known_miss`` is one the code gets wrong for now: a strict xfail, so it
fails once the code gets it right (then run
``python benchmarks/real_cases.py --refresh-misses`` and review the diff).
"""

import functools
import json
from pathlib import Path

import pytest

import dedup

DATA = Path(__file__).parent / "data"
REPEATS = json.loads((DATA / "repeats_real.json").read_text(encoding="utf-8"))["cases"]
BOILERPLATE = json.loads((DATA / "boilerplate_real.json").read_text(encoding="utf-8"))["cases"]


def _params(cases, kinds):
    out = []
    for n, case in enumerate(cases):
        for kind in kinds:
            for k, label in enumerate(case[kind]):
                marks = []
                if "known_miss" in label:
                    marks.append(pytest.mark.xfail(strict=True, reason=label["known_miss"]))
                out.append(pytest.param(n, kind, k, marks=marks,
                                        id=f"{case['id'][:60]}|{kind}|{label['text'][:40]}"))
    return out


@functools.cache
def _repeat_cuts(n):
    return dedup.find_repeats(REPEATS[n]["text"])


@functools.cache
def _boilerplate(n):
    case = BOILERPLATE[n]
    bp = dedup.find_boilerplate(case["docs"], **case["params"])
    return bp.cuts(case["docs"]), list(bp.strip(case["docs"]))


def test_labels_are_spans_of_their_text():
    for case in REPEATS:
        for x in case["must_cut"] + case["must_not_cut"]:
            assert case["text"][x["start"]:x["end"]] == x["text"], case["id"]
    for case in BOILERPLATE:
        for x in case["must_strip"] + case["must_keep"]:
            assert case["docs"][x["doc"]][x["start"]:x["end"]] == x["text"], case["id"]


@pytest.mark.parametrize(("n", "kind", "k"), _params(REPEATS, ["must_cut", "must_not_cut"]))
def test_repeat(n, kind, k):
    label = REPEATS[n][kind][k]
    cuts = _repeat_cuts(n)
    if kind == "must_cut":
        assert any(c.start <= label["start"] and c.end >= label["end"] for c in cuts), "a re-capture is kept"
    else:
        wrong = [c for c in cuts if c.end > label["start"] and c.start < label["end"]]
        assert not wrong, f"cut as a repeat of {REPEATS[n]['text'][wrong[0].match[0]:wrong[0].match[1]]!r}"


@pytest.mark.parametrize(("n", "kind", "k"), _params(BOILERPLATE, ["must_strip", "must_keep"]))
def test_boilerplate(n, kind, k):
    label = BOILERPLATE[n][kind][k]
    cuts, stripped = _boilerplate(n)
    mine = cuts[label["doc"]]
    if kind == "must_strip":
        assert any(c.start <= label["start"] and c.end >= label["end"] for c in mine), "not found as boilerplate"
    else:
        wrong = [c for c in mine if c.end > label["start"] and c.start < label["end"]]
        assert not wrong, f"cut as template {wrong[0].match!r}"
        assert label["text"] in stripped[label["doc"]], "stripped"
