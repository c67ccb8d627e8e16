"""Faults of the index: shared by processes and threads, killed, closed, fed bad
keys and bad files, given files it must not change or cannot write."""

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import dedup

WORDS = ["river", "bank", "flood", "town", "night", "storm", "power", "lines", "roads", "school", "market", "bridge"]


def page(i, variant=0):
    """A 40-word page; variants differ in the last word only (similarity ~0.95)."""
    rnd = random.Random(i)
    words = [rnd.choice(WORDS) + str(rnd.randrange(50)) for _ in range(40)]
    if variant:
        words[-1] = f"updated{variant}"
    return " ".join(words)


def open_fds_to(path):
    """Paths among this process's open file descriptors that are ``path`` or its side files."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)):
            out.append(target)
    return out


# ------------------------------------------------------- ids and catching up


def test_id_of_a_removed_newest_document_is_never_reused(tmp_path):
    path = tmp_path / "index.db"
    a = dedup.Index(path=path)
    a.add("first", page(1))
    a.add("newest", page(2))
    assert a.remove("newest") == 1
    b = dedup.Index.open(path)  # another process, as far as the file is concerned
    assert b.add("other", page(3)) is None
    # a must see b's row although it once held the id of its own removed document
    match = a.add("copy", page(3, variant=1))
    assert match is not None and match.key == "other" and match.similarity > 0.9
    assert a.query(page(2)) is None and b.query(page(2)) is None
    # a removal by one process is seen by the other
    assert b.remove("other") == 1
    assert a.query(page(3)).key == "copy"
    a.close()
    b.close()


# ------------------------------------------------------------------ threads


@pytest.mark.parametrize("persistent", [False, True])
def test_threads_sharing_one_index_accept_each_page_once(tmp_path, persistent):
    index = dedup.Index(path=tmp_path / "index.db" if persistent else None)
    pages, threads = 120, 4
    results, errors = {}, []

    def work(t):
        order = list(range(pages))
        random.Random(t).shuffle(order)
        try:
            for i in order:
                results[t, i] = index.add(f"t{t}-{i}", page(i, variant=t + 1))
        except Exception as e:  # noqa: BLE001 - the test reports any
            errors.append(repr(e))

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    new = {i: sum(results[t, i] is None for t in range(threads)) for i in range(pages)}
    assert new == {i: 1 for i in range(pages)}
    assert len(index) == pages * threads
    index.close()


WORKER = textwrap.dedent(
    """
    import random, sys, threading
    sys.path.insert(0, {tests!r})
    from test_index import page
    import dedup

    mode, proc = sys.argv[1], int(sys.argv[2])
    index = dedup.Index(path={path!r})
    if mode == "pages":
        out, errors = [], []

        def work(t):
            order = list(range({pages}))
            random.Random(proc * 10 + t).shuffle(order)
            try:
                for i in order:
                    m = index.add(f"p{{proc}}t{{t}}-{{i}}", page(i, variant=proc * 10 + t + 1))
                    out.append(f"{{i}} {{'new' if m is None else 'dup'}}")
            except Exception as e:
                errors.append(repr(e))

        ts = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        print("\\n".join(out + ["error " + e for e in errors]), flush=True)
    else:  # "batches": add batches until killed, printing each batch number after add_many returns
        n = proc
        while True:
            index.add_many([(f"b{{n}}-{{j}}", page(n * 1000 + j)) for j in range({batch})])
            print(n, flush=True)
            n += 1
    """
)


def spawn(tmp_path, *args, pages=40, batch=200):
    tests = Path(__file__).parent
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=str(tests), path=str(tmp_path / "index.db"), pages=pages, batch=batch))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen([sys.executable, str(script), *map(str, args)], stdout=subprocess.PIPE, text=True, env=env)


def test_two_processes_of_four_threads_accept_each_page_once(tmp_path):
    dedup.Index(path=tmp_path / "index.db").close()
    procs = [spawn(tmp_path, "pages", p, pages=24) for p in (0, 1)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    lines = [line.split(" ", 1) for out in outs for line in out.splitlines()]
    assert [rest for what, rest in lines if what == "error"] == []
    new = {}
    for i, what in lines:
        new[int(i)] = new.get(int(i), 0) + (what == "new")
    assert len(lines) == 24 * 8
    assert new == {i: 1 for i in range(24)}
    with dedup.Index.open(tmp_path / "index.db") as index:
        assert len(index) == 24 * 8


def test_kill_9_in_add_many_leaves_whole_batches(tmp_path):
    """The unit of atomicity is one add_many call: after a kill -9 every
    batch is in the file whole or not at all, and every returned one is."""
    path = tmp_path / "index.db"
    dedup.Index(path=path).close()
    returned = set()
    for round_ in range(1):  # more rounds only repeat a ~4 s process start
        proc = spawn(tmp_path, "batches", round_ * 100_000, batch=300)
        assert proc.stdout is not None
        for _ in range(2):  # let it finish a few batches, then kill it inside another
            returned.add(int(proc.stdout.readline()))
        time.sleep(random.random() * 0.3)
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        returned |= {int(x) for x in rest.split()}
        export = tmp_path / "export.jsonl"
        with dedup.Index.open(path) as index:
            index.export_jsonl(export)
            assert index.query(page(round_ * 100_000 * 1000)).key == f"b{round_ * 100_000}-0"
        batches = {}
        for line in export.read_text().splitlines()[1:]:
            n = int(json.loads(line)["key"][1:].split("-")[0])
            batches[n] = batches.get(n, 0) + 1
        assert set(batches.values()) == {300}, (round_, batches)
        assert returned <= set(batches), (round_, returned - set(batches))


# --------------------------------------------------------- files not its own


def sqlite_file(path, wal):
    con = sqlite3.connect(path, isolation_level=None)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE notes (x)")
    con.execute("INSERT INTO notes VALUES ('mine')")
    con.close()


@pytest.mark.parametrize("wal", [False, True])
def test_foreign_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path, wal):
    path = tmp_path / "notes.db"
    sqlite_file(path, wal)
    before = path.read_bytes()
    for make in (lambda: dedup.Index(path=path), lambda: dedup.Index.open(path)):
        with pytest.raises(ValueError, match=r"notes.db: an SQLite database, but not a dedup index \(tables \['notes'\]\)"):
            make()
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no -shm
        assert open_fds_to(path) == []  # the connection was closed


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


FOREIGN_META = [
    (
        "CREATE TABLE meta (a, b)",
        [],
        (
            r"notes.db: an SQLite database, but not a dedup index \(tables \['docs', 'meta'\]; "
            r"table meta has columns \['a', 'b'\], expected name and value\); it was left as it is\. Pass the path of an index file"
        ),
    ),
    (
        "CREATE TABLE meta (name TEXT, value TEXT)",
        [("owner", "me"), ("version", "3")],
        (
            r"notes.db: an SQLite database, but not a dedup index \(its meta table has no 'format' row; "
            r"names found: \['owner', 'version'\]\); it was left as it is\. Pass the path of an index file"
        ),
    ),
    (
        "CREATE TABLE meta (name TEXT, value TEXT)",
        [("format", "notes-app")],
        (
            r"notes.db: an SQLite database, but not a dedup index \(its meta table has format 'notes-app', "
            r"expected 'dedup-index'\); it was left as it is\. Pass the path of an index file"
        ),
    ),
]


@pytest.mark.parametrize("wal", [False, True])
@pytest.mark.parametrize(("meta", "rows", "message"), FOREIGN_META, ids=["columns", "names", "format"])
def test_foreign_sqlite_file_with_meta_and_docs_tables_is_refused_and_left_byte_for_byte(tmp_path, wal, meta, rows, message):
    path = tmp_path / "notes.db"
    con = sqlite3.connect(path, isolation_level=None)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.execute(meta)
    con.executemany("INSERT INTO meta VALUES (?, ?)", rows)
    con.execute("CREATE TABLE docs (title, body)")
    con.execute("INSERT INTO docs VALUES ('a', 'mine')")
    con.close()
    before = sha256(path)
    for make in (lambda: dedup.Index(path=path), lambda: dedup.Index.open(path)):
        with pytest.raises(ValueError, match=message) as e:
            make()
        assert "\n" not in str(e.value) and "no such column" not in str(e.value)
        assert sha256(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no -shm
        assert open_fds_to(path) == []


def test_index_meta_with_a_foreign_docs_table_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "notes.db"
    with dedup.Index(path=path) as index:
        index.add("a", page(1))
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("DROP TABLE docs")
    con.execute("CREATE TABLE docs (title, body)")
    con.close()
    for side in ("-wal", "-shm"):
        assert not (tmp_path / f"notes.db{side}").exists()
    before = sha256(path)
    for make in (lambda: dedup.Index(path=path), lambda: dedup.Index.open(path)):
        with pytest.raises(
            ValueError,
            match=r"notes.db: an SQLite database, but not a dedup index \(tables \['docs', 'meta'\]; "
            r"table docs has columns \['title', 'body'\], expected id, key and sig\); it was left as it is",
        ):
            make()
        assert sha256(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_index_in_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(
        FileNotFoundError,
        match=r"^.*nonexist/x.db: the folder .*nonexist does not exist; create it \(mkdir -p\) or pass a path in an existing folder$",
    ):
        dedup.Index(path=tmp_path / "nonexist" / "x.db")
    (tmp_path / "file").write_text("mine")
    with pytest.raises(NotADirectoryError, match=r"file/x.db: .*file is a file, not a folder; pass a path in a folder"):
        dedup.Index(path=tmp_path / "file" / "x.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "mine"


def test_text_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("https://a.example/1\nhttps://a.example/2\n" * 100)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"urls.txt: not a dedup index: not an SQLite database \(it begins b'https://a.exampl'\)"):
        dedup.Index(path=path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["urls.txt"]
    assert open_fds_to(path) == []


def test_export_refuses_to_replace_the_index_itself(tmp_path):
    path = tmp_path / "index.db"
    with dedup.Index(path=path) as index:
        index.add("a", page(1))
        with pytest.raises(ValueError, match="index.db: is this index's own file; export to another path"):
            index.export_jsonl(path)
        assert index.query(page(1)).key == "a"
    with dedup.Index.open(path) as index:
        assert len(index) == 1


# --------------------------------------------------------------------- keys

BAD_KEYS = [
    (None, TypeError, r"key at position 0 is NoneType \(None\); keys are str or int \(not bool or None\)"),
    (True, TypeError, r"key at position 0 is bool \(True\); keys are str or int \(not bool or None\)"),
    (2**63, ValueError, r"key at position 0 is 9223372036854775808, outside the signed 64-bit range .*; pass it as a str"),
    (-(2**63) - 1, ValueError, r"outside the signed 64-bit range"),
    ("caf\udce9", ValueError, r"key at position 0 \('caf\\udce9'\) is not valid Unicode: a lone surrogate at character 3"),
    (1.5, TypeError, r"key at position 0 is float \(1.5\); keys are str or int"),
]


@pytest.mark.parametrize("persistent", [False, True])
@pytest.mark.parametrize(("key", "error", "message"), BAD_KEYS, ids=[repr(k) for k, _, _ in BAD_KEYS])
def test_bad_keys_are_refused_by_name(tmp_path, persistent, key, error, message):
    with dedup.Index(path=tmp_path / "index.db" if persistent else None) as index:
        with pytest.raises(error, match=message):
            index.add(key, page(1))
        assert len(index) == 0
        with pytest.raises(error):
            index.remove(key)


@pytest.mark.parametrize("persistent", [False, True])
def test_keys_come_back_as_given_and_exist_once(tmp_path, persistent):
    path = tmp_path / "index.db" if persistent else None
    with dedup.Index(path=path) as index:
        assert index.add_many([(2**63 - 1, page(1)), (-(2**63), page(2)), ("1", page(3)), (1, page(4))]) == [None] * 4
        assert index.query(page(1)).key == 2**63 - 1 and index.query(page(2)).key == -(2**63)
        assert index.query(page(3)).key == "1" and index.query(page(4)).key == 1  # "1" and 1 are two keys
        with pytest.raises(ValueError, match=r"key '1' at position 0 is already in the index.*; remove it first"):
            index.add("1", page(9))
        with pytest.raises(ValueError, match=r"key 'n' at position 2 repeats the key at position 0; each key is added once"):
            index.add_many([("n", page(5)), ("m", page(6)), ("n", page(7))])
        # all or nothing: the new key of a refused batch is not added either
        with pytest.raises(ValueError, match="key 1 at position 1 is already in the index"):
            index.add_many([("new", page(8)), (1, page(9))])
        assert "new" not in index and 1 in index and None not in index
        assert len(index) == 4 and index.query(page(8)) is None
        assert index.remove(1) == 1 and index.add(1, page(10)) is None  # removed, the key is free again


# -------------------------------------------------------------------- close


def test_use_after_close_is_a_clear_error(tmp_path):
    index = dedup.Index(path=tmp_path / "index.db")
    index.add("a", page(1))
    index.close()
    index.close()  # twice is fine
    for call in (
        lambda: index.add("b", page(2)),
        lambda: index.query(page(1)),
        lambda: len(index),
        lambda: index.remove("a"),
        lambda: index.compact(),
        lambda: index.stats(),
        lambda: index.export_jsonl(tmp_path / "out.jsonl"),
    ):
        with pytest.raises(ValueError, match=r"index .*index.db is closed; open it again with dedup.Index.open\(path\)"):
            call()
    assert "closed" in repr(index)
    assert not (tmp_path / "out.jsonl").exists()


def test_in_memory_index_after_close_is_a_clear_error(tmp_path):
    export = tmp_path / "export.jsonl"
    with dedup.Index() as other:
        other.add("x", page(5))
        other.export_jsonl(export)
    index = dedup.Index()
    index.add("a", page(1))
    index.close()
    index.close()  # twice is fine
    for call in (
        lambda: index.add("b", page(2)),
        lambda: index.add_many([("b", page(2))]),
        lambda: index.query(page(1)),
        lambda: index.query_many([page(1)]),
        lambda: len(index),
        lambda: "a" in index,
        lambda: index.remove("a"),
        lambda: index.compact(),
        lambda: index.stats(),
        lambda: index.nbytes,
        lambda: index.export_jsonl(tmp_path / "out.jsonl"),
        lambda: index.import_jsonl(export),
    ):
        with pytest.raises(ValueError, match=r"^index in memory is closed; its documents were dropped: make a new dedup.Index\(\)$"):
            call()
    assert repr(index) == "Index(closed, in memory)"
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("persistent", [False, True])
def test_with_on_a_closed_index_is_a_clear_error(tmp_path, persistent):
    index = dedup.Index(path=tmp_path / "index.db" if persistent else None)
    index.close()
    entered = False
    with pytest.raises(ValueError, match=r"^index .* is closed; "), index:
        entered = True
    assert not entered


# ------------------------------------------------------------------- import


def export_of(tmp_path, n=5):
    out = tmp_path / "export.jsonl"
    with dedup.Index() as index:
        index.add_many((f"k{i}", page(i)) for i in range(n))
        index.export_jsonl(out)
    return out.read_text().splitlines()


BAD_LINES = [
    (lambda r: r["signature"].__setitem__(5, 1.5), r"signature value 1.5 at index 5 is not an integer in \[0, 4294967295\]"),
    (lambda r: r["signature"].__setitem__(0, 2**32), r"signature value 4294967296 at index 0 is not an integer"),
    (lambda r: r["signature"].__setitem__(3, -1), r"signature value -1 at index 3 is not an integer"),
    (lambda r: r["signature"].__setitem__(7, None), r"signature value None at index 7 is not an integer"),
    (lambda r: r["signature"].__setitem__(7, True), r"signature value True at index 7 is not an integer"),
    (lambda r: r.__setitem__("signature", None), r"signature of NoneType None, expected a list of 128 integers"),
    (lambda r: r.__setitem__("key", None), r"key at .*export.jsonl:\d+ is NoneType \(None\); keys are str or int"),
    (lambda r: r.__setitem__("key", "k0"), r"key 'k0' at .*export.jsonl:\d+ (is already in the index|repeats the key)"),
]


@pytest.mark.parametrize("persistent", [False, True])
@pytest.mark.parametrize(("spoil", "message"), BAD_LINES, ids=[m.split(" ")[0] + str(i) for i, (_, m) in enumerate(BAD_LINES)])
def test_import_checks_every_line_and_adds_nothing_on_error(tmp_path, persistent, spoil, message):
    lines = export_of(tmp_path, n=30)
    row = json.loads(lines[-1])  # the last line: earlier batches were already taken in
    spoil(row)
    lines[-1] = json.dumps(row)
    bad = tmp_path / "export.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with dedup.Index(path=tmp_path / "index.db" if persistent else None) as index:
        index.add("mine", page(100))
        with pytest.raises(ValueError, match=message) as e:
            index.import_jsonl(bad, batch_size=7)
        assert f"export.jsonl:{len(lines)}" in str(e.value) and "\n" not in str(e.value)
        assert len(index) == 1 and index.query(page(0)) is None  # nothing half-imported
        assert index.add("next", page(0)) is None  # and the index still works
    if persistent:
        with dedup.Index.open(tmp_path / "index.db") as index:
            assert len(index) == 2


def test_import_of_a_good_file_still_works(tmp_path):
    lines = export_of(tmp_path, n=30)
    with dedup.Index(path=tmp_path / "index.db") as index:
        assert index.import_jsonl(tmp_path / "export.jsonl", batch_size=7) == 30
        assert index.query(page(29)).key == "k29"
    assert len(lines) == 31


@pytest.mark.parametrize("persistent", [False, True])
def test_import_names_the_line_and_byte_of_invalid_utf8(tmp_path, persistent):
    lines = [line.encode() for line in export_of(tmp_path, n=30)]
    lines[20] = lines[20].replace(b'"k19"', b'"caf\xe9"')
    bad = tmp_path / "export.jsonl"
    bad.write_bytes(b"\n".join(lines) + b"\n")
    with dedup.Index(path=tmp_path / "index.db" if persistent else None) as index:
        with pytest.raises(
            ValueError,
            match=r"^.*export.jsonl:21: not UTF-8 text \(byte 0xe9 at offset 12 in the line\); "
            r"pass a file written by Index.export_jsonl$",
        ):
            index.import_jsonl(bad, batch_size=7)
        assert len(index) == 0


@pytest.mark.parametrize("persistent", [False, True])
def test_import_of_a_missing_file_or_a_folder_is_a_clear_error(tmp_path, persistent):
    with dedup.Index(path=tmp_path / "index.db" if persistent else None) as index:
        with pytest.raises(
            FileNotFoundError,
            match=r"^.*missing.jsonl: no such file; pass a file written by Index.export_jsonl$",
        ):
            index.import_jsonl(tmp_path / "missing.jsonl")
        with pytest.raises(
            IsADirectoryError,
            match=r"^.*: is a folder; pass a file written by Index.export_jsonl$",
        ):
            index.import_jsonl(tmp_path)
        assert len(index) == 0


@pytest.mark.parametrize("persistent", [False, True])
@pytest.mark.parametrize("where", ["header", "line"])
def test_import_of_a_deeply_nested_line_names_the_line(tmp_path, persistent, where):
    lines = export_of(tmp_path, n=30)
    nested = "[" * 100_000 + "]" * 100_000
    if where == "header":
        lines[0] = '{"format": "dedup-index-jsonl", "config": ' + nested + "}"
        n = 1
    else:
        lines[25] = '{"key": "k24", "signature": ' + nested + "}"
        n = 26
    bad = tmp_path / "export.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with dedup.Index(path=tmp_path / "index.db" if persistent else None) as index:
        index.add("mine", page(100))
        with pytest.raises(ValueError, match=rf"^.*export.jsonl:{n}: nested too deep; pass a file written by Index.export_jsonl$"):
            index.import_jsonl(bad, batch_size=7)
        assert len(index) == 1 and index.query(page(0)) is None  # nothing imported
        assert index.add("next", page(0)) is None
    if persistent:
        with dedup.Index.open(tmp_path / "index.db") as index:
            assert len(index) == 2


# ------------------------------------------------------------- permissions


def _mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture()
def read_only_file(tmp_path):
    """An index file that cannot be written, in a folder that can. As root
    (who ignores permission bits) the file is bind-mounted read-only."""
    path = tmp_path / "index.db"
    with dedup.Index(path=path) as index:
        index.add("a", page(1))
    if os.geteuid() == 0:
        if not _mount("--bind", str(path), str(path)):
            pytest.skip("cannot bind-mount here")
        try:
            if not _mount("-o", "remount,ro,bind", str(path)):
                pytest.skip("cannot remount read-only here")
            yield path
        finally:
            subprocess.run(["umount", "-l", str(path)], check=False)
    else:
        path.chmod(0o444)
        yield path
        path.chmod(0o644)


def test_read_only_index_file_opens_for_queries(read_only_file):
    before = read_only_file.read_bytes()
    for make in (lambda: dedup.Index.open(read_only_file), lambda: dedup.Index(path=read_only_file)):
        with make() as index:
            assert index.read_only
            assert index.query(page(1, variant=1)).key == "a" and len(index) == 1 and "a" in index
            for call in (lambda: index.add("b", page(2)), lambda: index.remove("a"), lambda: index.compact()):
                with pytest.raises(PermissionError, match="index.db: the index file is read-only, so it was opened for queries only; make the file writable"):
                    call()
    assert read_only_file.read_bytes() == before


@pytest.fixture()
def writable_file_in_read_only_folder(tmp_path):
    """A writable index file in a folder that cannot be written."""
    made = tmp_path / "made"
    made.mkdir()
    with dedup.Index(path=made / "index.db") as index:
        index.add("a", page(1))
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)):
            pytest.skip("cannot mount a tmpfs here")
        try:
            (folder / "index.db").touch()
            if not (_mount("-o", "remount,ro", str(folder)) and _mount("--bind", str(made / "index.db"), str(folder / "index.db"))):
                pytest.skip("cannot remount here")
            yield folder / "index.db"
        finally:
            subprocess.run(["umount", "-l", str(folder / "index.db")], check=False)
            subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        os.replace(made / "index.db", folder / "index.db")
        folder.chmod(0o555)
        yield folder / "index.db"
        folder.chmod(0o755)


def test_read_only_folder_is_named_as_the_cause(writable_file_in_read_only_folder):
    path = writable_file_in_read_only_folder
    assert os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK)
    before = path.read_bytes()
    with pytest.raises(
        PermissionError,
        match=r"index.db: cannot open the index for writing: the folder .*ro is not writable, and SQLite keeps index.db-wal and index.db-shm beside the index",
    ):
        dedup.Index.open(path)
    assert path.read_bytes() == before
