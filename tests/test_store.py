"""The persistent index: Index(path=...)."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup

WORDS = "river bank flood town night storm power lines roads school market bridge".split()


def page(i, variant=0):
    rnd = random.Random(i)
    words = [rnd.choice(WORDS) + str(rnd.randrange(50)) for _ in range(40)]
    if variant:
        words[-1] = f"updated{variant}"  # a changed date line
    return " ".join(words)


@given(st.lists(st.integers(0, 30), max_size=40), st.integers(1, 9))
@settings(max_examples=25)
def test_persistent_index_agrees_with_memory_index(tmp_path_factory, picks, batch):
    path = tmp_path_factory.mktemp("ix") / "index.db"
    items = [(f"k{n}", page(i % 12, variant=i // 12)) for n, i in enumerate(picks)]
    memory = dedup.Index()
    want = [memory.add(k, t) for k, t in items]
    with dedup.Index(path=path) as disk:
        got = []
        for lo in range(0, len(items), batch):
            got += disk.add_many(items[lo : lo + batch])
        assert len(disk) == len(items)
    assert got == want


def test_reopen_restores_and_refuses_other_parameters(tmp_path):
    path = tmp_path / "index.db"
    with dedup.Index(0.7, path=path) as ix:
        assert ix.add("a", page(1)) is None
    with dedup.Index.open(path) as ix:
        assert ix.config.threshold == 0.7 and len(ix) == 1
        assert ix.query(page(1, variant=1)) == dedup.Match("a", ix.query(page(1, variant=1)).similarity)
        assert ix.add("b", page(1)) == dedup.Match("a", 1.0)
    with pytest.raises(ValueError, match=r"index.db was made with a different config; threshold: 0.7 \(yours: 0.8\)"):
        dedup.Index(path=path)
    with pytest.raises(FileNotFoundError, match="no such index file"):
        dedup.Index.open(tmp_path / "missing.db")
    with pytest.raises(TypeError, match=r"key at position 0 is tuple \(\('tuple', 'key'\)\); keys are str or int"):
        dedup.Index.open(path).add(("tuple", "key"), "text")


def test_damaged_files_are_named_and_left_alone(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    before = bad.read_bytes()
    with pytest.raises(ValueError, match="bad.db: not a dedup index: not an SQLite database"):
        dedup.Index(path=bad)
    assert bad.read_bytes() == before
    good = tmp_path / "good.db"
    with dedup.Index(path=good) as ix:
        ix.add_many((f"k{i}", page(i)) for i in range(300))
    data = good.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="cut.db"), dedup.Index(path=cut) as ix:
        ix.add_many((f"x{i}", page(1000 + i)) for i in range(300))
        ix.query_many(page(i) for i in range(300))
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ValueError, match="other.db: an SQLite database, but not a dedup index"):
        dedup.Index(path=other)


@pytest.fixture()
def read_only_folder(tmp_path):
    """A folder that cannot be written, holding an index made before it became so.

    Root ignores permission bits, so as root the folder is a tmpfs mounted
    read-only (skipped where mounting is not allowed)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)]
    if os.geteuid() == 0 and subprocess.run(mount, check=False).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with dedup.Index(path=folder / "index.db") as ix:
            ix.add("a", page(1))
        if os.geteuid() == 0:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        yield folder
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)  # lazy: a handle the test left open must not keep it
        else:
            folder.chmod(0o755)


def test_read_only_folder(read_only_folder):
    before = (read_only_folder / "index.db").read_bytes()
    with pytest.raises(
        PermissionError, match=r"new.db: cannot open the index for writing: the folder .*ro is not writable"
    ):
        dedup.Index(path=read_only_folder / "new.db")
    assert not (read_only_folder / "new.db").exists()
    with dedup.Index.open(read_only_folder / "index.db") as ix:  # queries only
        assert ix.read_only and len(ix) == 1 and ix.query(page(1)).key == "a"
        with pytest.raises(PermissionError, match="index.db: the index file is read-only, so it was opened for queries only"):
            ix.add("b", page(2))
    assert (read_only_folder / "index.db").read_bytes() == before
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["index.db"]


WORKER = textwrap.dedent(
    """
    import sys, random
    sys.path.insert(0, {tests!r})
    from test_store import page
    import dedup
    ix = dedup.Index(path={path!r})
    mode = sys.argv[1]
    if mode == "loop":
        i = 0
        while True:
            ix.add_many([(f"k{{i}}", page(i)), (f"k{{i + 1}}", page(i + 1))])
            print(i, i + 1, flush=True)
            i += 2
    else:
        seed = int(sys.argv[2])
        order = list(range(40))
        random.Random(seed).shuffle(order)
        for i in order:
            m = ix.add(f"p{{seed}}-{{i}}", page(i, variant=seed))
            print(i, "new" if m is None else "dup", flush=True)
    """
)


def worker(tmp_path, *args):
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=os.path.dirname(__file__), path=str(tmp_path / "index.db")))
    return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_kill_9_loses_nothing_that_add_returned(tmp_path):
    dedup.Index(path=tmp_path / "index.db").close()
    for round_ in range(3):
        proc = worker(tmp_path, "loop")
        time.sleep(1.5 + random.random() * 2)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        returned = {int(x) for line in out.splitlines() for x in line.split()}
        with dedup.Index(path=tmp_path / "index.db") as ix:
            for i in returned:
                assert ix.query(page(i)) is not None, (round_, i)
        # the next round appends after whatever the last one left
        subprocess.run(["true"], check=False)


@pytest.mark.slow
def test_two_processes_accept_each_page_once(tmp_path):
    dedup.Index(path=tmp_path / "index.db").close()
    procs = [worker(tmp_path, "pages", str(seed)) for seed in (1, 2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    new = {}
    for out in outs:
        for line in out.splitlines():
            i, what = line.split()
            new[int(i)] = new.get(int(i), 0) + (what == "new")
    assert new == {i: 1 for i in range(40)}
    with dedup.Index(path=tmp_path / "index.db") as ix:
        assert len(ix) == 80


@pytest.mark.parametrize("persistent", [False, True])
def test_remove_compact_export_import(tmp_path, persistent):
    path = tmp_path / "index.db" if persistent else None
    ix = dedup.Index(path=path)
    ix.add_many((f"k{i}", page(i)) for i in range(20))
    before = ix.query(page(3, variant=1))
    assert before.key == "k3" and ix.add("dup", page(3, variant=1)) == before
    assert ix.remove("k3") == 1 and ix.remove("nope") == 0
    assert ix.query(page(3)).key == "dup"  # the near copy is still there
    assert ix.remove("dup") == 1
    assert ix.query(page(3)) is None  # removed docs are skipped
    ix.compact()
    assert ix.query(page(3)) is None and ix.query(page(4)).key == "k4"
    out = tmp_path / "export.jsonl"
    assert ix.export_jsonl(out) == 19
    fresh = dedup.Index(path=tmp_path / "fresh.db" if persistent else None)
    assert fresh.import_jsonl(out) == 19
    assert [fresh.query(page(i)) for i in range(20)] == [ix.query(page(i)) for i in range(20)]
    stats = fresh.stats()
    assert stats["documents"] == 19 and stats["bytes"] > 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(out.read_text().splitlines()[0] + '\n{"key": "x", "signature": [1, 2]}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2: signature of 2 values, expected a list of 128 integers"):
        fresh.import_jsonl(bad)
    with pytest.raises(ValueError, match="was made with a different config"):
        dedup.Index(0.5).import_jsonl(out)
    ix.close()
    fresh.close()
