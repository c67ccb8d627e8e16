"""The ``dedup`` command: a thin shell over the library.

    dedup documents INPUT... [--out OUT] [--removed FILE] [--clusters FILE] [--annotate] [--verify exact|signature]
    dedup repeats INPUT... (--out OUT | --dry-run) [--threshold T] [--ngram N] [--unit word|char]
    dedup boilerplate INPUT... (--learn BP.json | --apply BP.json (--out OUT | --dry-run))
    dedup all INPUT... (--out OUT | --dry-run) [--boilerplate BP.json | --learn-boilerplate] [--skip STAGES]
    dedup explain A B

INPUT: JSON Lines (.jsonl, .jsonl.gz, .jsonl.zst), .csv, .parquet, .txt
files, folders of .txt files, or globs. Without --out, ``documents`` prints
the clusters it finds. Exit codes: 0 done, 1 bad data, 2 bad usage.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ._engine.batches import batches
from ._engine.columns import Column
from ._engine.files import same_file
from .config import SCHEMES, UNITS, VERIFY, Config
from .io import (
    BEYOND_INT64,
    BadRecord,
    InputError,
    Record,
    Writer,
    bad_bytes,
    beyond_int64,
    clean_text,
    dumps,
    expand,
    format_of,
    json_text,
    jsonl_lines,
    parse_line,
    read,
)

BATCH = 1024
REPORT_PAIRS = 12


class Failure(Exception):
    """Bad data: printed, exit code 1."""


class Usage(Exception):
    """Bad usage: printed on one line, exit code 2."""


def _warn(message: str) -> None:
    print(f"dedup: warning: {message}", file=sys.stderr)


def _records(args: argparse.Namespace, files: list[Path], stats: dict[str, int], warn: bool = False):
    """The records of the inputs in order (each .txt line or paragraph one with
    ``--by``: a line or paragraph with bytes that are not UTF-8 is a bad
    one); a bad record stops the run, or is counted with --skip-bad.
    ``warn``: say on stderr which inputs give no record."""
    for f in files:
        count = bad = 0
        for whole in read(f, args.text_field, args.id_field, args.by):
            split = isinstance(whole, Record) and args.by != "file" and whole.raw is None
            for rec in _split(whole, args.by) if isinstance(whole, Record) and split else (whole,):
                if isinstance(rec, BadRecord):
                    if not args.skip_bad:
                        raise Failure(f"{rec} (pass --skip-bad to skip and count such records)")
                    stats["bad"] += 1
                    bad += 1
                    continue
                count += 1
                yield rec
        if warn and not count:
            _warn(f"{f}: " + (f"no records ({bad} bad, skipped)" if bad else
                              "empty, no records" if _empty(f) else "no records"))


def _empty(f: Path) -> bool:
    try:
        return f.stat().st_size == 0
    except OSError:
        return False


def _no_records(files: list[Path]) -> Failure:
    names = ", ".join(map(str, files[:3])) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return Failure(f"no records in the inputs ({names or 'no files'}); nothing to do")


OUTPUTS = {  # flag -> attribute, for every job that writes files
    "--out": "out", "--removed": "removed", "--clusters": "clusters", "--report": "report", "--learn": "learn",
}
GIVEN = {"--apply": "apply", "--boilerplate": "boilerplate"}  # files the job reads besides the inputs


def _prepare(args: argparse.Namespace) -> list[Path]:
    """The input files, after the usage checks that need the file system
    (raising :class:`Usage`): every input exists, in a known format; ``--by``
    only with .txt inputs; every output path names a file of a format it can
    take, and differs from every input and from every other output."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for item in args.inputs:
        try:
            found = expand([item], skipped)
        except FileNotFoundError as e:
            raise Usage(f"{e}; give an existing file, folder or glob") from None
        except InputError as e:  # a pipe or a device: it would be read twice
            raise Usage(str(e)) from None
        if not found:
            _warn(f"{item}: a folder with no .txt files in it, nothing read")
        files += found
    for path, why in skipped[:20]:  # inside folders: symbolic links, pipes; the first 20 by name, then the count
        print(f"dedup: skipped {path}: {why}", file=sys.stderr)
    if skipped:
        print(f"dedup: skipped {len(skipped)} entries inside input folders (symbolic links or not regular files)",
              file=sys.stderr)
    for f in files:
        try:
            format_of(f)
        except ValueError as e:
            raise Usage(str(e).replace("name it", "give")) from None
    if args.by != "file":
        other = next((f for f in files if format_of(f) != "txt"), None)
        if other is not None:
            raise Usage(f"--by {args.by} splits .txt inputs, but {other} holds records (each one a document): "
                        "leave --by out, or give .txt files")
    outputs = [(flag, getattr(args, attr)) for flag, attr in OUTPUTS.items() if getattr(args, attr, None)]
    if getattr(args, "dry_run", False):  # nothing but the report is written
        outputs = [(flag, path) for flag, path in outputs if flag in ("--report",)]
    inputs = [("input", f) for f in files]
    inputs += [(flag, Path(getattr(args, attr))) for flag, attr in GIVEN.items() if getattr(args, attr, None)]
    for flag, path in inputs[len(files):]:
        if not path.is_file():
            raise Usage(f"{flag} {path}: no such file; give a boilerplate file saved by 'dedup boilerplate --learn'")
    seen: list[tuple[str, Path]] = []
    for flag, value in outputs:
        path = Path(value)
        if path.is_dir():
            raise Usage(f"{flag} {value}: is a folder; name a file to write")
        if flag in ("--out", "--removed"):
            try:
                fmt = format_of(path)
            except ValueError:
                fmt = "?"
            if fmt not in ("jsonl", "csv", "parquet"):
                raise Usage(f"{flag} {value}: unknown output format; name it .jsonl (.jsonl.gz, .jsonl.zst), "
                            ".csv or .parquet")
        if flag == "--clusters" and not _is_jsonl_name(path):
            raise Usage(f"--clusters {value}: clusters are JSON Lines; name it .jsonl (or .jsonl.gz, .jsonl.zst)")
        for what, other in inputs:
            if same_file(path, other):
                name = "an input" if what == "input" else f"the {what} file"
                raise Usage(f"{flag} {value}: is {name} ({other}); write it somewhere else")
        for other_flag, other in seen:
            if same_file(path, other):
                raise Usage(f"{flag} {value}: is also {other_flag} {other}; give each output its own path")
        seen.append((flag, path))
    if getattr(args, "work_dir", None) is not None:
        _work_dir(args.work_dir)
    return files


def _work_dir(value: str) -> None:
    """``--work-dir`` names a folder: a missing one is made when its parent
    folder exists; a file, or a missing folder in a missing folder, is bad usage."""
    path = Path(value)
    if path.is_dir():
        return
    if path.exists():
        raise Usage(f"--work-dir {value}: is a file, not a folder; give a folder for temporary files, or leave "
                    "--work-dir out to use the system's temporary folder")
    if not path.parent.is_dir():
        raise Usage(f"--work-dir {value}: no such folder, and its parent {path.parent} is missing too; create it "
                    f"(mkdir -p {value}), or give an existing folder")
    try:
        path.mkdir()
    except OSError as e:
        raise Usage(f"--work-dir {value}: cannot make the folder ({e.strerror}); give a folder you can write") from None


def _is_jsonl_name(path: Path) -> bool:
    try:
        return format_of(path) == "jsonl"
    except ValueError:
        return False


def _split(rec: Record, by: str):
    """The lines or paragraphs of a .txt record, each a record named
    ``file:line``; one holding bytes that are not UTF-8 is a bad record."""
    from .paragraphs import split_paragraphs

    line, at, bad = 1, 0, 0
    for p in split_paragraphs(rec.text, split="line" if by == "line" else "blank"):
        line += rec.text.count("\n", at, p.start)
        at = p.start
        wrong = bad_bytes(rec, p.start, p.end)
        if wrong is not None:
            bad += 1
            yield wrong
            continue
        yield Record(rec.source, line, f"{rec.source}:{line}", p.text, None)
    if rec.undecoded and not bad:  # bad bytes outside every part: still a bad record
        yield bad_bytes(rec) or BadRecord(f"{rec.source}: not valid UTF-8")


class Progress:
    """A progress bar with documents/s and MB/s on a terminal; silent otherwise."""

    def __init__(self, quiet: bool, desc: str = "reading", total: int | None = None) -> None:
        self.bar = None
        self.bytes = 0
        self.t0 = time.perf_counter()
        if not quiet and sys.stderr.isatty():
            try:
                import shutil

                from tqdm import tqdm

                width = shutil.get_terminal_size((0, 0)).columns
                self.bar = tqdm(desc=desc, total=total, unit=" docs", file=sys.stderr, dynamic_ncols=width > 0,
                                ncols=None if width else 100)
            except ImportError:
                self.bar = None

    def update(self, docs: int, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bar is not None:
            self.bar.update(docs)
            if self.bytes:
                mb = self.bytes / 1e6 / max(1e-9, time.perf_counter() - self.t0)
                self.bar.set_postfix_str(f"{mb:.1f} MB/s", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _out_format(args: argparse.Namespace, files: list[Path], path: str) -> str:
    return format_of(path)  # jsonl, csv or parquet: _prepare refused the others


def _writer(args: argparse.Namespace, files: list[Path], path: str, extras: dict[str, str]) -> Writer:
    """A Writer for ``path`` in the format its name says. CSV and Parquet
    need every field (and Parquet its type) before the first row: the inputs
    are read once first to learn them, and ``extras`` (name: "id", "float"
    or "json") are added."""
    fmt = _out_format(args, files, path)
    if fmt == "jsonl":
        return Writer(path, fmt, files, args.text_field)
    names, schema = _fields(args, files, extras, parquet=fmt == "parquet")
    return Writer(path, fmt, files, args.text_field, columns=names, schema=schema)


def _fields(args: argparse.Namespace, files: list[Path], extras: dict[str, str], parquet: bool):
    """(field names in order of first appearance, Parquet schema or None) of
    the records of ``files`` and the ``extras``, read a batch at a time."""
    names: dict[str, None] = {}
    schemas, id_schemas = [], []
    if parquet:
        import pyarrow as pa
    for batch in batches(_records(args, files, {"bad": 0}), 4096):
        rows = [r.raw if isinstance(r.raw, dict) else {"id": r.id, "text": r.text} for r in batch]
        for row in rows:
            names.update(dict.fromkeys(row))
        if parquet:
            try:
                rows = [clean_text(r) for r in rows]
                keys = dict.fromkeys(k for r in rows for k in r)  # every row's fields, not the first's only
                schemas.append(pa.table({k: [r.get(k) for r in rows] for k in keys}).schema)
                id_schemas.append(pa.Table.from_pylist([{"id": clean_text(r.id)} for r in batch]).schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
                raise Failure(f"{batch[0].source}: records near line {batch[0].line} do not fit one Parquet "
                              f"schema ({e}); write .jsonl or .csv instead") from None
            except OverflowError:  # an integer beyond 64 bits
                rec, (where, value) = next((r, w) for r, row in zip(batch, rows)
                                           if (w := beyond_int64({**row, "id": r.id})) is not None)
                raise Failure(f"{rec.source}:{rec.line}: {where} holds {value}, {BEYOND_INT64}") from None
    names.update(dict.fromkeys(extras))
    if not parquet:
        return list(names), None
    try:
        base = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([])
        ids = pa.unify_schemas(id_schemas, promote_options="permissive") if id_schemas else pa.schema([])
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise Failure(f"{files[0] if len(files) == 1 else 'the inputs'}: a field holds values of different types "
                      f"({e}); Parquet needs one type per column: write .jsonl or .csv instead") from None
    id_type = ids.field("id").type if len(ids) else pa.string()
    if pa.types.is_null(id_type):
        id_type = pa.string()
    types = {"id": id_type, "float": pa.float64(), "json": pa.string()}
    fields = [f if not pa.types.is_null(f.type) else pa.field(f.name, pa.string()) for f in base]
    fields += [pa.field(k, types[v]) for k, v in extras.items() if k not in base.names]
    return list(names), pa.schema(fields)


STAGES = ("repeats", "boilerplate", "documents")
WHAT = {"repeats": "repeated paragraphs", "boilerplate": "boilerplate lines", "documents": "near-duplicate documents"}


class Cleaner:
    """The paragraph stages of a job: repeats (``find_repeats``) and
    boilerplate (a :class:`Boilerplate`'s cuts, every copy or all but the
    first of each template), each optional. ``cuts(texts)`` gives each
    text's cuts per stage; stage cuts are found on the text as read."""

    def __init__(self, repeats: dict[str, Any] | None, bp=None, keep_first: bool = False, workers: int = 1) -> None:
        self.repeats, self.bp, self.keep_first, self.workers = repeats, bp, keep_first, workers
        self.seen: set[str] = set()  # templates met so far (keep_first)

    @property
    def stages(self) -> list[str]:
        return [name for name, on in (("repeats", self.repeats is not None), ("boilerplate", self.bp is not None)) if on]

    def cuts(self, texts: list[str]) -> list[dict[str, list]]:
        from .paragraphs import find_repeats

        out: list[dict[str, list]] = [{} for _ in texts]
        if self.repeats is not None:
            for o, c in zip(out, find_repeats(texts, **self.repeats, workers=self.workers)):
                o["repeats"] = c
        if self.bp is not None:
            if self.keep_first:  # across the stream: the templates met in earlier batches too
                found = list(self.bp.find(texts, keep_first=True, seen=self.seen, workers=self.workers))
            else:
                found = self.bp.cuts(texts, workers=self.workers)
            for o, c in zip(out, found):
                o["boilerplate"] = c
        return out

    def apply(self, text: str, cuts: dict[str, list], stats: dict[str, int]) -> str | None:
        """The cleaned text (None: unchanged), counting the bytes each stage removed
        (a span two stages cut counts for the first)."""
        from .spans import apply_cuts

        if not any(cuts.values()):
            return None
        before, done = _size(text), []
        for stage in self.stages:
            done += cuts.get(stage, [])
            after = _size(apply_cuts(text, done))
            stats[f"bytes_{stage}"] += before - after
            before = after
        return apply_cuts(text, done)


def _cleaner(args: argparse.Namespace, files: list[Path]) -> Cleaner:
    """The paragraph stages the job's flags ask for."""
    skip = set(getattr(args, "skip", ()) or ())
    if args.job == "repeats":
        return Cleaner(_paragraph_kw(args), workers=args.jobs)
    if args.job == "boilerplate":
        return Cleaner(None, _load("--apply", args.apply), args.keep_first, args.jobs)
    repeats = None if "repeats" in skip else _paragraph_kw(args, "paragraph_")
    bp = None
    if "boilerplate" not in skip:
        if args.boilerplate:
            bp = _load("--boilerplate", args.boilerplate)
        elif args.learn_boilerplate:
            bp = _learn(args, files)
    return Cleaner(repeats, bp, args.keep_first, args.jobs)


def _load(flag: str, path: str):
    """The boilerplate file given with ``flag``; a file that is not one is
    bad usage, said with what it looks like."""
    from .boilerplate import Boilerplate

    try:
        return Boilerplate.load(path)
    except ValueError as e:
        if "not a dedup boilerplate file" not in str(e):
            raise  # a damaged boilerplate file, or one of another version: bad data
        raise Usage(f"{flag} {path}: not a dedup boilerplate file: {_looks_like(Path(path))}; give a file saved by "
                    "'dedup boilerplate --learn'") from None


def _looks_like(path: Path) -> str:
    """What a file that is not a boilerplate file seems to be, from its first 64 KiB."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError as e:
        return f"cannot read it ({e.strerror})"
    for magic, what in ((b"\x1f\x8b", "gzip data"), (b"\x28\xb5\x2f\xfd", "zstd data"), (b"PAR1", "a Parquet file")):
        if head.startswith(magic):
            return f"it is {what}"
    lines = [x for x in head.splitlines() if x.strip()]
    if not lines:
        return "it is empty"
    try:
        first = json.loads(lines[0])
    except ValueError:
        first = None
    if isinstance(first, dict) and len(lines) > 1:
        return "it looks like JSON Lines records"
    if len(head) < 1 << 16:  # the whole file
        try:
            json.loads(head)
        except ValueError:
            return "it is not JSON"
    return "it is not the JSON object a boilerplate file holds (no \"format\": \"dedup-boilerplate\")"


def _paragraph_kw(args: argparse.Namespace, prefix: str = "") -> dict[str, Any]:
    """threshold / ngram / unit as given (left out: the library's defaults)."""
    return {k: getattr(args, prefix + k) for k in ("threshold", "ngram", "unit") if getattr(args, prefix + k) is not None}


def _learn(args: argparse.Namespace, files: list[Path]):
    """``find_boilerplate`` on the inputs' texts (held in memory), with the flags given."""
    from .boilerplate import find_boilerplate

    kw = _paragraph_kw(args, "paragraph_" if args.job == "all" else "")
    kw["min_docs"] = args.min_docs  # None: the library's default for the corpus size
    if args.min_fraction is not None:
        kw["min_fraction"] = args.min_fraction
    kw["labels"] = True if args.labels is None else args.labels
    stats = {"in": 0, "out": 0, "bad": 0}
    texts = [r.text for r in _records(args, files, stats, warn=args.job == "boilerplate")]
    if not texts:
        raise _no_records(files)
    return find_boilerplate(texts, **kw, workers=args.jobs)


def run_all(args: argparse.Namespace, config: Config) -> int:
    """Repeated paragraphs out, boilerplate out (with --boilerplate or
    --learn-boilerplate), then near-duplicate documents on what is left: one
    pass over the input (two with --learn-boilerplate). ``--skip`` leaves
    stages out."""
    files = args.files
    cleaner = _cleaner(args, files)
    if "documents" in (args.skip or ()):
        return _cut_job(args, cleaner, files)
    return run_documents(args, config, cleaner)


class _Ids:
    """Record ids on disk (JSON, one after another) and their end offsets (a :class:`_Column`)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "ids"
        self._f = open(self.path, "wb")  # noqa: SIM115 - held while records stream in; close() closes it
        self._ends = Column(folder / "id-ends")
        self._end = 0
        self._fd: int | None = None

    def extend(self, ids) -> None:
        ends = []
        for i in ids:
            b = dumps(i)
            self._f.write(b)
            self._end += len(b)
            ends.append(self._end)
        self._ends.extend(ends)

    def __getitem__(self, i: int) -> Any:
        if self._fd is None:
            self._f.flush()
            self._ends.flush()
            self._fd = os.open(self.path, os.O_RDONLY)
        i = int(i)
        start = self._ends[i - 1] if i else 0
        return json.loads(os.pread(self._fd, self._ends[i] - start, start))

    def close(self) -> None:
        self._f.close()
        self._ends.close()
        if self._fd is not None:
            os.close(self._fd)


def run_documents_spark(args: argparse.Namespace, config: Config | None) -> int:
    """``documents --engine spark``: dedup.spark over the input files."""
    from .spark.files import deduplicate_files

    config = config or Config()

    started = time.monotonic()
    try:
        total, dropped = deduplicate_files(
            args.inputs, args.out, text=args.text_field, id=args.id_field or "id", order=args.order_field,
            master=args.master or "local[*]", config=config)
    except Exception as e:  # Spark's own errors (a malformed record, a lost executor): one line
        if type(e).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        raise Failure(f"Spark failed: {(lines[0] if lines else type(e).__name__)[:300]}") from None
    if not args.quiet:
        print(f"dedup: {total:,} records, {dropped:,} dropped as near-duplicates, {total - dropped:,} kept in "
              f"{args.out} (Spark, verification on {_verified(config)}) in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
    return 0


def run_documents(args: argparse.Namespace, config: Config, cleaner: Cleaner | None = None) -> int:
    """Pass 1 reads and signs the input (cleaned texts of ``cleaner`` kept in
    a side file); :class:`dedup.ondisk.OnDisk` finds the duplicates on disk,
    verifying candidates as ``config.verify`` says; pass 2 reads the input
    again and writes the outputs. Memory stays bounded whatever the corpus
    size (see docs/cli.md)."""
    files = args.files
    stats = {"in": 0, "out": 0, "bad": 0, "bytes_in": sum(f.stat().st_size for f in files),
             **{f"bytes_{k}": 0 for k in STAGES}}
    stages = [*(cleaner.stages if cleaner else []), "documents"]
    writers = {}
    dry = args.dry_run
    try:
        match = {"duplicate_of": "id", "similarity": "float"}
        for name, extras in (("out", {"cluster": "id", **match} if args.annotate else {}), ("removed", match)):
            path = getattr(args, name)
            if path and not dry:
                writers[name] = _writer(args, files, path, extras)
        if args.clusters and not dry:
            writers["clusters"] = Writer(args.clusters, "jsonl", files)
        from . import ondisk

        with ondisk.OnDisk(config, workdir=args.work_dir, sort_bytes=ondisk.SORT_BYTES,
                           keep_texts=bool(args.report or dry), workers=args.jobs) as od:
            ids = _Ids(od.dir)
            side = open(od.dir / "cleaned", "wb+") if cleaner is not None else None  # noqa: SIM115 - closed by _close_all below
            sizes, places = Column(od.dir / "sizes"), _Places(od.dir)
            try:
                progress = Progress(args.quiet or dry)
                for batch in batches(_records(args, files, stats, warn=True), BATCH):
                    start = stats["in"]
                    texts = [r.text for r in batch]
                    if cleaner is not None and side is not None:  # side: opened when cleaning
                        for i, (rec, cuts) in enumerate(zip(batch, cleaner.cuts(texts))):
                            if dry:
                                _show_cuts(args, rec, cuts)
                            new = cleaner.apply(rec.text, cuts, stats)
                            if new is not None:
                                texts[i] = new
                                side.write(json_text([start + i, new]).encode("utf-8") + b"\n")
                    sizes.extend(od.add(texts).tolist())
                    ids.extend(r.id for r in batch)
                    places.add(batch)
                    stats["in"] += len(batch)
                    progress.update(len(batch), sum(len(r.text) for r in batch))
                progress.close()
                if not stats["in"]:
                    raise _no_records(files)
                result = od.finish()
                ndups = 0
                for (lo, best, _, _), (_, size) in zip(result.chunks(), sizes.chunks()):
                    dup = np.flatnonzero(best >= 0)
                    ndups += len(dup)
                    stats["bytes_documents"] += int(size[dup].sum())  # what duplicates held (after cleaning)
                stats["out"] = stats["in"] - ndups + (ndups if args.annotate and "out" in writers else 0)
                if side is not None:
                    side.seek(0)
                if dry:
                    _show_drops(args, result, ids, od, config)
                if "out" in writers or "removed" in writers:
                    _write_records(args, files, writers, result, ids, side, places)
                if "clusters" in writers:
                    for row in _cluster_rows(result, ids, od.dir):
                        writers["clusters"].write_json(row)
                if not args.out and not args.clusters and not dry:
                    _print_clusters(lambda: _cluster_rows(result, ids, od.dir), ndups, stats, config, args.json)
                if args.report:
                    _write_report(args, config, stats, stages, result, ids, od)
            finally:
                _close_all([ids, sizes, places, side])
    except BaseException:
        _close_all(writers.values(), ok=False)
        raise
    _finish(writers.values())
    _summary(stats, stages, args, config)
    return 0


def _close_all(things, **kw) -> None:
    """Close each (None: skipped), whatever closing one raises (a full disk,
    say): the first error is raised after all are closed."""
    error = None
    for t in things:
        if t is None:
            continue
        try:
            t.close(**kw)
        except Exception as e:  # noqa: BLE001 - close every one, raise the first after
            error = error or e
    if error is not None and kw.get("ok", True):
        raise error


def _finish(writers) -> None:
    """Rename each output into place; if one fails, remove the others' temporary files."""
    writers = list(writers)
    for i, w in enumerate(writers):
        try:
            w.close(ok=True)
        except BaseException:
            _close_all(writers[i + 1 :], ok=False)
            raise


def _verified(config: Config) -> str:
    return "exact Jaccard" if config.verify == "exact" else "signature estimate"


# What a terminal would act on, or that UTF-8 cannot hold: C0 controls but
# line breaks and tabs, DEL, C1 controls, bidirectional overrides, lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json_text escapes the rest


def _escape_char(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def _show(value: Any) -> str:
    """A text or id for the terminal: what it would act on shown escaped
    (ESC as \\x1b, a lone surrogate as \\ud800)."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escape_char, text)


def _json_line(value: Any) -> str:
    """A JSON line for the terminal: valid JSON whose text holds no control
    character or lone surrogate (they are \\u escapes)."""
    text = json_text(value)
    return text if text.isascii() else _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _clip(text: str, limit: int = 300) -> str:
    """One line of at most ``limit`` characters (line breaks shown as \\n,
    controls escaped)."""
    text = text.replace("\n", "\\n")
    return _show(text if len(text) <= limit else text[: limit - 1] + "…")


def _show_cuts(args: argparse.Namespace, rec: Record, cuts: dict[str, list]) -> None:
    """The dry run of the paragraph stages: each cut, its text and what it matched."""
    for stage, cs in cuts.items():
        for c in cs:
            cut = rec.text[c.start : c.end]
            if c.kind == "boilerplate":
                where, matched = "template", c.match
            else:
                where, matched = f"[{c.match[-2]}:{c.match[-1]}]", rec.text[c.match[-2] : c.match[-1]]
            if args.json:
                print(_json_line({"id": rec.id, "stage": stage, "start": c.start, "end": c.end, "text": cut,
                                  "match": matched, "similarity": round(c.similarity, 4), "identical": c.exact}))
                continue
            print(f"{_show(rec.id)} cut {stage} [{c.start}:{c.end}] similarity {c.similarity:.3f}"
                  f"{' identical' if c.exact else ''}\n  cut:     {_clip(cut)}\n  matches {where}: {_clip(matched)}")


def _show_drops(args: argparse.Namespace, result, ids, od, config: Config) -> None:
    """The dry run of the documents stage: each dropped record (its text as
    decided on) and the earlier record it matched."""
    for lo, best, sim, _ in result.chunks():
        for d in np.flatnonzero(best >= 0).tolist():
            pos, match, s = lo + d, int(best[d]), float(sim[d])
            text, matched = od.text(pos), od.text(match)
            if args.json:
                print(_json_line({"id": ids[pos], "stage": "documents", "text": text, "match": ids[match],
                                  "matched_text": matched, "similarity": round(s, 4), "verify": config.verify}))
                continue
            print(f"{_show(ids[pos])} drop documents, {_verified(config)} {s:.3f} with {_show(ids[match])}\n"
                  f"  dropped: {_clip(text)}\n  matches: {_clip(matched)}")


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _per_doc(result):
    """(best, similarity, root) of each document in order."""
    for _, best, sim, root in result.chunks():
        yield from zip(best.tolist(), sim.tolist(), root.tolist())


def _reread(args, files, places, result, cleaned: bool, removed: bool):
    """Pass 2 over the records pass 1 read: (position, record or raw line,
    (best, similarity, root)). A kept JSON Lines record that nothing changes
    is not parsed again; with no file for duplicates, they are skipped."""
    per = _per_doc(result)
    if cleaned or args.by != "file" or args.annotate or any(format_of(f) != "jsonl" for f in files):
        for pos, rec in enumerate(_records(args, files, {"bad": 0})):
            yield pos, rec, next(per)
        return
    lines = (x for _, chunk in places.chunks() for x in chunk.tolist())
    pos = 0
    for f in files:
        count = places.counts.get(str(f), 0)
        for line, raw in jsonl_lines(f, itertools.islice(lines, count)):
            here = next(per)
            if here[0] < 0:
                yield pos, raw, here
            elif removed:
                yield pos, parse_line(f, line, raw, args.text_field, args.id_field), here
            pos += 1


class _Places(Column):
    """Line numbers of the records read, and records per file."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / "lines")
        self.counts: dict[str, int] = {}

    def add(self, batch) -> None:
        for rec in batch:
            self.counts[rec.source] = self.counts.get(rec.source, 0) + 1
        self.extend([rec.line for rec in batch])


def _write_records(args, files, writers, result, ids, side, places) -> None:
    """Pass 2: each record to the kept or the removed output, with its cleaned text."""
    pending = _side_entries(side)
    nxt = next(pending, None)
    progress = Progress(args.quiet, "writing", len(result.best))
    done = 0
    for pos, rec, (b, s, r) in _reread(args, files, places, result, side is not None, "removed" in writers):
        if pos - done >= 4096:
            progress.update(pos - done, 0)
            done = pos
        if isinstance(rec, bytes):
            if "out" in writers:
                writers["out"].write_line(rec)
            continue
        new = None
        if nxt is not None and nxt[0] == pos:
            new = nxt[1]
            nxt = next(pending, None)
        if b < 0:
            if "out" in writers:
                kept = {"cluster": None, "duplicate_of": None, "similarity": None} if args.annotate else None
                writers["out"].write(rec, text=new, extra=kept)
            continue
        extra = {"duplicate_of": ids[b], "similarity": round(s, 4)}
        if args.annotate and "out" in writers:
            writers["out"].write(rec, extra={"cluster": ids[r], **extra})
        if "removed" in writers:
            writers["removed"].write(rec, extra=extra)
    progress.update(len(result.best) - done, 0)
    progress.close()


def _side_entries(side):
    if side is None:
        return
    for line in side:
        pos, text = json.loads(line)
        yield pos, text


def _cluster_rows(result, ids, folder: Path):
    """clusters.jsonl rows (cluster id, kept, members, similarities), kept
    position ascending. Duplicates are spread over files by ranges of their
    root, then each file is grouped in memory: one range at a time."""
    from .ondisk import range_span, write_by

    n = len(result.best)
    span = range_span(n)
    dt = np.dtype([("root", "<i8"), ("pos", "<i8"), ("sim", "<f8")])
    paths = [folder / f"c{i:05d}" for i in range(-(-n // span))]
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, "wb")) for p in paths]
        for lo, best, sim, root in result.chunks():
            dup = np.flatnonzero(best >= 0)
            rec = np.empty(len(dup), dtype=dt)
            rec["root"], rec["pos"], rec["sim"] = root[dup], dup + lo, sim[dup]
            write_by(rec, rec["root"] // span, files)
    cid = 0
    for p in paths:
        rec = np.fromfile(p, dtype=dt)
        p.unlink()
        rec = rec[np.lexsort((rec["pos"], rec["root"]))]
        for group in np.split(rec, np.flatnonzero(np.diff(rec["root"])) + 1):
            if not len(group):
                continue
            kept = ids[int(group["root"][0])]
            members = [ids[int(i)] for i in group["pos"]]
            yield {
                "cluster": cid,
                "kept": kept,
                "members": [kept, *members],
                "similarity": {str(m): round(float(v), 4) for m, v in zip(members, group["sim"])},
            }
            cid += 1


def sample_pairs(result, threshold: float, count: int = REPORT_PAIRS, borderline: int = 4) -> list[tuple[int, int, float]]:
    """(dropped, matched, similarity) pairs to show: the ``borderline`` ones
    closest to the threshold (lowest similarity, then earliest), then the
    earliest of each tenth of [threshold, 1], tenths taken lowest first and
    in turn until there are ``count``. One pass over the result's chunks;
    memory: the picks."""
    import heapq

    low: list = []  # max-heap by (similarity, position) of the lowest ones, negated
    per_bin: dict[int, list[tuple[int, int, float]]] = {}
    for lo, best, sim, _ in result.chunks():
        dup = np.flatnonzero(best >= 0)
        if not len(dup):
            continue
        bins = np.minimum(((sim[dup] - threshold) / max(1e-12, 1 - threshold) * 10).astype(np.int64), 9)
        for d, b in zip(dup.tolist(), bins.tolist()):
            pick = (lo + d, int(best[d]), float(sim[d]))
            first = per_bin.setdefault(max(b, 0), [])
            if len(first) < count:
                first.append(pick)
            item = (-pick[2], -pick[0], pick)
            if len(low) < borderline:
                heapq.heappush(low, item)
            elif item > low[0]:
                heapq.heapreplace(low, item)
    out = [p for *_, p in sorted(low, key=lambda x: (-x[0], -x[1]))]
    taken = set(out)
    for turn in range(count):
        for b in sorted(per_bin):
            if len(out) < count and turn < len(per_bin[b]) and per_bin[b][turn] not in taken:
                out.append(per_bin[b][turn])
                taken.add(per_bin[b][turn])
    return out


def _write_report(args, config, stats, stages, result, ids, od) -> None:
    """The HTML page: summary, plots, largest clusters, sample pairs (their
    texts as decided on, read back from the :class:`OnDisk`)."""
    import heapq

    from ._engine.files import replacing
    from .report import html_report

    sizes: dict[int, int] = {}
    biggest: list = []  # (size, -cluster, row): the 20 largest
    edges = np.linspace(config.threshold, 1.0, 11)
    sim_counts = np.zeros(10, dtype=np.int64)
    for _, best, sim, _ in result.chunks():  # similarity of every matched pair, a chunk at a time
        sim_counts += np.histogram(sim[best >= 0], bins=edges)[0]
    nclusters = 0
    for row in _cluster_rows(result, ids, od.dir):
        nclusters += 1
        size = len(row["members"])
        sizes[size] = sizes.get(size, 0) + 1
        row = {"kept": row["kept"], "members": row["members"][:7], "size": size}
        heapq.heappush(biggest, (size, -nclusters, row))
        if len(biggest) > 20:
            heapq.heappop(biggest)
    rows = [r for _, _, r in sorted(biggest, key=lambda x: (-x[0], -x[1]))]
    pairs = [{"kept": ids[m], "kept_text": od.text(m), "id": ids[d], "text": od.text(d), "similarity": s}
             for d, m, s in sample_pairs(result, config.threshold)]
    summary = {"documents in": stats["in"], "documents out": stats["out"], "bad records skipped": stats["bad"],
               "bytes in": stats["bytes_in"], "clusters": nclusters, "verification": _verified(config)}
    for stage in stages:
        summary[f"text bytes removed ({WHAT[stage]})"] = stats[f"bytes_{stage}"]
    page = html_report(summary, rows, sim_counts.tolist(), pairs, config, sizes, histogram=True)
    with replacing(args.report) as tmp:
        tmp.write_text(page, encoding="utf-8", errors="backslashreplace")  # lone surrogates shown as \udXXX


def run_explain(args: argparse.Namespace, config: Config) -> int:
    from .report import excerpt, explain

    texts = [item if args.text else _explain_input(label, item) for label, item in (("A", args.a), ("B", args.b))]
    r = explain(texts[0], texts[1], config)
    verdict = "near-duplicates" if r["match"] else "not near-duplicates"
    decided = r["jaccard"] if config.verify == "exact" else r["estimate"]
    why = ""
    if not r["match"] and decided >= config.threshold:
        why = " (no LSH band shared, so never compared)" if not r["bands_shared"] else " (dropped by the prefilter)"
    print(
        f"{verdict} on {_verified(config)} (--verify {config.verify}){why}: Jaccard {r['jaccard']:.3f} "
        f"(threshold {r['threshold']}), signature estimate "
        f"{r['estimate']:.3f}; {r['shared_shingles']} shared shingles of {r['shingles_a']} and {r['shingles_b']}; "
        f"{r['bands_shared']} of {r['bands']} LSH bands shared (P = {r['candidate_probability']:.3f} at this Jaccard)"
    )
    tty = sys.stdout.isatty()
    on, off = ("\033[1;33m", "\033[0m") if tty else ("[[", "]]")
    for label, text, spans in (("A", texts[0], r["spans_a"]), ("B", texts[1], r["spans_b"])):
        print(f"\n--- {label} (shared text marked {on}like this{off}) ---")
        print(excerpt(text, spans, on, off, r["shown"], escape=_show))
    return 0


_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _looks_like_path(item: str) -> bool:
    """One word holding a path separator or ending in an extension (``a.txt``)."""
    return (bool(item) and not any(c.isspace() for c in item)
            and ("/" in item or os.sep in item or _EXTENSION.search(item) is not None))


def _explain_input(label: str, item: str) -> str:
    """The text ``explain`` compares for an argument: the file's text if it
    names an existing file; a usage error if it looks like a path (one word
    holding a path separator or ending in an extension, like ``a.txt``) that
    does not exist; else the argument itself, of any length."""
    try:
        st = os.stat(item)
    except (OSError, ValueError):  # no such file, a name too long, a NUL: not a file
        st = None
    if st is not None:
        import stat

        if stat.S_ISDIR(st.st_mode):
            raise Usage(f"{label} {_show(item)}: is a folder; give a text file, or add --text to compare the words")
        try:
            return Path(item).read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise Failure(f"{item}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    if _looks_like_path(item):
        raise Usage(f"{label} {_show(item)}: no such file; to compare these words as text, add --text")
    return item


def _print_clusters(rows, dropped: int, stats, config, as_json: bool) -> None:
    """Print the clusters; ``rows()`` gives them (twice: a count, then the lines)."""
    if as_json:
        for row in rows():
            print(_json_line(row))
        return
    print(
        f"{stats['in']} documents, {sum(1 for _ in rows())} clusters, {dropped} duplicates to drop "
        f"(threshold {config.threshold}, {config.bands} bands x {config.rows} rows)"
    )
    for row in rows():
        print(f"\nkeep {_show(row['kept'])}")
        for m in row["members"][1:]:
            print(f"  drop {_show(m)} (similarity {row['similarity'][str(m)]:.3f})")


def run_repeats(args: argparse.Namespace, config: Config | None) -> int:
    files = args.files
    return _cut_job(args, _cleaner(args, files), files)


def run_boilerplate(args: argparse.Namespace, config: Config | None) -> int:
    files = args.files
    if args.learn:
        bp = _learn(args, files)
        if not args.dry_run:
            bp.save(args.learn)
        if not args.quiet or args.dry_run:
            saved = "not saved (dry run)" if args.dry_run else f"saved to {args.learn}"
            print(f"{len(bp.templates)} templates from {bp.n_documents} documents (in at least {bp.min_docs}), {saved}")
            for t in bp.templates if args.dry_run else bp.templates[:20]:
                print(f"  {t.docs:6d} docs  {_show(repr(t.text[:70]))}  ({len(t.variants)} variant{'s' if len(t.variants) != 1 else ''})")
                if args.dry_run:
                    for v, n in t.variants[:10]:
                        print(f"      {n:6d}  {_clip(v, 100)}")
        return 0
    return _cut_job(args, _cleaner(args, files), files)


def _cut_job(args: argparse.Namespace, cleaner: Cleaner, files: list[Path]) -> int:
    """The paragraph stages alone: each record written with its cleaned text
    (or its cuts with --annotate), or, with --dry-run, each cut shown."""
    stats = {"in": 0, "out": 0, "bad": 0, "bytes_in": 0, **{f"bytes_{k}": 0 for k in STAGES}}
    writer = None
    fmt = None if args.dry_run else _out_format(args, files, args.out)
    progress = Progress(args.quiet or args.dry_run)
    try:
        if not args.dry_run:
            writer = _writer(args, files, args.out, {"cuts": "json"} if args.annotate else {})
        for batch in batches(_records(args, files, stats, warn=True), 256):
            found = cleaner.cuts([r.text for r in batch])
            progress.update(len(batch), sum(len(r.text) for r in batch))
            for rec, cuts in zip(batch, found):
                stats["in"] += 1
                stats["out"] += 1
                stats["bytes_in"] += _size(rec.text)
                if writer is None:  # --dry-run
                    _show_cuts(args, rec, cuts)
                    cleaner.apply(rec.text, cuts, stats)
                    continue
                if args.annotate:
                    spans = [{"start": c.start, "end": c.end, "kind": c.kind, "match": c.match,
                              "similarity": round(c.similarity, 4), "exact": c.exact}
                             for stage in cleaner.stages for c in cuts.get(stage, [])]
                    writer.write(rec, extra={"cuts": spans if fmt == "jsonl" else json_text(spans)})
                    continue
                new = cleaner.apply(rec.text, cuts, stats)
                writer.write(rec, text=rec.text if new is None else new)
        progress.close()
        if not stats["in"]:
            raise _no_records(files)
    except BaseException:
        _close_all([writer], ok=False)
        raise
    if writer is not None:
        _finish([writer])
    _summary(stats, cleaner.stages, args)
    return 0


def _summary(stats: dict[str, int], stages: list[str], args: argparse.Namespace, config: Config | None = None) -> None:
    if args.quiet:
        return
    rows: list[tuple[str, Any]] = [
        ("documents in", stats["in"]),
        ("documents out", stats["out"]),
        ("bad records skipped", stats["bad"]),
        ("bytes in", stats["bytes_in"]),
    ]
    rows += [(f"text bytes removed ({WHAT[s]})", stats[f"bytes_{s}"]) for s in stages]
    if config is not None and "documents" in stages:
        rows.append(("verification", _verified(config)))
    if args.dry_run:
        rows.append(("dry run", "nothing written"))
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v if isinstance(v, str) else format(v, ','):>12}" for k, v in rows),
          file=sys.stderr)


def _paragraph_flags(p: argparse.ArgumentParser, prefix: str = "", what: str = "paragraphs") -> None:
    """threshold / ngram / unit of the paragraph stages (default: the library's)."""
    p.add_argument(f"--{prefix}threshold", type=float, metavar="T",
                   help=f"Jaccard at which {what} are near copies (default: the library's, 0.6)")
    p.add_argument(f"--{prefix}ngram", type=int, metavar="N", help=f"shingle size for {what} (default: 4)")
    p.add_argument(f"--{prefix}unit", choices=UNITS, help=f"shingle unit for {what} (default: char)")


def _learn_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-docs", type=int, metavar="N",
                   help="documents a line must be in to be boilerplate (default: the library's, for the corpus size)")
    p.add_argument("--min-fraction", type=float, metavar="F", help="or this fraction of the documents, if larger")
    p.add_argument("--labels", action=argparse.BooleanOptionalAction, default=None,
                   help="'Label: value' lines with recurring labels and values as templates (default: on)")


def parser() -> argparse.ArgumentParser:
    from . import __version__

    d = Config()
    common = _Parser(add_help=False)
    common.add_argument("inputs", nargs="+", help="files, folders of .txt files, or globs")
    common.add_argument("--text-field", default="text", help="field holding the text (default %(default)s)")
    common.add_argument("--id-field", help="field holding the id, required in every record (default: id when a "
                        "record has one, else file:line)")
    common.add_argument("--by", choices=("file", "line", "paragraph"), default="file",
                        help="for .txt inputs: what one document is (default: a file)")
    common.add_argument("--skip-bad", action="store_true", help="skip and count malformed records instead of stopping")
    common.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    common.add_argument("--out", help="where the kept records go, in the input's format")
    common.add_argument("--annotate", action="store_true", help="keep every record and add what would be cut")
    common.add_argument("--dry-run", action="store_true",
                        help="print each cut with its text and the text it matched; write no output")
    common.add_argument("--json", action="store_true",
                        help="print JSON, one object a line (clusters, or the cuts of --dry-run)")
    common.add_argument("--jobs", type=_jobs, metavar="N", default=None,
                        help="threads to run on; the output is the same whatever the number "
                             f"(default: every core available, {_cores()} here)")
    ap = _Parser(prog="dedup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", action="version", version=f"dedup {__version__}")
    sub = ap.add_subparsers(dest="job", required=True)
    docs = sub.add_parser("documents", parents=[common], help="near-duplicate documents")
    al = sub.add_parser("all", parents=[common],
                        help="repeats, boilerplate (with --boilerplate or --learn-boilerplate) and documents in one pass")
    how = al.add_mutually_exclusive_group()
    how.add_argument("--boilerplate", metavar="BP.json", help="a saved boilerplate to strip too")
    how.add_argument("--learn-boilerplate", action="store_true",
                     help="learn the boilerplate from the inputs first (their texts held in memory), and strip it")
    al.add_argument("--skip", type=_stages, metavar="STAGES", default=(),
                    help="stages to leave out, comma-separated: repeats, boilerplate, documents")
    al.add_argument("--keep-first", action="store_true",
                    help="boilerplate: keep the first line of each template (default: cut every one)")
    al.add_argument("--keep", dest="old_keep", help=argparse.SUPPRESS)  # the old name: an error naming the new one
    _paragraph_flags(al, "paragraph-", "paragraphs and boilerplate lines")
    _learn_flags(al)
    for p in (docs, al):
        p.add_argument("--threshold", type=float, default=d.threshold,
                       help="Jaccard threshold of documents (default %(default)s)")
        p.add_argument("--ngram", type=int, default=d.ngram, help="shingle size of documents (default %(default)s)")
        p.add_argument("--unit", choices=UNITS, default=d.unit, help="shingle unit of documents (default %(default)s)")
        p.add_argument("--num-perm", type=int, default=d.num_perm, help="signature length (default %(default)s)")
        p.add_argument("--scheme", choices=SCHEMES, default=d.scheme, help="signature scheme (default %(default)s)")
        p.add_argument("--verify", choices=VERIFY, default=d.verify,
                       help="exact: decide candidates on the exact Jaccard of shingle sets, as find_duplicates "
                            "(default); signature: on the signature estimate (faster)")
        p.add_argument("--seed", type=int, default=d.seed, help="hash seed (default %(default)s)")
        p.add_argument("--removed", help="where the dropped records go, with the id they duplicate")
        p.add_argument("--clusters", help="clusters.jsonl: cluster id, members, kept member, similarities")
        p.add_argument("--report", metavar="REPORT.html", help="a self-contained HTML report of the run")
        p.add_argument("--work-dir", help="folder for temporary files (default: the system's temporary folder)")
    docs.add_argument("--engine", choices=("local", "spark"), default="local",
                      help="local (default), or spark: Parquet or JSON Lines in and out, on a Spark cluster or in "
                           "local mode (pip install 'dedup-text[spark]'; needs Java 17+)")
    docs.add_argument("--master", help="with --engine spark: the Spark master URL (default local[*])")
    docs.add_argument("--order-field", metavar="FIELD",
                      help="with --engine spark: the field whose order decides which record is kept, the first "
                           "(default: the id field)")
    ex = sub.add_parser("explain", help="why two documents match (or not), with the verdict a run would give")
    ex.add_argument("a", help="a text file, or the text itself")
    ex.add_argument("b", help="a text file, or the text itself")
    ex.add_argument("--text", action="store_true", help="A and B are the texts themselves, never file names")
    for flag, kw in (("--threshold", {"type": float, "default": d.threshold}),
                     ("--ngram", {"type": int, "default": d.ngram}), ("--unit", {"choices": UNITS, "default": d.unit}),
                     ("--num-perm", {"type": int, "default": d.num_perm}),
                     ("--scheme", {"choices": SCHEMES, "default": d.scheme}), ("--seed", {"type": int, "default": d.seed}),
                     ("--verify", {"choices": VERIFY, "default": d.verify})):
        ex.add_argument(flag, **kw, help="as for documents (default %(default)s)")
    rep = sub.add_parser("repeats", parents=[common], help="repeated paragraphs inside documents")
    _paragraph_flags(rep)
    bp = sub.add_parser("boilerplate", parents=[common], help="learn or apply boilerplate lines")
    how = bp.add_mutually_exclusive_group(required=True)
    how.add_argument("--learn", metavar="BP.json", help="learn from the inputs and save")
    how.add_argument("--apply", metavar="BP.json", help="strip a saved boilerplate from the inputs")
    _paragraph_flags(bp, what="boilerplate lines (when learning)")
    _learn_flags(bp)
    bp.add_argument("--keep-first", action="store_true",
                    help="when applying: keep the first line of each template (default: cut every one)")
    bp.add_argument("--keep", dest="old_keep", help=argparse.SUPPRESS)  # the old name: an error naming the new one
    return ap


def _cores() -> int:
    from ._engine.workers import available_cores

    return available_cores()


def _jobs(value: str) -> int:
    """``--jobs N``: a positive integer."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"must be a positive integer (threads to run on), got {value!r}; try --jobs {_cores()} "
            "(every core here) or --jobs 1")
    return n


def _stages(value: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [v for v in names if v not in STAGES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown stage {bad[0] if bad else value!r}; give some of {', '.join(STAGES)}")
    return names


def _check(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors the parser cannot see: one line naming the value and the fix (exit 2)."""
    job = args.job
    if job != "explain" and "" in args.inputs:
        ap.error("an input is an empty path (''); give a file, folder or glob")
    for flag, attr in (*OUTPUTS.items(), *GIVEN.items(), ("--work-dir", "work_dir")):
        if getattr(args, attr, None) == "":
            fix = ("name the file to write" if flag in OUTPUTS else "name a folder for temporary files, or leave it "
                   "out" if flag == "--work-dir" else "give a boilerplate file saved by 'dedup boilerplate --learn'")
            ap.error(f"{flag} is an empty path (''); {fix}")
    if job in ("repeats", "boilerplate", "all", "documents") and args.dry_run and args.annotate:
        ap.error("--dry-run and --annotate: pick one (--dry-run prints the cuts, --annotate writes them)")
    if (job in ("repeats", "all") or (job == "boilerplate" and args.apply)) and not args.out and not args.dry_run:
        ap.error(f"{job} needs --out OUT (where the cleaned records go), or --dry-run to only show the cuts")
    if job in ("repeats", "boilerplate", "all", "documents") and getattr(args, "out", None) and args.dry_run:
        ap.error(f"--dry-run writes nothing, so --out {args.out} would stay unwritten; give one or the other")
    if job == "documents":
        _check_engine(ap, args)
    prefix = "paragraph_" if job == "all" else ""
    if job in ("repeats", "boilerplate", "all"):
        given = {k: getattr(args, prefix + k) for k in ("threshold", "ngram", "unit")}
        try:
            Config(**{k: v for k, v in given.items() if v is not None})
        except ValueError as e:
            ap.error(f"--{prefix.replace('_', '-')}{e!s}")
    if job in ("boilerplate", "all"):
        if args.min_docs is not None and args.min_docs < 1:
            ap.error(f"--min-docs must be a positive integer, got {args.min_docs}; try --min-docs 3")
        if args.min_fraction is not None and not 0 < args.min_fraction <= 1:
            ap.error(f"--min-fraction must be in (0, 1], got {args.min_fraction}; try --min-fraction 0.5")
        learning = args.learn if job == "boilerplate" else args.learn_boilerplate
        flags = [f for f, v in (("--min-docs", args.min_docs), ("--min-fraction", args.min_fraction),
                                ("--labels/--no-labels", args.labels)) if v is not None]
        if job == "boilerplate" and args.apply:
            flags += [f"--{k}" for k, v in given.items() if v is not None]
        if flags and not learning:
            fix = "add --learn-boilerplate" if job == "all" else "a saved boilerplate keeps what it was learned with"
            ap.error(f"{', '.join(flags)} {'apply' if len(flags) > 1 else 'applies'} when learning boilerplate; {fix}")
        if getattr(args, "old_keep", None) is not None:
            fix = "--keep-first" if args.old_keep == "first" else "no flag (every line of a template is cut)"
            ap.error(f"--keep {args.old_keep}: the flag is now --keep-first; use {fix}")
        if job == "boilerplate" and args.learn and args.keep_first:
            ap.error("--keep-first applies when stripping; use it with --apply")
        if job == "boilerplate" and args.learn and (args.out or args.annotate):
            ap.error(f"{'--out' if args.out else '--annotate'} applies when stripping; learning writes only "
                     "the boilerplate file: run --apply BP.json --out OUT after it")
        if job == "all" and args.keep_first and not (args.boilerplate or args.learn_boilerplate):
            ap.error("--keep-first applies to boilerplate; add --boilerplate BP.json or --learn-boilerplate")


def _check_engine(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The flags --engine spark takes, and those it does not."""
    if args.engine != "spark":
        for flag, value in (("--master", args.master), ("--order-field", args.order_field)):
            if value is not None:
                ap.error(f"{flag} applies with --engine spark; add --engine spark or leave {flag} out")
        return
    if not args.out:
        ap.error("--engine spark needs --out OUT (a folder of Parquet or JSON Lines part files to write)")
    unsupported = [flag for flag, value in (
        ("--removed", args.removed), ("--clusters", args.clusters), ("--report", args.report),
        ("--annotate", args.annotate), ("--dry-run", args.dry_run), ("--json", args.json),
        ("--by", args.by != "file"), ("--skip-bad", args.skip_bad), ("--work-dir", args.work_dir)) if value]
    if unsupported:
        ap.error(f"{', '.join(unsupported)}: not with --engine spark, which writes only --out; "
                 "use dedup.spark.find_duplicates for the matches and clusters")


JOBS = ("documents", "repeats", "boilerplate", "explain", "all")


def _unknown_job(word: str) -> str | None:
    """The error for a first argument that is neither a job nor an input
    (``dedup documnets x``); None if it may be an input (it exists, is a
    glob, or looks like a path: the missing-input error names it then)."""
    if word.startswith("-") or any(c in word for c in "*?[") or os.path.exists(word) or _looks_like_path(word):
        return None
    import difflib

    close = difflib.get_close_matches(word, JOBS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"give a job ({', '.join(JOBS)}) or an existing input file"
    return f"unknown job '{_show(word)}' (and no such input file); {hint}"


class _Parser(argparse.ArgumentParser):
    """Usage errors on one line (no usage dump): the problem, and where the fix is."""

    def error(self, message: str) -> NoReturn:
        hint = "" if ";" in message else f" (see '{self.prog} --help')"
        self.exit(2, f"{self.prog}: {message}{hint}\n")


def _os_error(e: OSError) -> str:
    """One line for an error of the system: the file it names, what went wrong, and the fix when known."""
    import errno

    where = f"{e.filename}: " if e.filename else ""
    if e.errno == errno.ENOSPC:
        return (f"{where}no space left on device; free some space, or give --work-dir (temporary files) and "
                "the outputs a disk with more room")
    return f"{where}{e.strerror}" if e.strerror else str(e)


class _Stopped(BaseException):
    """SIGTERM or SIGHUP: unwinds the run like Ctrl-C, so temporary files and partial outputs go."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum


def _stop(signum, frame):
    raise _Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    """The command: returns the exit code (0 done, 1 bad data, 2 bad usage,
    130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP); argparse's
    usage errors raise SystemExit(2)."""
    import signal

    caught = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    before = {}
    if threading_main():
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:  # see __main__: from here Ctrl-C
            signal.signal(signal.SIGINT, signal.default_int_handler)  # unwinds, removing what the run made
        for signum in caught:
            if signal.getsignal(signum) == signal.SIG_DFL:  # one ignored (nohup) stays ignored
                before[signum] = signal.signal(signum, _stop)
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C, while starting too
        print("dedup: interrupted", file=sys.stderr)
        return 130
    except _Stopped as e:
        try:
            print(f"dedup: terminated{'' if e.code == 128 + signal.SIGTERM else ' (hangup)'}", file=sys.stderr)
        except OSError:  # pragma: no cover - the terminal is gone
            pass
        return e.code
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in (*JOBS, "-h", "--help", "--version"):
        unknown = _unknown_job(argv[0])
        if unknown:
            print(f"dedup: {unknown}", file=sys.stderr)
            return 2
        argv.insert(0, "documents")  # the default job
    ap = parser()
    args = ap.parse_args(argv)
    _check(ap, args)
    if getattr(args, "jobs", 0) is None:
        args.jobs = _cores()
    config = None
    try:
        if args.job in ("documents", "all", "explain"):
            config = Config(
                threshold=args.threshold, num_perm=args.num_perm, ngram=args.ngram, unit=args.unit,
                scheme=args.scheme, seed=args.seed, verify=args.verify,
            )
    except ValueError as e:
        ap.error(str(e))
    # documents, all and explain take the Config made above; repeats and boilerplate None
    jobs: dict[str, Callable[[argparse.Namespace, Any], int]] = {
        "documents": run_documents, "repeats": run_repeats, "boilerplate": run_boilerplate, "explain": run_explain,
        "all": run_all,
    }
    job = jobs[args.job]
    try:
        if args.job == "documents" and args.engine == "spark":
            return run_documents_spark(args, config)
        args.files = [] if args.job == "explain" else _prepare(args)
        return job(args, config)
    except Usage as e:
        print(f"dedup: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: outputs and temporary files are gone (unwound)
        print("dedup: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except OSError as e:
        print(f"dedup: {_os_error(e)}", file=sys.stderr)
        return 1
    except (Failure, ValueError, ImportError) as e:
        print(f"dedup: {e}", file=sys.stderr)
        return 1


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
