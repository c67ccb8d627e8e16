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
            if (point == "work" and any((d / _files.LOCK).stat().st_size for d in work.glob("dedup-*/"))) or (
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


def dead_pid() -> int:
    """The process id of a process that has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def stale_work_folder(parent: Path, pid: int, random: str = "xyz12345") -> Path:
    """A work folder as a run with process id ``pid`` makes it (marker and all), left by a kill."""
    folder = parent / f"dedup-{pid}-{random}"
    folder.mkdir()
    (folder / _files.LOCK).write_text(f"dedup work folder, process {pid}\n")
    (folder / "signatures").write_bytes(b"x" * 100)
    return folder


def test_reclaim_removes_only_what_dead_processes_left(tmp_path):
    pid = dead_pid()
    mine = _files.temp_beside(tmp_path / "out.jsonl")  # this process's: alive, locked
    folder = _files.work_folder(tmp_path)
    stale_file = tmp_path / f".out.jsonl.dedup-{pid}-abc_1234.tmp"
    stale_file.write_text("partial")
    stale_gz = tmp_path / f".out.jsonl.gz.dedup-{pid}-abcdefgh.tmp.gz"
    stale_gz.write_text("partial")
    stale_dir = stale_work_folder(tmp_path, pid)
    alive_foreign = tmp_path / f".out.jsonl.dedup-{os.getppid()}-qqqqqqqq.tmp"  # a live process's
    alive_foreign.write_text("")
    unrelated = [tmp_path / ".hidden.tmp", tmp_path / "dedup-notes"]
    unrelated[0].write_text("")
    unrelated[1].mkdir()
    try:
        assert _files.reclaim(tmp_path, "out.jsonl") == [stale_file]  # only that output's
        assert _files.reclaim(tmp_path, "out.jsonl.gz", ".gz") == [stale_gz]
        assert _files.reclaim(tmp_path) == [stale_dir]  # work folders
        assert mine.exists() and folder.exists() and alive_foreign.exists() and all(p.exists() for p in unrelated)
    finally:
        _files.discard(mine)
        _files.remove_work_folder(folder)
    assert not mine.exists() and not folder.exists()


def test_reclaim_never_removes_files_or_folders_that_dedup_did_not_make(tmp_path):
    pid = dead_pid()
    outs, work = tmp_path / "wd", tmp_path / "work"
    outs.mkdir()
    work.mkdir()
    src = corpus(tmp_path / "in.jsonl", 5)
    user = tmp_path / "user.txt"
    user.write_text("important")
    kept = []
    for parent in (outs, work):  # folders named like work folders, with the user's files in them
        for name in ("dedup-2023-archive", f"dedup-{pid}-abcdefgh", f"dedup-{pid}-abcdefgh.bak", "dedup-1-results"):
            (parent / name).mkdir()
            (parent / name / "results.jsonl").write_text("important")
            kept.append(parent / name / "results.jsonl")
    other = work / f"dedup-{pid}-ijklmnop"  # a marker naming another process
    other.mkdir()
    (other / _files.LOCK).write_text(f"dedup work folder, process {pid + 1}\n")
    link = work / f"dedup-{pid}-qrstuvwx"  # a symbolic link to the user's folder
    link.symlink_to(outs / "dedup-2023-archive")
    kept += [other / _files.LOCK, link]
    for name in (  # files next to the outputs named almost like their temporary files
        ".anything.dedup-99999-x.tmp", f".c.dedup-{pid}-abcdefgh.tmp.gz", f".d.dedup-{pid}-abcdefgh.tmp.bak",
        f".out.jsonl.dedup-{pid}-abcdefgh.tmp.bak", f".out.jsonl.dedup-{pid}-abcdefg.tmp",
        f".out.jsonl.dedup-{pid}-ABCDEFGH.tmp", f".out.jsonl.dedup-{pid}-abcdefgh.tmp.gz",
        f".removed.csv.dedup-{pid}-abcdefgh.tmp.zst", f"out.jsonl.dedup-{pid}-abcdefgh.tmp",
    ):
        (outs / name).write_text("important")
        kept.append(outs / name)
    (outs / f".removed.csv.dedup-{pid}-abcdefgh.tmp").symlink_to(user)  # a link named like a temporary file
    (outs / f".clusters.jsonl.dedup-{pid}-abcdefgh.tmp").mkdir()  # a folder named like one
    kept += [outs / f".removed.csv.dedup-{pid}-abcdefgh.tmp", outs / f".clusters.jsonl.dedup-{pid}-abcdefgh.tmp"]
    leftover = outs / f".out.jsonl.dedup-{pid}-abcdefgh.tmp"  # what a killed run left: these go
    leftover.write_text("partial")
    stale = stale_work_folder(work, pid)
    assert run("documents", src, "--out", outs / "out.jsonl", "--removed", outs / "removed.csv",
               "--clusters", outs / "clusters.jsonl", "--work-dir", work, "--quiet") == 0
    assert [p for p in kept if not os.path.lexists(p)] == []
    assert user.read_text() == "important" and (outs / "dedup-2023-archive" / "results.jsonl").exists()
    assert not leftover.exists() and not stale.exists()


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


# ---------------------------------------------------------------- signals


def test_ctrl_c_while_starting_says_interrupted_and_exits_130(tmp_path):
    src = corpus(tmp_path / "in.jsonl", 3000)
    outs = tmp_path / "outs"
    outs.mkdir()
    for delay in (0.2, 0.6):  # while the modules load, then while the run starts
        proc = subprocess.Popen(command("documents", src, "--out", outs / "out.jsonl", "--quiet"), env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130 and err.decode() == "dedup: interrupted\n", (delay, proc.returncode, err)
        assert list(outs.iterdir()) == []


@pytest.mark.parametrize("sig, code, said", [(signal.SIGTERM, 143, "dedup: terminated"),
                                             (signal.SIGHUP, 129, "dedup: terminated (hangup)")],
                         ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_say_terminated_and_leave_nothing(tmp_path, sig, code, said):
    src = corpus(tmp_path / "in.jsonl", 6000)
    outs, work = tmp_path / "outs", tmp_path / "work"
    outs.mkdir()
    work.mkdir()
    proc = subprocess.Popen(command("documents", src, "--out", outs / "out.jsonl", "--removed", outs / "rm.csv",
                                    "--work-dir", work, "--quiet"), env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:  # until it has its work folder
        if any(any(d.iterdir()) for d in work.glob("dedup-*/")):
            break
        time.sleep(0.005)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code and err.decode() == said + "\n", (proc.returncode, err)
    assert leftovers(outs, work) == [] and list(outs.iterdir()) == []
