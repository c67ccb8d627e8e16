"""The paragraph jobs take the library's knobs, `all` can skip stages and
counts bytes per stage, and --dry-run shows every cut and what it matched
without writing anything. In-process: the command is a thin shell over
find_repeats / find_boilerplate / Boilerplate."""

import json
import re

import pytest

import dedup
from dedup import cli

DOC = (
    "Use -4 to connect over IPv4 addresses exclusively, never over IPv6.\n"
    "Use -6 to connect over IPv6 addresses exclusively, never over IPv4.\n"
    "The server restarts every night at two in the morning, local time.\n"
    "The server restarts every night at two in the morning, local “time”.\n"
    "The council approved the new budget on Tuesday evening after a long debate about schools, roads and the "
    "future of the old harbour district.\n"
    "The council approved the new budget on Monday evening after a long debate about schools, roads and the "
    "future of the old harbour district.\n"
    "A closing paragraph that nothing else resembles at all."
)
TEXTS = [DOC, DOC.replace("night", "day"), "Only one paragraph here.\nAnd a second, different one."]


def write(tmp_path, texts, name="in.jsonl"):
    src = tmp_path / name
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    return src


def texts_of(path):
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("flags, kw", [
    ([], {}),
    (["--threshold", "0.9"], {"threshold": 0.9}),
    (["--threshold", "0.5", "--ngram", "3"], {"threshold": 0.5, "ngram": 3}),
    (["--unit", "word", "--ngram", "2", "--threshold", "0.5"], {"unit": "word", "ngram": 2, "threshold": 0.5}),
])
def test_repeats_takes_the_library_knobs(tmp_path, flags, kw):
    src, out = write(tmp_path, TEXTS), tmp_path / "out.jsonl"
    assert cli.main(["repeats", str(src), "--out", str(out), "--quiet", *flags]) == 0
    want = [dedup.apply_cuts(t, c) for t, c in zip(TEXTS, dedup.find_repeats(TEXTS, **kw))]
    assert texts_of(out) == want


def test_the_knobs_change_the_answer():
    # so the test above can fail: the flag sets do not all give the same cuts
    answers = {str(dedup.find_repeats(TEXTS, **kw)) for kw in ({}, {"threshold": 0.9}, {"threshold": 0.5, "ngram": 3})}
    assert len(answers) > 1


@pytest.mark.parametrize("argv, message", [
    (["repeats", "X", "--out", "o.jsonl", "--threshold", "1.5"], "--threshold must be in (0, 1], got 1.5"),
    (["repeats", "X", "--out", "o.jsonl", "--ngram", "0"], "--ngram must be an integer"),
    (["repeats", "X"], "repeats needs --out OUT"),
    (["boilerplate", "X", "--learn", "bp.json", "--min-docs", "0"], "--min-docs must be a positive integer, got 0"),
    (["boilerplate", "X", "--learn", "bp.json", "--min-fraction", "2"], "--min-fraction must be in (0, 1], got 2.0"),
    (["boilerplate", "X", "--apply", "bp.json", "--out", "o", "--min-docs", "3"], "--min-docs applies when learning"),
    (["boilerplate", "X", "--learn", "bp.json", "--keep-first"], "--keep-first applies when stripping"),
    (["boilerplate", "X", "--apply", "bp.json", "--out", "o.jsonl", "--keep", "first"], "--keep first: the flag is now --keep-first"),
    (["all", "X", "--learn-boilerplate", "--out", "o.jsonl", "--keep", "none"], "--keep none: the flag is now --keep-first; use no flag"),
    (["boilerplate", "X", "--learn", "bp.json", "--out", "o.jsonl"], "--out applies when stripping"),
    (["repeats", "X", "--out", "o.jsonl", "--dry-run"], "--dry-run writes nothing, so --out o.jsonl"),
    (["all", "X", "--out", "o", "--min-docs", "3"], "add --learn-boilerplate"),
    (["all", "X", "--out", "o", "--skip", "repeats,paragraphs"], "unknown stage 'paragraphs'"),
    (["all", "X", "--out", "o", "--paragraph-threshold", "0"], "--paragraph-threshold must be in (0, 1]"),
    (["documents", "X", "--dry-run", "--annotate"], "--dry-run and --annotate: pick one"),
])
def test_usage_errors_exit_2_with_one_line_naming_the_value(capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


STORIES = ["Heavy snow closed the mountain pass for a third day.", "The council approved the budget after a debate.",
           "A bakery won the national bread prize this year.", "Rivers rose across the north after the storm.",
           "The museum reopened its east wing to visitors.", "Fishermen reported a record catch of herring."]
BP_DOCS = [f"Mandatory credit: {a}\n{s}" for a, s in
           zip(["Reuters", "AP", "Reuters", "The White House", "Reuters", "AP"], STORIES)]


def test_boilerplate_learn_takes_min_docs_and_min_fraction_and_apply_takes_keep(tmp_path, capsys):
    src = write(tmp_path, BP_DOCS)
    bp_path = tmp_path / "bp.json"
    for flags, kw in ((["--min-docs", "3"], {"min_docs": 3}), (["--min-fraction", "0.9", "--min-docs", "2"],
                                                               {"min_fraction": 0.9, "min_docs": 2})):
        assert cli.main(["boilerplate", str(src), "--learn", str(bp_path), "--quiet", *flags]) == 0
        got = dedup.Boilerplate.load(bp_path)
        want = dedup.find_boilerplate(BP_DOCS, **kw)
        assert [(t.text, t.docs) for t in got.templates] == [(t.text, t.docs) for t in want.templates]
        assert got.min_docs == want.min_docs
    assert dedup.Boilerplate.load(bp_path).min_docs == 6  # 0.9 of 6 documents
    assert cli.main(["boilerplate", str(src), "--learn", str(bp_path), "--quiet"]) == 0  # no --min-docs: the default
    bp = dedup.Boilerplate.load(bp_path)
    assert [t.text for t in bp.templates] == [t.text for t in dedup.find_boilerplate(BP_DOCS).templates]
    assert [t.text for t in bp.templates] == ["Mandatory credit: *"]
    out = tmp_path / "out.jsonl"
    for keep_first in (False, True):
        assert cli.main(["boilerplate", str(src), "--apply", str(bp_path), "--out", str(out), "--quiet",
                         *(["--keep-first"] if keep_first else [])]) == 0
        assert texts_of(out) == list(bp.strip(BP_DOCS, keep_first=keep_first))
    assert texts_of(out)[0] == BP_DOCS[0] and texts_of(out)[1] != BP_DOCS[1]  # keep first: the first stays


def test_learn_passes_min_docs_and_labels_as_given(tmp_path, monkeypatch):
    seen = {}
    import dedup.boilerplate

    learn = dedup.boilerplate.find_boilerplate

    def spy(texts, **kw):
        seen.update({k: v for k, v in kw.items() if k != "workers"})  # workers: how many threads, not the answer
        return learn(texts, min_docs=2)

    monkeypatch.setattr(dedup.boilerplate, "find_boilerplate", spy)
    src = write(tmp_path, BP_DOCS)
    assert cli.main(["boilerplate", str(src), "--learn", str(tmp_path / "bp.json"), "--quiet", "--no-labels"]) == 0
    assert seen == {"min_docs": None, "labels": False}
    assert cli.main(["boilerplate", str(src), "--learn", str(tmp_path / "bp.json"), "--quiet", "--min-docs", "4"]) == 0
    assert seen == {"min_docs": 4, "labels": True}


def test_no_labels_learns_no_label_templates(tmp_path):
    src = write(tmp_path, BP_DOCS)
    for flag, labels in (("--labels", True), ("--no-labels", False)):
        bp_path = tmp_path / f"bp-{labels}.json"
        assert cli.main(["boilerplate", str(src), "--learn", str(bp_path), "--quiet", flag]) == 0
        want = dedup.find_boilerplate(BP_DOCS, labels=labels)
        assert [t.text for t in dedup.Boilerplate.load(bp_path).templates] == [t.text for t in want.templates]
    assert any(t.label for t in dedup.find_boilerplate(BP_DOCS, labels=True).templates)
    assert not any(t.label for t in dedup.find_boilerplate(BP_DOCS, labels=False).templates)


ALL_DOCS = [d + "\n" + d.split("\n")[1] for d in BP_DOCS]
ALL_DOCS += [BP_DOCS[0].replace("Reuters", "AP"), ALL_DOCS[1].upper()]


def stage_bytes(err):
    return {m[0]: int(m[1].replace(",", "")) for m in re.findall(r"text bytes removed \(([^)]+)\) +([\d,]+)", err)}


def test_all_skips_stages_and_counts_bytes_per_stage(tmp_path, capsys):
    src, out = write(tmp_path, ALL_DOCS), tmp_path / "out.jsonl"
    base = ["all", str(src), "--out", str(out), "--learn-boilerplate", "--min-docs", "3"]
    assert cli.main(base) == 0
    per = stage_bytes(capsys.readouterr().err)
    assert set(per) == {"repeated paragraphs", "boilerplate lines", "near-duplicate documents"}
    assert all(v > 0 for v in per.values())
    bp = dedup.find_boilerplate(ALL_DOCS, min_docs=3)
    size = lambda t: len(t.encode())
    reps = dedup.find_repeats(ALL_DOCS)
    assert per["repeated paragraphs"] == sum(size(t) - size(dedup.apply_cuts(t, c)) for t, c in zip(ALL_DOCS, reps))
    assert per["boilerplate lines"] == sum(size(dedup.apply_cuts(t, r)) - size(dedup.apply_cuts(t, r + b))
                                           for t, r, b in zip(ALL_DOCS, reps, bp.cuts(ALL_DOCS)))
    cleaned = [dedup.apply_cuts(t, r + b) for t, r, b in zip(ALL_DOCS, reps, bp.cuts(ALL_DOCS))]
    assert texts_of(out) == [cleaned[i] for i in dedup.find_duplicates(cleaned).kept]
    assert cli.main([*base, "--skip", "boilerplate,documents"]) == 0
    per = stage_bytes(capsys.readouterr().err)
    assert set(per) == {"repeated paragraphs"}
    assert texts_of(out) == [dedup.apply_cuts(t, c) for t, c in zip(ALL_DOCS, reps)]
    assert cli.main([*base, "--skip", "repeats"]) == 0
    assert set(stage_bytes(capsys.readouterr().err)) == {"boilerplate lines", "near-duplicate documents"}


def test_dry_run_shows_every_cut_and_its_match_and_writes_nothing(tmp_path, capsys):
    src = write(tmp_path, ALL_DOCS)
    for job in (["repeats"], ["all", "--learn-boilerplate", "--min-docs", "3"], ["documents"]):
        assert cli.main([*job, str(src), "--dry-run", "--json"]) == 0
        shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert sorted(p.name for p in tmp_path.iterdir()) == [src.name] and shown  # nothing written
        for s in shown:
            text = ALL_DOCS[s["id"]]
            if s["stage"] == "repeats":
                assert s["text"] == text[s["start"] : s["end"]] and s["match"] in text and s["match"] != ""
            elif s["stage"] == "boilerplate":
                assert s["text"] == text[s["start"] : s["end"]] and s["match"].startswith("Mandatory credit")
            else:
                assert s["similarity"] >= 0.8 and s["verify"] == "exact" and s["matched_text"]
        stages = {s["stage"] for s in shown}
        assert stages == {"repeats": {"repeats"}, "all": {"repeats", "boilerplate", "documents"},
                          "documents": {"documents"}}[job[0]]
        drops = {s["id"]: s["match"] for s in shown if s["stage"] == "documents"}
        if job[0] == "documents":
            want = dedup.find_duplicates(ALL_DOCS)
            assert drops == {p: m.matched for p, m in want.matches.items()}
    assert list(tmp_path.iterdir()) == [src]
    assert cli.main(["repeats", str(src), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "cut repeats [" in text and "  cut:     " in text and "  matches [" in text
