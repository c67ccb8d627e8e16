"""The seed document: a news transcript captured three times, with its credit line."""

import subprocess
import sys
from pathlib import Path

import dedup

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ef7bace14a8e43ce.txt"


def test_seed_lines_repeat_as_the_capture_says():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    r = dedup.find_duplicates(lines)
    assert len(lines) == 23
    # the credit line twice, and each of the seven paragraphs three times
    assert r.clusters == [[0, 15]] + [[i, i + 7, i + 15] for i in range(1, 8)]
    assert r.kept == list(range(8))


def test_seed_as_one_document_is_a_near_duplicate_of_its_first_copy():
    text = SEED.read_text(encoding="utf-8")
    first_copy = "\n".join(text.split("\n")[:8])
    r = dedup.find_duplicates([first_copy, text])
    # shingles are a set: saying it three times adds only the seams between
    # copies, so document-level dedup cannot see the repetition inside
    assert r.duplicates == [1]
    assert 0.95 < r.matches[1].similarity < 1.0


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dedup", *args], capture_output=True, text=True, check=False)


def test_cli_on_the_seed():
    out = run_cli("--by", "line", str(SEED.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("23 documents, 8 clusters, 15 duplicates to drop")
    assert "keep " in out.stdout and "000_ef7bace14a8e43ce.txt:16 (similarity 1.000)" in out.stdout


def test_cli_json_and_errors(tmp_path):
    (tmp_path / "a.txt").write_text("the same words in the same order here", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The same words, in the same order here!", encoding="utf-8")
    out = run_cli("--json", str(tmp_path))
    assert out.returncode == 0 and '"members"' in out.stdout and "b.txt" in out.stdout
    assert run_cli("--threshold", "2", str(tmp_path)).returncode == 2
    assert "threshold must be in (0, 1], got 2.0" in run_cli("--threshold", "2", str(tmp_path)).stderr
    missing = run_cli(str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe broken")
    bad = run_cli(str(tmp_path))
    assert bad.returncode == 1 and "bad.txt:1: not valid UTF-8 (byte 0xff at position 0)" in bad.stderr
