"""The command's outputs and usage: never overwrite an input or another
output, convert between formats, write valid UTF-8, show text safely, and
answer bad usage with one line and exit code 2. In-process (``cli.main``)."""

import csv
import gzip
import io
import itertools
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dedup import cli

STORY = "The council approved the new budget on Tuesday evening after a long debate about schools and roads."
ROWS = [
    {"id": "a", "text": STORY, "lang": "en"},
    {"id": "b", "text": "Heavy snow closed the mountain pass for the third day in a row, officials said.", "lang": "en"},
    {"id": "c", "text": STORY.upper() + "!", "lang": "en"},
    {"id": "d", "text": "A local bakery won the national bread prize with its old sourdough starter.", "lang": "en"},
]


def run(*argv) -> int:
    """The exit code of the command run in-process (argparse's errors raise SystemExit)."""
    try:
        return cli.main([str(a) for a in argv])
    except SystemExit as e:
        return e.code


def one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def write_input(path: Path, rows=ROWS) -> Path:
    """``rows`` in the format ``path``'s name says (.txt: a folder of .txt files)."""
    name = path.name
    if name.endswith(".parquet"):
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif name.endswith(".csv"):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    elif name.endswith(".txt"):  # a folder of .txt files, one per record
        path.mkdir()
        for r in rows:
            (path / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    else:
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        if name.endswith(".gz"):
            data = gzip.compress(data)
        elif name.endswith(".zst"):
            data = zstandard.ZstdCompressor().compress(data)
        path.write_bytes(data)
    return path


def read_output(path: Path) -> list[dict]:
    name = path.name
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    text = data.decode("utf-8")  # strict: every output is valid UTF-8
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---------------------------------------------------------------- 1, 2: collisions

OUTPUT_FLAGS = {  # flag -> the job and other arguments that make it an output
    "--out": ["documents"],
    "--removed": ["documents"],
    "--clusters": ["documents"],
    "--report": ["documents"],
    "--learn": ["boilerplate"],
}


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative"])
@pytest.mark.parametrize("flag", list(OUTPUT_FLAGS))
def test_an_output_that_is_an_input_is_refused(tmp_path, capsys, monkeypatch, flag, how):
    src = write_input(tmp_path / "in.jsonl")
    before = src.read_bytes()
    target = {"same": src, "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.jsonl",
              "relative": Path("sub/../in.jsonl")}[how]
    if how == "symlink":
        target.symlink_to(src)
    elif how == "hardlink":
        os.link(src, target)
    elif how == "relative":
        (tmp_path / "sub").mkdir()
        monkeypatch.chdir(tmp_path)
    assert run(*OUTPUT_FLAGS[flag], src, flag, target, "--quiet") == 2
    line = one_line(capsys.readouterr().err)
    assert f"{flag} {target}: is an input" in line and "write it somewhere else" in line
    assert src.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("flag", list(OUTPUT_FLAGS))
def test_an_output_that_is_a_txt_file_inside_an_input_folder_is_refused(tmp_path, capsys, flag):
    folder = write_input(tmp_path / "docs.txt")  # a folder of .txt files
    victim = folder / "a.txt"
    before = victim.read_bytes()
    code = run(*OUTPUT_FLAGS[flag], folder, flag, victim, "--quiet")
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert str(victim) in line
    assert victim.read_bytes() == before


def test_the_boilerplate_file_applied_cannot_be_the_output(tmp_path, capsys):
    src = write_input(tmp_path / "in.jsonl")
    bp = tmp_path / "bp.json"
    assert run("boilerplate", src, "--learn", bp, "--min-docs", "2", "--quiet") == 0
    before = bp.read_bytes()
    assert run("boilerplate", src, "--apply", bp, "--out", tmp_path / "bp.json", "--quiet") == 2
    assert "--out" in one_line(capsys.readouterr().err) and bp.read_bytes() == before
    assert run("all", src, "--boilerplate", bp, "--out", bp, "--quiet") == 2
    assert "is the --boilerplate file" in one_line(capsys.readouterr().err) and bp.read_bytes() == before


DOC_OUTPUTS = ["--out", "--removed", "--clusters", "--report"]


@pytest.mark.parametrize("first, second", list(itertools.combinations(DOC_OUTPUTS, 2)))
@pytest.mark.parametrize("how", ["same", "symlink"])
def test_two_outputs_with_one_path_are_refused(tmp_path, capsys, first, second, how):
    src = write_input(tmp_path / "in.jsonl")
    path = tmp_path / "x.jsonl"
    other = path
    if how == "symlink":
        other = tmp_path / "y.jsonl"
        other.symlink_to(path)
    assert run("documents", src, first, path, second, other, "--quiet") == 2
    line = one_line(capsys.readouterr().err)
    assert f"{second} {other}: is also {first} {path}" in line and "its own path" in line
    assert listing(tmp_path) == sorted(["in.jsonl", *(["y.jsonl"] if how == "symlink" else [])])


def test_an_output_that_is_a_folder_or_an_unknown_format_is_a_usage_error(tmp_path, capsys):
    src = write_input(tmp_path / "in.jsonl")
    (tmp_path / "folder").mkdir()
    for argv, said in [
        (["--out", tmp_path / "folder"], "is a folder"),
        (["--out", tmp_path / "o.xml"], "unknown output format"),
        (["--out", tmp_path / "o.txt"], "unknown output format"),
        (["--removed", tmp_path / "o.html"], "unknown output format"),
        (["--clusters", tmp_path / "c.csv"], "clusters are JSON Lines"),
    ]:
        assert run("documents", src, *argv, "--quiet") == 2
        assert said in one_line(capsys.readouterr().err)
    assert listing(tmp_path) == ["folder", "in.jsonl"]


# ---------------------------------------------------------------- 3: conversion

IN_FORMATS = ["in.jsonl", "in.jsonl.gz", "in.jsonl.zst", "in.csv", "in.parquet", "in.txt"]
OUT_FORMATS = ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst", "out.csv", "out.parquet"]


@pytest.mark.parametrize("out_name", OUT_FORMATS)
@pytest.mark.parametrize("in_name", IN_FORMATS)
def test_every_input_format_converts_to_every_output_format(tmp_path, in_name, out_name):
    src = write_input(tmp_path / in_name)
    out, removed = tmp_path / out_name, tmp_path / out_name.replace("out", "removed")
    assert run("documents", src, "--out", out, "--removed", removed, "--quiet") == 0
    kept, gone = read_output(out), read_output(removed)
    if in_name.endswith(".txt"):  # ids are the file names
        assert [Path(r["id"]).stem for r in kept] == ["a", "b", "d"]
        assert [Path(r["id"]).stem for r in gone] == ["c"] and Path(gone[0]["duplicate_of"]).stem == "a"
    else:
        assert [r["id"] for r in kept] == ["a", "b", "d"]
        assert [r["text"] for r in kept] == [ROWS[0]["text"], ROWS[1]["text"], ROWS[3]["text"]]
        assert [r["lang"] for r in kept] == ["en"] * 3
        assert [r["id"] for r in gone] == ["c"] and gone[0]["duplicate_of"] == "a"
    assert float(gone[0]["similarity"]) == 1.0
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


@pytest.mark.parametrize("out_name", ["out.csv", "out.parquet"])
def test_records_with_different_fields_keep_every_field_in_csv_and_parquet(tmp_path, out_name):
    rows = [{"id": "a", "text": "one two three four five six"}, {"id": "b", "text": "seven eight nine ten", "extra": 5}]
    src = write_input(tmp_path / "in.jsonl", rows)
    out = tmp_path / out_name
    assert run("documents", src, "--out", out, "--quiet") == 0
    got = read_output(out)
    assert [r["id"] for r in got] == ["a", "b"] and str(got[1]["extra"]) == "5" and got[0]["extra"] in ("", None)


@pytest.mark.parametrize("job", ["repeats", "boilerplate"])
@pytest.mark.parametrize("out_name", ["out.csv", "out.parquet"])
def test_the_paragraph_jobs_convert_formats_and_keep_every_field(tmp_path, job, out_name):
    para = "The same paragraph appears twice in this document, word for word."
    rows = [{"id": f"r{i}", "text": f"{para}\n\n{para}\n\nRecord {i} ends here."} for i in range(4)]
    rows[2]["source"] = "wire"  # a field the first record does not have: kept, not dropped
    src = write_input(tmp_path / "in.jsonl", rows)
    out = tmp_path / out_name
    extra = ["--apply", tmp_path / "bp.json"] if job == "boilerplate" else []
    if job == "boilerplate":
        assert run("boilerplate", src, "--learn", tmp_path / "bp.json", "--min-docs", "2", "--quiet") == 0
    assert run(job, src, *extra, "--out", out, "--quiet") == 0
    got = read_output(out)
    assert [r["id"] for r in got] == [f"r{i}" for i in range(4)]
    assert all(r["text"].count(para) < 2 for r in got)
    assert got[2]["source"] == "wire" and got[0].get("source") in ("", None)
    assert run(job, src, *extra, "--out", out, "--annotate", "--quiet") == 0
    got = read_output(out)
    cuts = [json.loads(r["cuts"]) if isinstance(r["cuts"], str) else r["cuts"] for r in got]
    assert all(c for c in cuts) and [r["text"] for r in got] == [r["text"] for r in rows]


# ---------------------------------------------------------------- 4: annotate

def test_annotate_to_csv_keeps_duplicate_of_and_similarity(tmp_path):
    src = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "out.csv"
    assert run("documents", src, "--out", out, "--annotate", "--quiet") == 0
    got = {r["id"]: r for r in read_output(out)}
    assert list(got) == ["a", "b", "c", "d"]
    assert got["c"]["duplicate_of"] == "a" and float(got["c"]["similarity"]) == 1.0 and got["c"]["cluster"] == "a"
    assert got["a"]["duplicate_of"] == "" and got["a"]["cluster"] == ""


def test_annotate_to_parquet_past_4096_rows_whose_first_rows_are_all_kept(tmp_path):
    rows = [{"id": i, "text": f"document {i} says {i * 7919 % 10007} and {i * 104729 % 10009} only"}
            for i in range(4200)]
    rows.append({"id": 4200, "text": rows[0]["text"]})  # the one duplicate, past the first 4,096 rows
    src = write_input(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    assert run("documents", src, "--out", out, "--annotate", "--quiet") == 0
    table = pq.read_table(out)
    assert table.num_rows == 4201
    assert table.schema.field("similarity").type == pa.float64()
    assert table.schema.field("duplicate_of").type == pa.int64()
    last = table.slice(4200).to_pylist()[0]
    assert last["duplicate_of"] == 0 and last["similarity"] == 1.0 and last["cluster"] == 0
    assert table.column("duplicate_of").null_count == 4200


def test_annotate_to_json_lines_gives_kept_records_duplicate_of_and_similarity_null(tmp_path):
    src = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    assert run("documents", src, "--out", out, "--annotate", "--quiet") == 0
    got = {r["id"]: r for r in read_output(out)}
    assert list(got) == ["a", "b", "c", "d"]
    assert {k: got["a"][k] for k in ("cluster", "duplicate_of", "similarity")} == dict.fromkeys(
        ("cluster", "duplicate_of", "similarity"))
    assert got["c"]["cluster"] == "a" and got["c"]["duplicate_of"] == "a" and got["c"]["similarity"] == 1.0


@pytest.mark.parametrize("where", ["id", "field", "nested", "row 10,001"])
def test_a_parquet_output_refuses_integers_beyond_64_bits_by_field_and_line(tmp_path, capsys, where):
    rows = [{"id": i, "text": f"document {i} says {i * 7919 % 10007} and {i * 104729 % 10009}", "n": i}
            for i in range(10 if where != "row 10,001" else 10005)]
    line = 10001 if where == "row 10,001" else 3
    if where == "id":
        rows[line - 1]["id"] = 2**70
    elif where == "nested":
        rows[line - 1]["n"] = None
        rows[line - 1]["x"] = {"a": [1, -(2**100)]}
    else:
        rows[line - 1]["n"] = 2**64
    src = write_input(tmp_path / "in.jsonl", rows)
    name, value = {"id": ("id", 2**70), "nested": ("x", -(2**100))}.get(where, ("n", 2**64))
    for job in (["documents"], ["repeats"]):
        assert run(*job, src, "--out", tmp_path / "out.parquet", "--quiet") == 1
        assert one_line(capsys.readouterr().err) == (
            f"dedup: {src}:{line}: field '{name}' holds {value}, beyond Parquet's 64-bit integers; write .jsonl or "
            ".csv instead")
        assert listing(tmp_path) == ["in.jsonl"]
    for other in ("out.jsonl", "out.csv"):  # they hold such numbers
        assert run("documents", src, "--out", tmp_path / other, "--quiet") == 0
        assert str(value) in (tmp_path / other).read_text()


# ---------------------------------------------------------------- 5: lone surrogates

SURROGATE_ROWS = [
    {"id": "s\ud800", "text": STORY + " \ud800"},
    {"id": "b", "text": ROWS[1]["text"]},
    {"id": "dup\udfff", "text": STORY + " \ud800"},
]


def write_surrogates(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in SURROGATE_ROWS), encoding="ascii")  # \ud800 escapes
    return path


@pytest.mark.parametrize("out_name", ["out.jsonl", "out.csv", "out.parquet"])
def test_lone_surrogates_give_valid_utf8_in_every_output(tmp_path, out_name):
    src = write_surrogates(tmp_path / "in.jsonl")
    out, removed, clusters = tmp_path / out_name, tmp_path / "removed.jsonl", tmp_path / "clusters.jsonl"
    report = tmp_path / "report.html"
    assert run("documents", src, "--out", out, "--removed", removed, "--clusters", clusters,
               "--report", report, "--quiet") == 0
    gone = read_output(removed)  # strict UTF-8; JSON escapes read back to the same strings
    assert gone[0]["id"] == "dup\udfff" and gone[0]["duplicate_of"] == "s\ud800"
    assert gone[0]["text"] == STORY + " \ud800"
    assert read_output(clusters)[0]["members"] == ["s\ud800", "dup\udfff"]
    report.read_bytes().decode("utf-8")
    assert run("documents", src, "--out", out, "--annotate", "--quiet") == 0
    kept = read_output(out)
    assert len(kept) == 3
    if out_name.endswith(".jsonl"):
        assert kept[2]["cluster"] == "s\ud800" and kept[0]["text"] == STORY + " \ud800"
    else:  # text formats show them as \udXXX
        assert kept[2]["duplicate_of"] == "s\\ud800" and kept[0]["text"] == STORY + " \\ud800"


def test_lone_surrogates_print_in_the_cluster_listing_and_json(tmp_path, capsysbinary):
    src = write_surrogates(tmp_path / "in.jsonl")
    assert run("documents", src, "--quiet") == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert "keep s\\ud800" in out and "drop dup\\udfff" in out
    assert run("documents", src, "--quiet", "--json") == 0
    row = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert row["members"] == ["s\ud800", "dup\udfff"]


# ---------------------------------------------------------------- 6: terminal escapes

def test_ids_and_texts_are_shown_with_control_characters_escaped(tmp_path, capsys):
    rows = [{"id": "evil\x1b[2J", "text": STORY + " \x1b]0;pwned\x07 \x9b"},
            {"id": "dup\x1b[31m", "text": STORY + " \x1b]0;pwned\x07 \x9b"}]
    src = write_input(tmp_path / "in.jsonl", rows)
    for extra in ([], ["--json"], ["--dry-run"], ["--dry-run", "--json"]):
        assert run("documents", src, "--quiet", *extra) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, extra
        assert ("\\u001b" if "--json" in extra else "\\x1b") in out
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(rows[0]["text"] + "\r\x00")
    b.write_text(rows[1]["text"])
    assert run("explain", a, b) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x9b\x07\x00") and "\\x1b]" in out and "\\x07 \\x9b" in out


# ---------------------------------------------------------------- 7: explain's arguments

def test_explain_refuses_a_missing_path_and_takes_long_literal_text(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for missing in ("nosuch.txt", "dir/file", str(tmp_path / "gone.md")):
        assert run("explain", missing, "some text") == 2
        line = one_line(capsys.readouterr().err)
        assert f"A {missing}: no such file" in line and "--text" in line
    assert run("explain", "some words here", "nosuch.txt") == 2
    assert "B nosuch.txt: no such file" in one_line(capsys.readouterr().err)
    assert run("explain", "--text", "nosuch.txt", "nosuch.txt") == 0
    assert capsys.readouterr().out.startswith("near-duplicates")
    long = "word " * 200 + "x" * 300  # far past a file name's 255 bytes
    assert run("explain", long, long.replace("word", "wurd", 1)) == 0
    assert "Jaccard" in capsys.readouterr().out
    (tmp_path / "folder").mkdir()
    assert run("explain", "folder", "text") == 2
    assert "is a folder" in one_line(capsys.readouterr().err)


# ---------------------------------------------------------------- 8: usage errors exit 2

@pytest.mark.parametrize("argv, said", [
    (["documents", "missing.jsonl", "--out", "o.jsonl"], "missing.jsonl: no such file"),
    (["missing.jsonl"], "missing.jsonl: no such file"),
    (["documents", "in.jsonl", "--out", "o.xml"], "--out o.xml: unknown output format"),
    (["documents", "in.xml"], "in.xml: unknown format"),
    (["documnets", "in.jsonl"], "unknown job 'documnets' (and no such input file); did you mean 'documents'?"),
    (["repeets", "x"], "did you mean 'repeats'?"),
    (["frobnicate"], "unknown job 'frobnicate'"),
    (["documents", "in.jsonl", "--threshold"], "argument --threshold: expected one argument"),
    (["documents", "in.jsonl", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    (["documents"], "the following arguments are required: inputs"),
    (["repeats", "in.jsonl"], "repeats needs --out OUT"),
    (["boilerplate", "in.jsonl", "--apply", "nope.json", "--out", "o.jsonl"], "--apply nope.json: no such file"),
    (["documents", "in.jsonl", "--by", "line"], "--by line splits .txt inputs, but in.jsonl holds records"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch, argv, said):
    monkeypatch.chdir(tmp_path)
    write_input(tmp_path / "in.jsonl")
    (tmp_path / "in.xml").write_text("<a/>")
    assert run(*argv) == 2
    line = one_line(capsys.readouterr().err)
    assert said in line and line.startswith("dedup")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "in.xml"]


@pytest.mark.parametrize("argv, said", [
    (["documents", ""], "dedup: an input is an empty path (''); give a file, folder or glob"),
    (["documents", "in.jsonl", "--out", ""], "dedup: --out is an empty path (''); name the file to write"),
    (["documents", "in.jsonl", "--removed", ""], "dedup: --removed is an empty path (''); name the file to write"),
    (["documents", "in.jsonl", "--clusters", ""], "dedup: --clusters is an empty path (''); name the file to write"),
    (["documents", "in.jsonl", "--report", ""], "dedup: --report is an empty path (''); name the file to write"),
    (["repeats", "in.jsonl", "--out", ""], "dedup: --out is an empty path (''); name the file to write"),
    (["boilerplate", "in.jsonl", "--learn", ""], "dedup: --learn is an empty path (''); name the file to write"),
    (["boilerplate", "in.jsonl", "--apply", "", "--out", "o.jsonl"],
     "dedup: --apply is an empty path (''); give a boilerplate file saved by 'dedup boilerplate --learn'"),
    (["documents", "in.jsonl", "--work-dir", ""],
     "dedup: --work-dir is an empty path (''); name a folder for temporary files, or leave it out"),
], ids=["input", "--out", "--removed", "--clusters", "--report", "repeats --out", "--learn", "--apply", "--work-dir"])
def test_an_empty_path_is_a_usage_error(tmp_path, capsys, monkeypatch, argv, said):
    monkeypatch.chdir(tmp_path)
    write_input(tmp_path / "in.jsonl")
    assert run(*argv) == 2
    assert one_line(capsys.readouterr().err) == said
    assert listing(tmp_path) == ["in.jsonl"]


def test_work_dir_must_be_a_folder_and_a_missing_one_is_made(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_input(tmp_path / "in.jsonl")
    assert run("documents", "in.jsonl", "--out", "o.jsonl", "--work-dir", "in.jsonl", "--quiet") == 2
    assert one_line(capsys.readouterr().err) == (
        "dedup: --work-dir in.jsonl: is a file, not a folder; give a folder for temporary files, or leave --work-dir "
        "out to use the system's temporary folder")
    assert run("documents", "in.jsonl", "--out", "o.jsonl", "--work-dir", "no/such", "--quiet") == 2
    assert one_line(capsys.readouterr().err) == (
        "dedup: --work-dir no/such: no such folder, and its parent no is missing too; create it (mkdir -p no/such), "
        "or give an existing folder")
    assert listing(tmp_path) == ["in.jsonl"]
    assert run("documents", "in.jsonl", "--out", "o.jsonl", "--work-dir", "scratch", "--quiet") == 0
    assert listing(tmp_path) == ["in.jsonl", "o.jsonl", "scratch"]  # made, and left empty
    assert len(read_output(tmp_path / "o.jsonl")) == 3


def test_a_wrong_file_given_to_apply_says_what_it_is(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_input(tmp_path / "in.jsonl")
    (tmp_path / "one.json").write_text('{"templates": []}')
    (tmp_path / "notes.md").write_text("# notes\n")
    write_input(tmp_path / "in.jsonl.gz")
    fix = "give a file saved by 'dedup boilerplate --learn'"
    for given, what in [
        ("in.jsonl", "it looks like JSON Lines records"),
        ("one.json", 'it is not the JSON object a boilerplate file holds (no "format": "dedup-boilerplate")'),
        ("notes.md", "it is not JSON"),
        ("in.jsonl.gz", "it is gzip data"),
    ]:
        assert run("boilerplate", "in.jsonl", "--apply", given, "--out", "o.jsonl", "--quiet") == 2
        assert one_line(capsys.readouterr().err) == f"dedup: --apply {given}: not a dedup boilerplate file: {what}; {fix}"
        assert run("all", "in.jsonl", "--boilerplate", given, "--out", "o.jsonl", "--quiet") == 2
        assert one_line(capsys.readouterr().err).startswith(f"dedup: --boilerplate {given}: not a dedup boilerplate")
    assert listing(tmp_path) == ["in.jsonl", "in.jsonl.gz", "notes.md", "one.json"]


# ---------------------------------------------------------------- 9: empty inputs, Ctrl-C

def test_an_empty_input_warns_and_inputs_with_no_record_at_all_are_an_error(tmp_path, capsys):
    src = write_input(tmp_path / "in.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "notes.md").write_text("not read")
    out = tmp_path / "out.jsonl"
    assert run("documents", src, empty, tmp_path / "nothing", "--out", out, "--quiet") == 0
    err = capsys.readouterr().err
    assert f"dedup: warning: {empty}: empty, no records" in err
    assert f"dedup: warning: {tmp_path / 'nothing'}: a folder with no .txt files in it" in err
    assert len(read_output(out)) == 3
    out.unlink()
    for job in (["documents"], ["repeats"], ["boilerplate", "--learn", tmp_path / "bp.json"]):
        extra = ["--out", out] if job[0] != "boilerplate" else []
        assert run(*job, empty, tmp_path / "nothing", *extra, "--quiet") == 1
        err = capsys.readouterr().err
        assert "no records in the inputs" in err.splitlines()[-1] and "Traceback" not in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "in.jsonl", "nothing"]


def test_records_all_bad_and_skipped_warn_too(tmp_path, capsys):
    src = write_input(tmp_path / "in.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n[1]\n")
    assert run("documents", src, bad, "--skip-bad", "--out", tmp_path / "o.jsonl", "--quiet") == 0
    assert f"dedup: warning: {bad}: no records (2 bad, skipped)" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["reading", "writing"])
def test_ctrl_c_says_interrupted_exits_130_and_leaves_nothing(tmp_path, capsys, monkeypatch, where):
    src = write_input(tmp_path / "in.jsonl")
    work = tmp_path / "work"
    work.mkdir()
    calls = {"n": 0}
    real = cli.Writer.write if where == "writing" else cli.read

    def interrupted(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*a, **kw)

    monkeypatch.setattr(cli.Writer if where == "writing" else cli, "write" if where == "writing" else "read",
                        interrupted)
    argv = ["documents", src, src, "--out", tmp_path / "out.csv", "--removed", tmp_path / "rm.jsonl",
            "--work-dir", work, "--quiet"]
    assert run(*argv) == 130
    assert one_line(capsys.readouterr().err) == "dedup: interrupted"
    assert listing(tmp_path) == ["in.jsonl", "work"]
