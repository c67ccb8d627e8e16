"""Every bad input is a clear one-line error naming the file and line (exit 1),
or, with --skip-bad, a skipped and counted record; data that is missing (a
file cut short) is never skipped silently. Run in-process through
``dedup.cli.main``."""

import csv
import gzip
import json
import os
import re
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dedup.io
from dedup.cli import main

zstandard = pytest.importorskip("zstandard")

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
         "mike", "november", "oscar", "papa"]


def text_of(i: int) -> str:
    """A text unlike every other one (no two are near-duplicates)."""
    return " ".join(f"{w}{i}x{j}" for j, w in enumerate(WORDS))


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def one_line_error(err: str) -> str:
    """The run's error: exactly one line on stderr, starting ``dedup: ``
    (besides warnings, such as one for an empty input)."""
    lines = [x for x in err.splitlines() if not x.startswith("dedup: warning: ")]
    assert len(lines) == 1 and lines[0].startswith("dedup: "), err
    return lines[0]


def skipped(err: str) -> int:
    """The summary's count of bad records skipped."""
    return int(re.search(r"^bad records skipped +([\d,]+)$", err, re.MULTILINE).group(1).replace(",", ""))


def out_ids(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line).get("id") for line in f if line.strip()]


def jsonl(rows) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


ROWS = [{"id": f"r{i}", "text": text_of(i)} for i in range(400)]


# ---- CSV ---------------------------------------------------------------------------------------------------------


def write_csv(path, rows, header=("id", "text")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_csv_field_over_128_kib_is_read(tmp_path, capsys):
    src, out = tmp_path / "pages.csv", tmp_path / "out.jsonl"
    big = text_of(1) + " " + " ".join(f"w{i}" for i in range(60_000))  # ~470 KB, over csv's default 128 KiB
    write_csv(src, [("a", text_of(0)), ("b", big), ("c", big + " end"), ("d", text_of(2))])
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet")
    assert code == 0, err
    assert out_ids(out) == ["a", "b", "d"]


def test_csv_field_over_the_limit_is_a_clear_error_even_with_skip_bad(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dedup.io, "MAX_FIELD", 1000)
    src = tmp_path / "pages.csv"
    long_field = "\n".join(["word " * 50] * 10)  # lines of 250 characters, a field of 2,509
    write_csv(src, [("a", text_of(0)), ("b", long_field), ("c", text_of(1))])
    for extra in ([], ["--skip-bad"]):
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", *extra)
        assert code == 1
        assert one_line_error(err).startswith(f"dedup: {src}:3: a field over 1,000 characters")
    write_csv(src, [("a", text_of(0)), ("b", "word " * 300)])  # one line over the limit
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", "--skip-bad")
    assert code == 1 and one_line_error(err).startswith(f"dedup: {src}:3: a line over 1,000 bytes")


def test_csv_invalid_utf8_names_file_line_and_byte_or_is_skipped(tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_bytes(f"id,text\na,{text_of(0)}\nb,caf\xe9 {text_of(1)}\nc,{text_of(2)}\n".encode("latin-1"))
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet")
    assert code == 1 and not out.exists()
    assert one_line_error(err).startswith(
        f"dedup: {src}:3: not valid UTF-8 (byte 0xe9 at position 5); fix: re-encode the file as UTF-8")
    code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
    assert code == 0 and skipped(err) == 1
    assert out_ids(out) == ["a", "c"]


def test_csv_rows_are_numbered_by_the_line_they_start_on(tmp_path, capsys):
    src = tmp_path / "in.csv"
    write_csv(src, [("a", "one\ntwo\nthree " + text_of(0)), ("b", 7), ("c", text_of(1), "extra")])
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
    assert code == 1
    assert one_line_error(err).startswith(f"dedup: {src}:6: 3 fields where the header has 2")


def test_csv_ragged_rows_are_bad_records(tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    write_csv(src, [("a", text_of(0)), ("b", text_of(1), "x"), ("c",), ("d", text_of(2))])
    code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
    assert code == 0 and skipped(err) == 2
    assert out_ids(out) == ["a", "d"]


def test_csv_cut_inside_a_quoted_field_is_missing_data_not_a_record(tmp_path, capsys):
    src = tmp_path / "in.csv"
    write_csv(src, [("a", text_of(0)), ("b", "para one\n\npara two " + text_of(1)), ("c", text_of(2))])
    data = src.read_bytes()
    src.write_bytes(data[: data.index(b"para two")])  # the file ends inside b's quoted text
    for extra in ([], ["--skip-bad"]):
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", *extra)
        assert code == 1
        assert one_line_error(err).startswith(f"dedup: {src}:3: the quoted field opened on line 3 is never closed")


def test_csv_with_a_bom_keeps_its_first_column(tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + f"id,text\r\na,{text_of(0)}\r\nb,{text_of(1)}\r\n".encode())
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet", "--id-field", "id")
    assert code == 0, err
    assert out_ids(out) == ["a", "b"]


# ---- compressed inputs -------------------------------------------------------------------------------------------


def compress(kind: str, data: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(data, mtime=0)
    return zstandard.ZstdCompressor(write_checksum=True).compress(data)


@pytest.mark.parametrize("kind", ["gz", "zst"])
@pytest.mark.parametrize("skip_bad", [False, True])
def test_a_truncated_compressed_file_is_an_error_naming_it_even_with_skip_bad(tmp_path, capsys, kind, skip_bad):
    src = tmp_path / f"in.jsonl.{kind}"
    data = compress(kind, jsonl(ROWS))
    src.write_bytes(data[: len(data) // 3])
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", *(["--skip-bad"] if skip_bad else []))
    assert code == 1
    line = one_line_error(err)
    assert line.startswith(f"dedup: {src}") and "truncated" in line and "--skip-bad" in line


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["gz", "zst"]), cut=st.floats(0, 1, exclude_max=True))
def test_every_cut_of_a_compressed_file_is_caught(tmp_path_factory, capsys, kind, cut):
    src = tmp_path_factory.mktemp("cut") / f"in.jsonl.{kind}"
    data = compress(kind, jsonl(ROWS[:40]))
    src.write_bytes(data[: 1 + int(cut * (len(data) - 1))])  # 1 to len - 1 bytes: always short of the end
    for extra in ([], ["--skip-bad"]):
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", *extra)
        assert code == 1
        assert one_line_error(err).startswith(f"dedup: {src}")


def test_garbage_gzip_and_corrupt_zstd_name_the_file(tmp_path, capsys):
    gz, zst = tmp_path / "in.jsonl.gz", tmp_path / "in.jsonl.zst"
    gz.write_bytes(b"this is not gzip at all\n")
    data = compress("zst", jsonl(ROWS))
    zst.write_bytes(data[:40] + bytes(len(data) - 80) + data[-40:])  # same length, blocks zeroed
    for src in (gz, zst):
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", "--skip-bad")
        assert code == 1
        line = one_line_error(err)
        assert line.startswith(f"dedup: {src}") and "corrupt" in line


def test_complete_zstd_files_of_several_frames_are_read_whole(tmp_path, capsys):
    """The completeness check passes frames one after another, skippable
    frames, and frames with and without checksums and sizes."""
    src, out = tmp_path / "in.jsonl.zst", tmp_path / "out.jsonl"
    parts = [jsonl(ROWS[:100]), jsonl(ROWS[100:250]), jsonl(ROWS[250:])]
    skippable = (0x184D2A53).to_bytes(4, "little") + (6).to_bytes(4, "little") + b"ignore"
    src.write_bytes(zstandard.ZstdCompressor(write_checksum=True).compress(parts[0]) + skippable
                    + zstandard.ZstdCompressor(write_content_size=False).compress(parts[1])
                    + zstandard.ZstdCompressor(level=19).compress(parts[2]))
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet")
    assert code == 0, err
    assert out_ids(out) == [r["id"] for r in ROWS]


def test_a_truncated_parquet_file_names_the_file(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), src)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", "--skip-bad")
    assert code == 1
    assert one_line_error(err).startswith(f"dedup: {src}: not a readable Parquet file")


# ---- JSON Lines records ------------------------------------------------------------------------------------------


def test_a_named_id_field_is_required(tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl([{"key": "a", "text": text_of(0)}, {"id": "b", "text": text_of(1)},
                           {"key": "c", "text": text_of(2)}]))
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet", "--id-field", "nope")
    assert code == 1 and not out.exists()
    assert one_line_error(err).startswith(
        f"dedup: {src}:1: no field 'nope' named by --id-field (the record has fields 'key', 'text')")
    code, _, err = run(capsys, "documents", src, "--out", out, "--id-field", "key", "--skip-bad")
    assert code == 0 and skipped(err) == 1
    assert out_ids(out) == [None, None]  # the records as read: a and c, which have no "id"
    assert [json.loads(x)["key"] for x in out.read_text().splitlines()] == ["a", "c"]
    # left out, the id is the field "id" where there is one, else file:line
    src.write_bytes(jsonl([{"text": text_of(0)}, {"id": "b", "text": text_of(0)}]))
    code, out_text, err = run(capsys, "documents", src, "--quiet", "--json")
    assert code == 0, err
    assert json.loads(out_text)["members"] == [f"{src}:1", "b"]


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, 1.5, True])
def test_an_id_that_is_not_a_string_or_integer_is_a_bad_record(tmp_path, capsys, value):
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl([{"id": "a", "text": text_of(0)}, {"id": value, "text": text_of(1)}]))
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
    assert code == 1
    assert one_line_error(err).startswith(f"dedup: {src}:2: {type(value).__name__} in field 'id', where an id must")


def test_json_lines_invalid_utf8_names_the_byte(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl(ROWS[:2]) + b'{"id": "x", "text": "caf\xe9"}\n')
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
    assert code == 1
    assert one_line_error(err).startswith(
        f"dedup: {src}:3: not valid UTF-8 (byte 0xe9 at position 24); fix: re-encode the file as UTF-8")


@pytest.mark.parametrize("bad", [b'{"id": "x", "text": "a", "n": NaN}', b'{"id": "x", "text": "a", "n": -Infinity}'])
def test_nan_and_infinity_are_bad_records_with_or_without_orjson(tmp_path, capsys, monkeypatch, bad):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(ROWS[:2]) + bad + b"\n" + jsonl(ROWS[2:3]))
    errors = []
    for orjson in {dedup.io.orjson, None}:
        monkeypatch.setattr(dedup.io, "orjson", orjson)
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
        assert code == 1
        errors.append(one_line_error(err))
        assert errors[-1].startswith(f"dedup: {src}:3: not valid")
        code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
        assert code == 0 and skipped(err) == 1 and out_ids(out) == ["r0", "r1", "r2"]
    assert len(set(errors)) == 1


def test_a_line_over_the_limit_is_read_past_and_skipped(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dedup.io, "MAX_FIELD", 2000)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(ROWS[:2]) + jsonl([{"id": "big", "text": "word " * 1000}]) + jsonl(ROWS[2:4]))
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
    assert code == 1
    assert one_line_error(err).startswith(f"dedup: {src}:3: a line over 2,000 bytes")
    code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
    assert code == 0 and skipped(err) == 1
    assert out.read_bytes() == jsonl(ROWS[:4])  # the kept lines, copied byte for byte


class FakeOrjson:
    """orjson where it is not installed: parses what orjson parses, and
    refuses, as it does, lists and objects nested over 1,024 levels."""

    JSONDecodeError = ValueError

    @staticmethod
    def loads(data: bytes):
        depth = deepest = 0
        for c in data:
            depth += (c in b"[{") - (c in b"]}")
            deepest = max(deepest, depth)
        if deepest > 1024:
            raise ValueError("recursion limit reached")
        return json.loads(data)

    @staticmethod
    def dumps(value, default=None) -> bytes:
        return json.dumps(value, default=default, separators=(",", ":")).encode()


@pytest.mark.parametrize("levels", [600, 100_000])
def test_json_nested_too_deep_is_a_bad_record_with_or_without_orjson(tmp_path, capsys, monkeypatch, levels):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.csv"
    deep = b'{"id": "deep", "text": "x", "d": ' + b"[" * levels + b"]" * levels + b"}"
    deepest_read = b'{"id": "r9", "text": "' + text_of(9).encode() + b'", "d": ' + b"[" * 511 + b"]" * 511 + b"}"
    src.write_bytes(jsonl(ROWS[:2]) + deep + b"\n" + deepest_read + b"\n" + jsonl(ROWS[2:3]))
    for orjson in (dedup.io.orjson or FakeOrjson, None):
        monkeypatch.setattr(dedup.io, "orjson", orjson)
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet")
        assert code == 1
        assert one_line_error(err) == (f"dedup: {src}:3: nested too deep (lists and objects more than 512 levels deep, "
                                       "the most dedup reads); fix the line (pass --skip-bad to skip and count such "
                                       "records)")
        code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
        assert code == 0 and skipped(err) == 1, err
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["id"] for r in rows] == ["r0", "r1", "r9", "r2"]  # 512 levels: read, and written
        assert rows[2]["d"] == "[" * 511 + "]" * 511


def test_json_errors_say_what_and_where_and_a_last_line_cut_short_says_so(tmp_path, capsys):
    nul, cut, out = tmp_path / "nul.jsonl", tmp_path / "cut.jsonl", tmp_path / "out.jsonl"
    nul.write_bytes(b'{"id": "x", "text": "nul \x00 byte"}\n' + jsonl(ROWS[:1]))
    code, _, err = run(capsys, "documents", nul, "--dry-run", "--quiet")
    assert code == 1
    assert one_line_error(err).startswith(
        f"dedup: {nul}:1: not valid JSON (Invalid control character '\\x00' at position 25); fix the line")
    nul.write_bytes(jsonl(ROWS[:1]) + b'{"id": "x", "text": "caf\xc3\xa9 broken\n' + jsonl(ROWS[1:2]))
    code, _, err = run(capsys, "documents", nul, "--dry-run", "--quiet")
    assert code == 1  # cut inside the file: not valid, and where
    assert one_line_error(err).startswith(
        f"dedup: {nul}:2: not valid JSON (the line ends inside a string at position 33); fix the line")
    for end in (b'{"id": "r2", "text": "the file ends in', b'{"id": "r2", "text": "x"', b'{"id": "r2", '):
        cut.write_bytes(jsonl(ROWS[:2]) + end)  # no line break after it: the file ends inside the record
        code, _, err = run(capsys, "documents", cut, "--dry-run", "--quiet")
        assert code == 1
        assert one_line_error(err).startswith(f"dedup: {cut}:3: cut short (the file ends inside this record: "), end
        code, _, err = run(capsys, "documents", cut, "--out", out, "--skip-bad")
        assert code == 0 and skipped(err) == 1 and out_ids(out) == ["r0", "r1"]
    cut.write_bytes(jsonl(ROWS[:3])[:-1])  # complete, without the last line break: read
    code, _, err = run(capsys, "documents", cut, "--out", out, "--quiet")
    assert code == 0 and out_ids(out) == ["r0", "r1", "r2"]


def test_a_null_id_counts_as_missing(tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "removed.jsonl"
    src.write_bytes(jsonl([{"id": None, "text": text_of(0)}, {"id": "b", "text": text_of(0)}]))
    code, listing, err = run(capsys, "documents", src, "--quiet", "--json", "--removed", out)
    assert code == 0, err
    assert json.loads(listing)["members"] == [f"{src}:1", "b"]
    assert [json.loads(x)["duplicate_of"] for x in out.read_text().splitlines()] == [f"{src}:1"]
    code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", "--id-field", "id")
    assert code == 1 and one_line_error(err).startswith(f"dedup: {src}:1: null in field 'id' named by --id-field")


# ---- .txt inputs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["line", "paragraph"])
def test_txt_split_by_line_or_paragraph_skips_only_the_bad_part(tmp_path, capsys, by):
    folder, out = tmp_path / "tb", tmp_path / "out.jsonl"
    folder.mkdir()
    parts = [text_of(0).encode(), f"caf\xe9 {text_of(1)}".encode("latin-1"), text_of(2).encode(), text_of(3).encode()]
    src = folder / "a.txt"
    src.write_bytes((b"\n" if by == "line" else b"\n\n").join(parts) + b"\n")
    lines = [1, 2, 3, 4] if by == "line" else [1, 3, 5, 7]
    code, _, err = run(capsys, "documents", folder, "--by", by, "--out", out, "--quiet")
    assert code == 1 and not out.exists()
    assert one_line_error(err).startswith(
        f"dedup: {src}:{lines[1]}: not valid UTF-8 (byte 0xe9 at position 3); fix: re-encode the file as UTF-8")
    code, _, err = run(capsys, "documents", folder, "--by", by, "--out", out, "--skip-bad")
    assert code == 0 and skipped(err) == 1, err
    assert out_ids(out) == [f"{src}:{n}" for n in (lines[0], lines[2], lines[3])]
    (folder / "b.txt").write_text(text_of(5))
    code, _, err = run(capsys, "documents", folder, "--out", out, "--skip-bad")  # a whole file is one record
    assert code == 0 and skipped(err) == 1 and out_ids(out) == [str(folder / "b.txt")]


def test_an_empty_txt_file_is_no_record(tmp_path, capsys):
    folder, out = tmp_path / "docs", tmp_path / "out.jsonl"
    folder.mkdir()
    (folder / "a.txt").write_text(text_of(0))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbf")
    code, _, err = run(capsys, "documents", folder, "--out", out)
    assert code == 0, err
    assert out_ids(out) == [str(folder / "a.txt")]
    assert re.search(r"^documents in +1$", err, re.MULTILINE)
    assert f"dedup: warning: {folder / 'empty.txt'}: empty, no records" in err
    assert f"dedup: warning: {folder / 'bom.txt'}: no records" in err


# ---- input folders -----------------------------------------------------------------------------------------------


class Unblock:
    """Opens a pipe's writing end if anything waits to read it, writes ``data``
    and closes it, so code that wrongly opens the pipe fails instead of
    hanging the test run."""

    def __init__(self, fifo, data: bytes) -> None:
        self.fifo, self.data, self.done, self.wrote = fifo, data, threading.Event(), False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.is_set():
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader
                time.sleep(0.05)
                continue
            os.set_blocking(fd, True)
            os.write(fd, self.data)
            os.close(fd)
            self.wrote = True  # and serve the next reader: a second pass would wait forever
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def txt_folder(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(text_of(0))
    (folder / "sub" / "b.txt").write_text(text_of(1))
    return folder


def test_folder_walking_does_not_follow_symbolic_links(tmp_path, capsys):
    folder = txt_folder(tmp_path)
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text(text_of(2))
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked").symlink_to(outside)
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "documents", folder, "--out", out)
    assert code == 0, err
    assert out_ids(out) == [str(folder / "a.txt"), str(folder / "sub" / "b.txt")]
    assert f"dedup: skipped {folder / 'link.txt'}: a symbolic link inside a folder is not followed" in err
    assert f"dedup: skipped {folder / 'linked'}: a symbolic link" in err
    assert "dedup: skipped 2 entries inside input folders (symbolic links or not regular files)" in err
    code, _, err = run(capsys, "documents", folder / "link.txt", "--out", out, "--quiet")  # named: read
    assert code == 0 and out_ids(out) == [str(folder / "link.txt")]


def test_folder_walking_skips_pipes_and_walks_folders_named_like_files(tmp_path, capsys):
    folder = txt_folder(tmp_path)
    (folder / "dir.txt").mkdir()
    (folder / "dir.txt" / "c.txt").write_text(text_of(3))
    os.mkfifo(folder / "pipe.txt")
    out = tmp_path / "out.jsonl"
    with Unblock(folder / "pipe.txt", text_of(4).encode()) as pipe:
        code, _, err = run(capsys, "documents", folder, "--out", out)
    assert not pipe.wrote, "the pipe was opened"
    assert code == 0, err
    assert out_ids(out) == [str(folder / p) for p in ("a.txt", "dir.txt/c.txt", "sub/b.txt")]
    assert f"dedup: skipped {folder / 'pipe.txt'}: not a regular file (a named pipe)" in err


def test_a_pipe_named_on_the_command_line_is_a_usage_error(tmp_path, capsys):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    with Unblock(fifo, jsonl(ROWS[:3])) as pipe:
        code, _, err = run(capsys, "documents", fifo, "--dry-run", "--quiet")
    assert not pipe.wrote and code == 2
    assert one_line_error(err) == (f"dedup: {fifo}: not a regular file (a named pipe); dedup reads each input "
                                   "twice: save it to a file and name that")


# ---- the fault suite: malformed records of each format -----------------------------------------------------------

BAD_JSON = [  # (line, what is wrong)
    b'{"id": "x", "text": "cut sh',
    b'{"id": "x", "text": "caf\xe9 au lait"}',
    b'{"id": "x", "text": "nul \x00 byte"}',
    b'{"id": "x", "text": 12}',
    b'{"id": "x", "text": ["a", "list"]}',
    b'{"id": "x", "text": {"an": "object"}}',
    b'{"id": "x", "text": null}',
    b'{"id": ["a"], "text": "id is a list"}',
    b'{"id": {"a": 1}, "text": "id is an object"}',
    b'{"id": 1.5, "text": "id is a float"}',
    b'{"id": "x", "body": "no text field"}',
    b'["not", "an", "object"]',
    b'{"id": "x", "text": "nan", "score": NaN}',
    b'\xef\xbb\xbf{"id": "x", "text": "a BOM inside the file"}',
    b"\x00\x00",
]


def good_json(i: int, style: int) -> bytes:
    """A good record in one of several shapes: plain, escaped, with a NUL escape, an emoji pair, an integer id."""
    text = text_of(i)
    if style == 0:
        return json.dumps({"id": f"g{i}", "text": text}).encode()
    if style == 1:
        return json.dumps({"id": f"g{i}", "text": text + " caf\u00e9 \U0001f600 \u0000"}, ensure_ascii=False).encode()
    if style == 2:
        return json.dumps({"text": text + " \U0001f600", "id": f"g{i}"}).encode()  # \ud83d\ude00: a pair
    return json.dumps({"id": f"g{i}", "text": text + " lone \ud800 surrogate"}).encode()  # valid JSON: kept


@st.composite
def json_lines_files(draw):
    """(file bytes, good ids in order, line numbers of the bad records)."""
    n = draw(st.integers(1, 12))
    lines, good, bad = [], [], []
    bom = draw(st.booleans())
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    for i in range(n):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from([b"", b"   ", b"\r"])))  # blank lines: not records
        if draw(st.integers(0, 2)) == 0:
            line = draw(st.sampled_from(BAD_JSON))
            if line.startswith(b"\xef\xbb\xbf") and not lines and not bom:
                line = BAD_JSON[0]  # a BOM opening the file is fine; keep this one bad
            lines.append(line)
            bad.append(len(lines))
        else:
            lines.append(good_json(i, draw(st.integers(0, 3))))
            good.append(f"g{i}")
    data = eol.join(lines) + (eol if draw(st.booleans()) else b"")
    return (b"\xef\xbb\xbf" if bom else b"") + data, good, bad


def check(capsys, src, good, bad, tmp):
    """Without --skip-bad: one line naming the first bad record, exit 1; with
    it: every bad record skipped and counted, every good one out."""
    out = tmp / "out.jsonl"
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet")
    if bad:
        assert code == 1 and not out.exists()
        assert one_line_error(err).startswith(f"dedup: {src}:{bad[0]}: "), (err, bad)
    else:
        assert code == 0, err
        assert out_ids(out) == good
    code, _, err = run(capsys, "documents", src, "--out", out, "--skip-bad")
    if not good:  # every record bad and skipped: nothing to do, an error
        assert code == 1 and "no records in the inputs" in err and not out.exists(), err
        return
    assert code == 0, err
    assert skipped(err) == len(bad)
    assert out_ids(out) == good


FAULTS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAULTS
@given(case=json_lines_files(), kind=st.sampled_from(["", ".gz", ".zst"]))
def test_fault_suite_json_lines(tmp_path_factory, capsys, case, kind):
    data, good, bad = case
    tmp = tmp_path_factory.mktemp("jsonl")
    src = tmp / f"in.jsonl{kind}"
    src.write_bytes(compress(kind[1:], data) if kind else data)
    check(capsys, src, good, bad, tmp)


@FAULTS
@given(case=json_lines_files(), kind=st.sampled_from([".gz", ".zst"]), cut=st.floats(0, 1, exclude_max=True))
def test_fault_suite_truncated_json_lines(tmp_path_factory, capsys, case, kind, cut):
    data, _, _ = case
    tmp = tmp_path_factory.mktemp("cut")
    src = tmp / f"in.jsonl{kind}"
    packed = compress(kind[1:], data)
    src.write_bytes(packed[: 1 + int(cut * (len(packed) - 1))])
    for extra in ([], ["--skip-bad"]):
        code, _, err = run(capsys, "documents", src, "--dry-run", "--quiet", *extra)
        assert code == 1
        assert one_line_error(err).startswith(f"dedup: {src}")


BAD_CSV = [  # fields of a row (as written by csv.writer) or raw bytes
    ("x", b"caf\xe9 latin-1"),
    ("x", "too", "many fields"),
    ("x",),
]


@st.composite
def csv_files(draw):
    n = draw(st.integers(1, 10))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    out = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + f"id,text{eol}".encode()
    line, good, bad = 2, [], []
    for i in range(n):
        if draw(st.integers(0, 2)) == 0:
            row = draw(st.sampled_from(BAD_CSV))
            raw = b",".join(f.encode() if isinstance(f, str) else f for f in row) + eol.encode()
            bad.append(line)
        else:
            text = draw(st.sampled_from([text_of(i), f'{text_of(i)} "quoted", {eol}two lines', f"{text_of(i)}\x00nul"]))
            raw = f'g{i},"{text.replace(chr(34), chr(34) * 2)}"{eol}'.encode()
            good.append(f"g{i}")
        out += raw
        line += raw.count(b"\n")
        if draw(st.integers(0, 4)) == 0:
            out += eol.encode()  # a blank line: not a record
            line += 1
    return out, good, bad


@FAULTS
@given(case=csv_files())
def test_fault_suite_csv(tmp_path_factory, capsys, case):
    data, good, bad = case
    tmp = tmp_path_factory.mktemp("csv")
    src = tmp / "in.csv"
    src.write_bytes(data)
    check(capsys, src, good, bad, tmp)


@FAULTS
@given(texts=st.lists(st.booleans(), min_size=1, max_size=10),
       ids=st.sampled_from(["str", "none", "float", "list"]))
def test_fault_suite_parquet(tmp_path_factory, capsys, texts, ids):
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = tmp_path_factory.mktemp("parquet")
    src = tmp / "in.parquet"
    rows = [{"text": text_of(i) if t else None} for i, t in enumerate(texts)]
    for i, r in enumerate(rows):
        r["id"] = {"str": f"g{i}", "none": None, "float": i + 0.5, "list": [i]}[ids]
    pq.write_table(pa.Table.from_pylist(rows), src)
    id_bad = ids in ("float", "list")
    good = [f"g{i}" if ids == "str" else None for i, r in enumerate(rows) if r["text"] is not None and not id_bad]
    bad = [i + 1 for i, r in enumerate(rows) if r["text"] is None or id_bad]
    check(capsys, src, good, bad, tmp)


@FAULTS
@given(files=st.lists(st.sampled_from(["good", "bom", "crlf", "nul", "empty", "latin-1", "gap"]), min_size=1, max_size=6))
def test_fault_suite_txt(tmp_path_factory, capsys, files):
    tmp = tmp_path_factory.mktemp("txt")
    folder = tmp / "docs"
    folder.mkdir()
    good, bad = [], []
    for i, kind in enumerate(files):
        path = folder / f"{i:02d}.txt"
        text = text_of(i)
        data = {"good": text.encode(), "bom": b"\xef\xbb\xbf" + text.encode(),
                "crlf": text.replace(" ", "\r\n").encode(), "nul": text.encode() + b"\x00",
                "empty": b"", "latin-1": f"{text}\ncaf\xe9".encode("latin-1"), "gap": b""}[kind]
        if kind == "gap":
            continue  # no file
        path.write_bytes(data)
        if kind != "empty":  # an empty file is no record
            (bad if kind == "latin-1" else good).append(str(path))
    if not good and not bad:
        return
    out = tmp / "out.jsonl"
    code, _, err = run(capsys, "documents", folder, "--out", out, "--quiet")
    if bad:
        assert code == 1 and one_line_error(err).startswith(f"dedup: {bad[0]}:2: not valid UTF-8 (byte 0xe9 at position 3)")
    else:
        assert code == 0 and out_ids(out) == good
    code, _, err = run(capsys, "documents", folder, "--out", out, "--skip-bad")
    if not good:  # every file bad and skipped: nothing to do, an error
        assert code == 1 and "no records in the inputs" in err and not out.exists(), err
        return
    assert code == 0 and skipped(err) == len(bad)
    assert out_ids(out) == good


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.zst", "csv", "parquet", "txt"])
def test_fault_suite_a_document_of_a_few_megabytes(tmp_path, capsys, fmt):
    big = " ".join(f"w{i}" for i in range(400_000))  # 3.1 MB, one line
    rows = [{"id": "a", "text": text_of(0)}, {"id": "b", "text": big}, {"id": "c", "text": text_of(1)}]
    src = tmp_path / f"in.{fmt}"
    if fmt.startswith("jsonl"):
        src.write_bytes(compress("zst", jsonl(rows)) if fmt.endswith("zst") else jsonl(rows))
    elif fmt == "csv":
        write_csv(src, [(r["id"], r["text"]) for r in rows])
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), src)
    else:
        src.write_text(big)
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "documents", src, "--out", out, "--quiet")
    assert code == 0, err
    assert out_ids(out) == ([str(src)] if fmt == "txt" else ["a", "b", "c"])
