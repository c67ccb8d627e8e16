"""Runs that die: killed with kill -9 (a real process), or out of disk space
(a small tmpfs when we may mount one; an injected ENOSPC everywhere). Never a
partial output under a final name; temporary files and folders removed, or
reclaimed by the next run when the owner was killed."""

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dedup
from dedup import cli, ondisk
from dedup._engine import files as _files
from dedup._engine.columns import Column

SRC = str(Path(dedup.__file__).resolve().parent.parent)
WORDS = [f"w{i}" for i in range(3000)]


def corpus(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i and rng.random() < 0.2:
            text = lines[-1][1] + " again"  # a near copy of the one before
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(60))
        lines.append((i, text))
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in lines))
    return path


def command(*argv) -> list[str]:
    return [sys.executable, "-m", "dedup", *map(str, argv)]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def leftovers(*folders: Path) -> list[str]:
    """Temporary files beside outputs, and work folders."""
    out = []
    for f in folders:
        out += [p.name for p in f.iterdir() if p.name.startswith(".") or p.name.startswith("dedup-")]
    return sorted(out)


def run(*argv) -> int:
    try:
        return cli.main([str(a) for a in argv])
    except SystemExit as e:
        return e.code


# ---------------------------------------------------------------- kill -9


@pytest.mark.slow
def test_kill_9_never_leaves_a_partial_output_and_the_next_run_reclaims_its_leftovers(tmp_path):
    src = corpus(tmp_path / "in.jsonl", 12000)
    outs, work = tmp_path / "outs", tmp_path / "work"
    outs.mkdir()
    work.mkdir()
    names = ["out.jsonl", "removed.jsonl", "clusters.jsonl"]
    argv = command("documents", src, "--out", outs / names[0], "--removed", outs / names[1],
                   "--clusters", outs / names[2], "--work-dir", work, "--quiet")
    t0 = time.monotonic()
    subprocess.run(argv, env=env(), check=True, timeout=300)
    took = time.monotonic() - t0
    full = {n: (outs / n).read_bytes() for n in names}
    for n in names:
        (outs / n).unlink()
    tiny = corpus(tmp_path / "tiny.jsonl", 3)
    reclaimed = 0
    # kill points: once the work folder exists, once an output's temporary file exists, and after fixed delays
    points = ["work", "output", 0.3 * took, 0.6 * took, 0.9 * took]
    for point in points:
        proc = subprocess.Popen(argv, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while isinstance(point, str) and proc.poll() is None and time.monotonic() < deadline:
            if (point == "work" and any(work.iterdir())) or (
                    point == "output" and any(p.name.startswith(".out.jsonl.") for p in outs.iterdir())):
                break
            time.sleep(0.005)
        if not isinstance(point, str):
            time.sleep(point)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        for n in names:  # absent, or the complete output (the run had finished)
            assert not (outs / n).exists() or (outs / n).read_bytes() == full[n], (point, n)
        left = leftovers(outs, work)
        reclaimed += bool(left)
        if isinstance(point, str) and proc.returncode == -signal.SIGKILL:
            assert left, point  # killed mid-run: something was left to reclaim
        # the next run writing in the same folders removes what the dead run left
        assert run("documents", tiny, "--out", outs / names[0], "--removed", outs / names[1],
                   "--clusters", outs / names[2], "--work-dir", work, "--quiet") == 0
        assert leftovers(outs, work) == [], point
        for n in names:
            (outs / n).unlink()
    assert reclaimed >= 2


def test_reclaim_removes_only_what_dead_processes_left(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(dead.stdout)  # a process that has exited
    mine = _files.temp_beside(tmp_path / "other.jsonl")  # this process's: alive, locked
    folder = _files.work_folder(tmp_path)
    stale_file = tmp_path / f".out.jsonl.dedup-{pid}-abc.tmp"
    stale_file.write_text("partial")
    stale_dir = tmp_path / f"dedup-{pid}-xyz"
    stale_dir.mkdir()
    (stale_dir / _files.LOCK).write_text("")
    (stale_dir / "signatures").write_bytes(b"x" * 100)
    alive_foreign = tmp_path / f".x.jsonl.dedup-{os.getppid()}-q.tmp"  # a live process's
    alive_foreign.write_text("")
    unrelated = [tmp_path / ".hidden.tmp", tmp_path / "dedup-notes"]
    unrelated[0].write_text("")
    unrelated[1].mkdir()
    try:
        removed = _files.reclaim(tmp_path)
        assert sorted(removed) == sorted([stale_file, stale_dir])
        assert mine.exists() and folder.exists() and alive_foreign.exists() and all(p.exists() for p in unrelated)
    finally:
        _files.discard(mine)
        _files.remove_work_folder(folder)
    assert not mine.exists() and not folder.exists()


# ---------------------------------------------------------------- out of space


def _no_space(*_a, **_kw):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["work-dir", "output"])
def test_no_space_left_is_one_line_exit_1_and_leaves_no_temporary_file(tmp_path, capsys, monkeypatch, where):
    src = corpus(tmp_path / "in.jsonl", 40)
    work, outs = tmp_path / "work", tmp_path / "outs"
    work.mkdir()
    outs.mkdir()
    monkeypatch.setattr(cli, "BATCH", 4)
    calls = {"n": 0}
    if where == "work-dir":
        real_add = ondisk.OnDisk.add

        def add(self, texts):  # the disk fills on the third batch, and closing the files fails too
            calls["n"] += 1
            if calls["n"] == 3:
                _no_space()
            return real_add(self, texts)

        monkeypatch.setattr(ondisk.OnDisk, "add", add)
        monkeypatch.setattr(Column, "close", _no_space)
    else:
        real_write = cli.Writer.write_line

        def write_line(self, line):
            calls["n"] += 1
            if calls["n"] == 5:
                _no_space()
            return real_write(self, line)

        monkeypatch.setattr(cli.Writer, "write_line", write_line)
    code = run("documents", src, "--out", outs / "out.jsonl", "--removed", outs / "rm.csv",
               "--clusters", outs / "c.jsonl", "--report", outs / "r.html", "--work-dir", work, "--quiet")
    monkeypatch.undo()
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("dedup: ") and "no space left on device" in err and "--work-dir" in err
    assert list(work.iterdir()) == [] and list(outs.iterdir()) == []


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or sys.platform != "linux":
        return False
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          check=False)
    return done.returncode == 0


@pytest.mark.parametrize("where", ["work-dir", "output"])
def test_a_full_tmpfs_is_one_line_exit_1_and_is_left_empty(tmp_path, capsys, where):
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "1M"):
        pytest.skip("needs root and a tmpfs mount")
    try:
        src = corpus(tmp_path / "in.jsonl", 8000)  # about 3 MB of text: more than the tmpfs holds
        work = small if where == "work-dir" else tmp_path / "work"
        outs = tmp_path / "outs" if where == "work-dir" else small
        work.mkdir(exist_ok=True)
        outs.mkdir(exist_ok=True)
        code = run("documents", src, "--out", outs / "out.jsonl", "--annotate", "--work-dir", work, "--quiet")
        assert code == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no space left on device" in err and "Traceback" not in err
        assert list(small.iterdir()) == [] and list(work.iterdir()) == [] and list(outs.iterdir()) == []
    finally:
        subprocess.run(["umount", str(small)], check=False)
