"""The dedup command: in this process (``dedup.cli.main``, the ``run_dedup``
fixture), and as the installed console script where a real process is the
point (the entry point itself, a terminated run)."""

import csv
import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ef7bace14a8e43ce.txt"
STORY = "The council approved the new budget on Tuesday evening after a long debate about schools and roads."
ROWS = [
    {"id": "a", "text": STORY, "lang": "en"},
    {"id": "b", "text": "Heavy snow closed the mountain pass for the third day in a row, officials said.", "lang": "en"},
    {"id": "c", "text": STORY.upper() + "!", "lang": "en"},
    {"id": "d", "text": "A local bakery won the national bread prize with its old sourdough starter.", "lang": "en"},
]


def console_script():
    return shutil.which("dedup") or str(Path(sys.executable).parent / "dedup")


def write_jsonl(path, rows, bad_line=None):
    lines = [json.dumps(r) for r in rows]
    if bad_line is not None:
        lines.insert(bad_line, "{not json")
    data = "\n".join(lines) + "\n"
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(data)
    elif str(path).endswith(".zst"):
        zstandard = pytest.importorskip("zstandard")
        path.write_bytes(zstandard.ZstdCompressor().compress(data.encode()))
    else:
        path.write_text(data, encoding="utf-8")


def read_jsonl(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("name", ["in.jsonl", "in.jsonl.gz", "in.jsonl.zst"])
def test_jsonl_documents(tmp_path, name, run_dedup):
    src = tmp_path / name
    write_jsonl(src, ROWS)
    out, removed, clusters = tmp_path / "out.jsonl", tmp_path / "removed.jsonl", tmp_path / "clusters.jsonl"
    run = run_dedup("documents", src, "--out", out, "--removed", removed, "--clusters", clusters, "--quiet")
    assert run.returncode == 0, run.stderr
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b", "d"]
    assert read_jsonl(out)[0] == ROWS[0]  # records unchanged
    (gone,) = read_jsonl(removed)
    assert gone["id"] == "c" and gone["duplicate_of"] == "a" and gone["similarity"] == 1.0
    assert read_jsonl(clusters) == [{"cluster": 0, "kept": "a", "members": ["a", "c"], "similarity": {"c": 1.0}}]


def test_the_installed_console_script_and_python_m_dedup_run_the_command(tmp_path):
    """The real processes of these tests: the entry point pyproject.toml
    installs (``dedup = dedup.cli:main``) and ``python -m dedup`` give
    main's exit code and output."""
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(src, ROWS)
    run = subprocess.run([console_script(), src, "--out", out], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b", "d"]
    assert re.search(r"^documents in +4$", run.stderr, re.MULTILINE), run.stderr  # the summary, on stderr
    run = subprocess.run([sys.executable, "-m", "dedup", tmp_path / "missing.jsonl"], capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 2 and "no such file or folder" in run.stderr


def test_csv_and_parquet(tmp_path, run_dedup):
    src = tmp_path / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "text", "lang"])
        w.writeheader()
        w.writerows(ROWS)
    run = run_dedup("documents", src, "--out", tmp_path / "out.csv", "--quiet")
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        assert [r["id"] for r in csv.DictReader(f)] == ["a", "b", "d"]
    bad = run_dedup("documents", src, "--text-field", "body")
    assert bad.returncode == 1 and "in.csv:2: no field 'body'" in bad.stderr
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "in.parquet")
    run = run_dedup("documents", tmp_path / "in.parquet", "--out", tmp_path / "out.parquet", "--quiet")
    assert run.returncode == 0, run.stderr
    assert pq.read_table(tmp_path / "out.parquet").column("id").to_pylist() == ["a", "b", "d"]
    pq.write_table(pa.Table.from_pylist([{"id": "x", "text": 3}]), tmp_path / "bad.parquet")
    bad = run_dedup("documents", tmp_path / "bad.parquet")
    assert bad.returncode == 1 and "bad.parquet:1: int in field 'text'" in bad.stderr


def test_bad_records_stop_or_are_skipped_and_nothing_partial_is_left(tmp_path, run_dedup):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, ROWS + [{"id": "e", "body": "no text field"}], bad_line=2)
    out = tmp_path / "out.jsonl"
    run = run_dedup("documents", src, "--out", out)
    assert run.returncode == 1 and "in.jsonl:3: not valid JSON" in run.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]
    run = run_dedup("documents", src, "--out", out, "--skip-bad")
    assert run.returncode == 0, run.stderr
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b", "d"]
    assert re.search(r"^bad records skipped +2$", run.stderr, re.MULTILINE)
    run = run_dedup("documents", src, "--out", src)
    assert run.returncode == 2 and "is an input" in run.stderr
    run = run_dedup("documents", tmp_path / "in.jsonl", "--text-field", "body")
    assert run.returncode == 1 and "in.jsonl:1: no field 'body'" in run.stderr
    assert run_dedup("documents", src, "--threshold", "0").returncode == 2
    assert run_dedup("nonsense-job-file.jsonl").returncode == 2


def test_repeats_and_annotate_on_the_seed(tmp_path, run_dedup):
    out = tmp_path / "clean.jsonl"
    run = run_dedup("repeats", SEED, "--out", out, "--quiet")
    assert run.returncode == 0, run.stderr
    (row,) = read_jsonl(out)
    seed = SEED.read_text(encoding="utf-8")
    assert row["id"] == str(SEED) and row["text"] == "\n".join(seed.split("\n")[:8])
    run = run_dedup("repeats", SEED, "--out", out, "--annotate", "--quiet")
    (row,) = read_jsonl(out)
    assert row["text"] == seed and len(row["cuts"]) == 15 and row["cuts"][0]["kind"] == "repeat"


def test_boilerplate_learn_and_apply(tmp_path, run_dedup):
    rows = [{"id": i, "text": f"Mandatory credit: {a}\n{s}"} for i, (a, s) in enumerate(
        zip(["Reuters", "Reuters", "AP", "Reuters"], [r["text"] for r in ROWS]))]
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    run = run_dedup("boilerplate", src, "--learn", tmp_path / "bp.json", "--min-docs", "3")
    assert run.returncode == 0, run.stderr
    assert "Mandatory credit: *" in run.stdout
    run = run_dedup("boilerplate", src, "--apply", tmp_path / "bp.json", "--out", tmp_path / "out.jsonl", "--quiet")
    assert run.returncode == 0, run.stderr
    assert [r["text"] for r in read_jsonl(tmp_path / "out.jsonl")] == [r["text"] for r in ROWS]


def test_report_and_explain(tmp_path, run_dedup):
    report = tmp_path / "report.html"
    run = run_dedup("documents", SEED, "--by", "line", "--report", report, "--quiet")
    assert run.returncode == 0, run.stderr
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "http" not in page.lower().replace("http-equiv", "")
    assert page.count("<svg") == 3 and "<mark>" in page and "Largest clusters" in page
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(STORY + " Updated 10:02", encoding="utf-8")
    b.write_text(STORY + " Updated 11:45", encoding="utf-8")
    run = run_dedup("explain", a, b, "--threshold", "0.5")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("near-duplicates on exact Jaccard (--verify exact): Jaccard 0.778 (threshold 0.5)")
    assert "[[The council approved" in run.stdout


def test_all_jobs_in_one_pass(tmp_path, run_dedup):
    rows = [{"id": i, "text": f"Mandatory credit: {a}\n{s}\n{s}"} for i, (a, s) in enumerate(
        zip(["Reuters", "Reuters", "AP", "Reuters"], [r["text"] for r in ROWS]))]
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    assert run_dedup("boilerplate", src, "--learn", tmp_path / "bp.json", "--quiet").returncode == 0
    out = tmp_path / "out.jsonl"
    run = run_dedup("all", src, "--boilerplate", tmp_path / "bp.json", "--out", out, "--quiet")
    assert run.returncode == 0, run.stderr
    # credit lines and repeated paragraphs cut, then the near-duplicate story (c) dropped
    assert [(r["id"], r["text"]) for r in read_jsonl(out)] == [(0, ROWS[0]["text"]), (1, ROWS[1]["text"]), (3, ROWS[3]["text"])]


def test_command_equals_the_library_across_batches_and_cleans_up(tmp_path, run_dedup):
    # 3,000 records (three of the command's batches) of drifting near-copies
    import random

    import dedup as lib

    rng = random.Random(3)
    words = [f"w{i}" for i in range(40)]
    rows = []
    for i in range(3000):
        if rng.random() < 0.5:
            words = [f"w{rng.randrange(10**6)}" for _ in range(40)]  # a new story
        else:
            words[rng.randrange(40)] = f"x{rng.randrange(10**6)}"
        rows.append({"id": f"r{i}", "text": " ".join(words)})
    src, out, work = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "work"
    work.mkdir()
    write_jsonl(src, rows)
    run = run_dedup("documents", src, "--out", out, "--removed", tmp_path / "rm.jsonl", "--work-dir", work, "--quiet")
    assert run.returncode == 0, run.stderr
    want = lib.find_duplicates([r["text"] for r in rows])  # exact verification, by default in both
    assert [r["id"] for r in read_jsonl(out)] == [f"r{i}" for i in range(3000) if i not in want.matches]
    assert {r["id"]: r["duplicate_of"] for r in read_jsonl(tmp_path / "rm.jsonl")} == {
        f"r{p}": f"r{m.matched}" for p, m in want.matches.items()}
    assert 0 < len(want.matches) < 3000 and list(work.iterdir()) == []


def test_several_files_with_bad_and_blank_lines_keep_their_records_in_order(tmp_path, run_dedup):
    one, two, empty = tmp_path / "1.jsonl", tmp_path / "2.jsonl.gz", tmp_path / "3.jsonl"
    write_jsonl(one, ROWS[:2], bad_line=1)
    write_jsonl(two, ROWS[2:] + [{"id": "e", "text": ROWS[1]["text"] + "!"}])
    empty.write_text("\n\n", encoding="utf-8")
    out, rm = tmp_path / "out.jsonl", tmp_path / "rm.jsonl"
    run = run_dedup("documents", one, empty, two, "--out", out, "--removed", rm, "--skip-bad", "--quiet")
    assert run.returncode == 0, run.stderr
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b", "d"]
    assert [(r["id"], r["duplicate_of"]) for r in read_jsonl(rm)] == [("c", "a"), ("e", "b")]
    assert out.read_text(encoding="utf-8").splitlines()[0] == json.dumps(ROWS[0])  # copied byte for byte


def test_a_terminated_run_leaves_no_output_and_no_temporary_files(tmp_path):
    import os
    import signal
    import time

    rows = [{"id": i, "text": f"story {i} " + "words and more words " * 200} for i in range(20000)]
    src, out, work = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "work"
    work.mkdir()
    write_jsonl(src, rows)
    proc = subprocess.Popen([console_script(), "documents", src, "--out", out, "--work-dir", work, "--quiet"])
    deadline = time.time() + 60
    while not list(work.iterdir()) and time.time() < deadline:  # wait until it has temporary files
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(work.iterdir()) == [] and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "work"]
    assert os.path.getsize(src) > 0


def test_engine_spark_flags_are_usage_errors_where_they_do_not_apply(run_dedup, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "a"}\n')
    ran = run_dedup("documents", src, "--out", tmp_path / "o.jsonl", "--master", "local[2]")
    assert ran.returncode == 2
    assert ran.stderr.strip() == "dedup: --master applies with --engine spark; add --engine spark or leave --master out"
    ran = run_dedup("documents", "--engine", "spark", src)
    assert ran.returncode == 2 and "--engine spark needs --out OUT" in ran.stderr
    ran = run_dedup("documents", "--engine", "spark", src, "--out", tmp_path / "o", "--removed", tmp_path / "r")
    assert ran.returncode == 2 and "--removed: not with --engine spark" in ran.stderr
