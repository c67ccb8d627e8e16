"""Repeated paragraphs inside a document and across documents."""

import bisect
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from naive import spec_lines, spec_paragraph_matches

import dedup

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_ef7bace14a8e43ce.txt").read_text(encoding="utf-8")

BASE = (
    "The council approved the new budget on Tuesday evening after a long debate about schools, roads and "
    "the future of the old harbour district."
)


def test_seed_keeps_exactly_its_first_eight_lines():
    assert dedup.remove_repeats(SEED) == "\n".join(SEED.split("\n")[:8])
    cuts = dedup.find_repeats(SEED)
    assert len(cuts) == 15 and all(c.exact and c.similarity == 1.0 and c.kind == "repeat" for c in cuts)
    for c in cuts:
        assert SEED[c.start : c.end] == SEED[c.match[0] : c.match[1]]
        assert c.match[1] <= c.start


@pytest.mark.parametrize(
    "copy",
    [
        BASE,
        BASE.replace("Tuesday", "Monday"),  # a word changed
        BASE.replace("budget", "budgte"),  # a typo
        BASE.replace("new budget", "“new budget”"),  # other quotes (the first has straight ones)
        BASE.replace(" ", "  ").upper(),  # spacing and case
        BASE + " (Reuters)",
        "Short line, said twice here.",
    ],
)
def test_near_repeats_are_found(copy):
    first = copy if copy.startswith("Short") else BASE.replace("new budget", '"new budget"') if "“" in copy else BASE
    text = f"{first}\nSomething else entirely, about the weather in the mountains.\n{copy}\nThe end."
    cuts = dedup.find_repeats(text)
    assert [(text[c.start : c.end], c.match) for c in cuts] == [(copy, (0, len(first)))]
    assert dedup.remove_repeats(text) == f"{first}\nSomething else entirely, about the weather in the mountains.\nThe end."


def test_unique_paragraphs_on_a_common_pattern_stay():
    text = "\n".join([  # noqa: FLY002 - a sentence a line reads better than one long literal
        "Shares of Acme rose 3% on Monday after the company raised its forecast for the first quarter.",
        "Shares of Globex fell 12% on Friday after the company cut its forecast for the fourth quarter.",
        "Police in Lagos arrested 30 people on Tuesday after protests near the Oslo station.",
        "Police in Osaka arrested 4 people on Thursday after protests near the Lima station.",
    ])
    assert dedup.find_repeats(text) == []


def spec_repeats(text, threshold=0.6, ngram=4):
    """All pairs, plain Python: (start, end, match) of each later copy."""
    spans = spec_lines(text)
    best = spec_paragraph_matches([(0, text[s:e]) for s, e in spans], threshold, ngram, same_doc_only=True)
    return [(*spans[i], spans[best[i][0]]) for i in sorted(best)]


POOL = [
    "Alpha bravo charlie delta echo.", "Foxtrot golf hotel india juliet kilo.", "東京タワーに行きました。",
    "Mandatory credit: Reuters", "Ünïcödé façade “quoted” text…", "x", "ARG1 >= ARG2", "ARG1 <= ARG2",
    BASE, BASE.replace("Tuesday", "Monday"), BASE.replace("schools", "no schools"), BASE + " (Reuters)",
]
VARIANT = st.sampled_from([str.upper, str.lower, lambda p: "  " + p + "\t", lambda p: p.replace(" ", "\u00a0")])


@given(st.lists(st.tuples(st.integers(0, len(POOL) - 1), VARIANT), max_size=12),
       st.sampled_from(["\n", "\r\n", "\n\n", "\r"]))
def test_repeats_equal_the_all_pairs_spec(picks, sep):
    text = sep.join(v(POOL[i]) for i, v in picks)
    got = [(c.start, c.end, c.match) for c in dedup.find_repeats(text, split="line")]
    assert got == spec_repeats(text)
    assert all(text[c[0] : c[1]].strip() == text[c[0] : c[1]] for c in got)


def test_edge_inputs():
    assert dedup.find_repeats("") == [] and dedup.remove_repeats("") == ""
    assert dedup.remove_repeats(" \n\t\n") == " \n\t\n"
    crlf = "One line here.\r\nTwo lines here.\r\nOne line here.\r\n"
    assert dedup.remove_repeats(crlf) == "One line here.\r\nTwo lines here.\r\n"
    assert dedup.find_repeats(["a\na", "b"]) == [[dedup.Cut(2, 3, "repeat", (0, 1), 1.0, True)], []]


@pytest.mark.slow
def test_a_50_mb_paragraph():
    big = " ".join(f"w{i % 100000}" for i in range(8_000_000))
    assert len(big) > 50_000_000
    text = "head\n" + big + "\nhead"
    assert dedup.remove_repeats(text) == "head\n" + big


def test_errors():
    with pytest.raises(TypeError, match="text at position 1 is int"):
        dedup.find_repeats(["ok", 1])
    with pytest.raises(ValueError, match="split must be one of"):
        dedup.find_repeats("a", split="para")
    with pytest.raises(ValueError, match=r"cut \(5, 9\) is outside the text of length 3"):
        dedup.apply_cuts("abc", [(5, 9)])


def test_shared_paragraphs_report_what_went_where():
    a = "Storm hits the coast.\nThousands lost power overnight in the north, \"officials said.\""
    b = "Markets fell today.\nThousands lost power overnight in the north, “officials said.”\nMarkets fell today."
    (ca, cb) = dedup.find_shared_paragraphs([a, b])
    assert ca == []
    (cut,) = cb
    assert cut.kind == "cross-document" and cut.match == (0, 22, 84)
    assert b[cut.start : cut.end] == "Thousands lost power overnight in the north, “officials said.”"
    # repeats inside one text are not cross-document
    assert dedup.remove_shared_paragraphs([a, b]) == [a, "Markets fell today.\nMarkets fell today."]


def spec_shared(texts, threshold=0.6, ngram=4):
    """All pairs, plain Python: per text, (start, end, match) of each
    paragraph matching one of an earlier text."""
    places = [(d, s, e) for d, t in enumerate(texts) for s, e in spec_lines(t)]
    best = spec_paragraph_matches([(d, texts[d][s:e]) for d, s, e in places], threshold, ngram)
    out = [[] for _ in texts]
    for i in sorted(best):
        d, s, e = places[i]
        out[d].append((s, e, places[best[i][0]]))
    return out


@given(st.lists(st.lists(st.tuples(st.integers(0, len(POOL) - 1), VARIANT), max_size=5), max_size=5))
def test_shared_paragraphs_equal_the_all_pairs_spec(docs):
    texts = ["\n".join(v(POOL[i]) for i, v in picks) for picks in docs]
    got = [[(c.start, c.end, c.match) for c in cuts] for cuts in dedup.find_shared_paragraphs(texts, split="line")]
    assert got == spec_shared(texts)


def spec_remove_lines(text, cut):
    """Plain-Python spec of cutting whole lines: ``cut`` holds the indices of
    the lines (with their terminators) that go. Kept lines stay as they are;
    blank lines after a cut line, up to the next kept line, go with it; when
    no kept line follows the last cut, what stands between the last kept
    line's text and the last cut line's break goes (that break, and blank
    lines after it, end the text)."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    kind = ["cut" if i in cut else "blank" if not line.strip() else "kept" for i, line in enumerate(lines)]
    out, after_cut = [], False
    for line, k in zip(lines, kind):
        if k == "kept" or k == "blank" and not after_cut:
            out.append(line)
        after_cut = (k == "cut") or (after_cut and k == "blank")
    if after_cut:
        kept = [i for i, k in enumerate(kind) if k == "kept"]
        last = max(i for i, k in enumerate(kind) if k == "cut")
        tail = lines[last][len(lines[last].rstrip("\r\n")):] + "".join(lines[last + 1 :])
        if not kept:
            return tail
        out = [line for i, line in enumerate(lines[: kept[-1]])
               if kind[i] == "kept" or (kind[i] == "blank" and not _after_cut(kind, i))]
        out.append(lines[kept[-1]].rstrip("\r\n") + tail)
    return "".join(out)


def _after_cut(kind, i):
    """Whether blank line ``i`` follows a cut line with only blank lines between."""
    j = i - 1
    while j >= 0 and kind[j] == "blank":
        j -= 1
    return j >= 0 and kind[j] == "cut"


@given(
    st.lists(st.text(alphabet="ab \n\r\t\u3000é\u2028", max_size=30), min_size=1, max_size=4),
    st.sampled_from(["line", "blank"]),
    st.data(),
)
def test_removing_items_equals_the_line_spec(texts, split, data):
    """Cutting items keeps every other line byte for byte (the line spec)."""
    from dedup._engine.paragraphs import Batch
    from dedup.spans import remove_items

    batch = Batch(texts, split)
    cut = sorted(data.draw(st.sets(st.integers(0, max(len(batch) - 1, 0)), max_size=len(batch))))
    got = remove_items(texts, batch.doc, batch.c0, batch.c1, np.array(cut, dtype=np.int64))
    for d, text in enumerate(texts):
        # the lines each cut item spans
        starts = [m.start() for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)]
        lines = {bisect.bisect_right(starts, c) - 1 for i in cut if batch.doc[i] == d
                 for c in range(int(batch.c0[i]), int(batch.c1[i]))}
        assert got[d] == spec_remove_lines(text, lines)
        assert got[d] == dedup.apply_cuts(text, [(int(batch.c0[i]), int(batch.c1[i])) for i in cut if batch.doc[i] == d])


def test_a_cut_inside_a_line_goes_alone():
    assert dedup.apply_cuts("Storm hits - Example News\nBody.", [(10, 25)]) == "Storm hits\nBody."
    assert dedup.apply_cuts("Body.\nStorm hits - Example News", [(16, 31)]) == "Body.\nStorm hits"
