"""The ``dedup`` command: a thin shell over the library.

    dedup documents INPUT... [--out OUT] [--removed FILE] [--clusters FILE] [--annotate]
    dedup repeats INPUT... --out OUT [--annotate]
    dedup boilerplate INPUT... (--learn BP.json | --apply BP.json --out OUT)
    dedup all INPUT... --out OUT [--boilerplate BP.json]  (all three in one pass)

INPUT: JSON Lines (.jsonl, .jsonl.gz, .jsonl.zst), .csv, .parquet, .txt
files, folders of .txt files, or globs. Without --out, ``documents`` prints
the clusters it finds. Exit codes: 0 done, 1 bad data, 2 bad usage.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._columns import Column
from .config import SCHEMES, UNITS, VERIFY, Config
from .io import BadRecord, Record, Writer, dumps, expand, format_of, jsonl_lines, parse_line, read

BATCH = 1024
REPORT_PAIRS = 12


class Failure(Exception):
    """Bad data: printed, exit code 1."""


def _records(args: argparse.Namespace, files: list[Path], stats: dict[str, int]):
    for f in files:
        for rec in read(f, args.text_field, args.id_field):
            if isinstance(rec, BadRecord):
                if not args.skip_bad:
                    raise Failure(f"{rec} (pass --skip-bad to skip and count such records)")
                stats["bad"] += 1
                continue
            if args.by != "file" and rec.raw is None:
                yield from _split(rec, args.by)
                continue
            yield rec


def _split(rec: Record, by: str):
    from .paragraphs import split_paragraphs

    for p in split_paragraphs(rec.text, split="line" if by == "line" else "blank"):
        line = rec.text.count("\n", 0, p.start) + 1
        yield Record(rec.source, line, f"{rec.source}:{line}", p.text, None)


class Progress:
    """A progress bar with documents/s and MB/s on a terminal; silent otherwise."""

    def __init__(self, quiet: bool, desc: str = "reading", total: int | None = None) -> None:
        self.bar = None
        self.bytes = 0
        self.t0 = time.perf_counter()
        if not quiet and sys.stderr.isatty():
            try:
                from tqdm import tqdm

                import shutil

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


def _batches(records, size: int = BATCH):
    batch: list[Record] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _out_format(args: argparse.Namespace, files: list[Path], path: str) -> str:
    fmt = format_of(path)
    return "jsonl" if fmt == "txt" else fmt


def run_all(args: argparse.Namespace, config: Config) -> int:
    """Repeated paragraphs out, boilerplate out (with --boilerplate), then
    near-duplicate documents on what is left: one pass over the input."""
    from .boilerplate import Boilerplate
    from .paragraphs import find_repeats
    from .spans import apply_cuts

    bp = Boilerplate.load(args.boilerplate) if args.boilerplate else None

    def clean(batch: list[Record]) -> list[str | None]:
        texts = [r.text for r in batch]
        cuts = find_repeats(texts)
        if bp is not None:
            cuts = [a + b for a, b in zip(cuts, bp.cuts(texts))]
        return [apply_cuts(t, c) if c else None for t, c in zip(texts, cuts)]

    return run_documents(args, config, clean)


class _Ids:
    """Record ids on disk (JSON, one after another) and their end offsets (a :class:`_Column`)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "ids"
        self._f = open(self.path, "wb")
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


def run_documents(args: argparse.Namespace, config: Config, clean=None) -> int:
    """Pass 1 reads and signs the input (cleaned texts of ``clean`` kept in a
    side file); :class:`dedup.ondisk.OnDisk` finds the duplicates on disk;
    pass 2 reads the input again and writes the outputs. Memory stays bounded
    whatever the corpus size (see docs/cli.md)."""
    files = expand(args.inputs)
    stats = {"in": 0, "out": 0, "bad": 0, "bytes_in": sum(f.stat().st_size for f in files), "bytes_removed": 0}
    writers = {}
    try:
        for name in ("out", "removed"):
            path = getattr(args, name)
            if path:
                writers[name] = Writer(path, _out_format(args, files, path), files, args.text_field)
        if args.clusters:
            writers["clusters"] = Writer(args.clusters, "jsonl", files)
        from .ondisk import OnDisk

        with OnDisk(config, workdir=args.work_dir) as od:
            ids = _Ids(od.dir)
            side = open(od.dir / "cleaned", "wb+") if clean is not None else None
            sizes, places = Column(od.dir / "sizes"), _Places(od.dir)
            try:
                progress = Progress(args.quiet)
                for batch in _batches(_records(args, files, stats)):
                    start = stats["in"]
                    cleaned = clean(batch) if clean is not None else [None] * len(batch)
                    texts = [r.text if new is None else new for r, new in zip(batch, cleaned)]
                    for i, (rec, new) in enumerate(zip(batch, cleaned)):
                        if new is not None:
                            stats["bytes_removed"] += _size(rec.text) - _size(new)
                            side.write(json.dumps([start + i, new], ensure_ascii=False).encode("utf-8", "surrogatepass")
                                       + b"\n")
                    sizes.extend(od.add(texts).tolist())
                    ids.extend(r.id for r in batch)
                    places.add(batch)
                    stats["in"] += len(batch)
                    progress.update(len(batch), sum(len(r.text) for r in batch))
                progress.close()
                result = od.finish()
                ndups, samples = 0, []
                for (lo, best, _, _), (_, size) in zip(result.chunks(), sizes.chunks()):
                    dup = np.flatnonzero(best >= 0)
                    ndups += len(dup)
                    stats["bytes_removed"] += int(size[dup].sum())  # what duplicates held (after cleaning)
                    samples += [(int(best[d]), lo + int(d)) for d in dup[: REPORT_PAIRS - len(samples)]]
                stats["out"] = stats["in"] - ndups + (ndups if args.annotate and "out" in writers else 0)
                if side is not None:
                    side.seek(0)
                if "out" in writers or "removed" in writers:
                    _write_records(args, files, writers, result, ids, side, places)
                if "clusters" in writers:
                    for row in _cluster_rows(result, ids, od.dir):
                        writers["clusters"].write_line(dumps(row) + b"\n")
                if not args.out and not args.clusters:
                    _print_clusters(lambda: _cluster_rows(result, ids, od.dir), ndups, stats, config, args.json)
                if args.report:
                    _write_report(args, files, config, stats, result, ids, samples, od.dir)
            finally:
                ids.close()
                sizes.close()
                places.close()
                if side is not None:
                    side.close()
    except BaseException:
        for w in writers.values():
            w.close(ok=False)
        raise
    for w in writers.values():
        w.close(ok=True)
    _summary(stats, "near-duplicate documents", args)
    return 0


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
                writers["out"].write(rec, text=new, extra={"cluster": None} if args.annotate else None)
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
    files = [open(p, "wb") for p in paths]
    try:
        for lo, best, sim, root in result.chunks():
            dup = np.flatnonzero(best >= 0)
            rec = np.empty(len(dup), dtype=dt)
            rec["root"], rec["pos"], rec["sim"] = root[dup], dup + lo, sim[dup]
            write_by(rec, rec["root"] // span, files)
    finally:
        for f in files:
            f.close()
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


def _write_report(args, files, config, stats, result, ids, samples, folder) -> None:
    """A pass over the input for the sample pairs' texts, then the HTML."""
    import heapq

    from ._files import replacing
    from .report import html_report

    want = {p for pair in samples for p in pair}
    texts: dict[int, str] = {}
    quiet = argparse.Namespace(**{**vars(args), "skip_bad": True})
    for pos, rec in enumerate(_records(quiet, files, {"bad": 0})):
        if pos in want:
            texts[pos] = rec.text
            if len(texts) == len(want):
                break
    sizes: dict[int, int] = {}
    biggest: list = []  # (size, -cluster, row): the 20 largest
    edges = np.linspace(config.threshold, 1.0, 11)
    sim_counts = np.zeros(10, dtype=np.int64)
    for _, best, sim, _ in result.chunks():  # similarity of every matched pair, a chunk at a time
        sim_counts += np.histogram(sim[best >= 0], bins=edges)[0]
    nclusters = 0
    for row in _cluster_rows(result, ids, folder):
        nclusters += 1
        size = len(row["members"])
        sizes[size] = sizes.get(size, 0) + 1
        row = {"kept": row["kept"], "members": row["members"][:7], "size": size}
        heapq.heappush(biggest, (size, -nclusters, row))
        if len(biggest) > 20:
            heapq.heappop(biggest)
    rows = [r for _, _, r in sorted(biggest, key=lambda x: (-x[0], -x[1]))]
    pairs = [(ids[a], texts.get(a, ""), ids[b], texts.get(b, "")) for a, b in samples]
    page = html_report(
        {"documents in": stats["in"], "documents out": stats["out"], "bad records skipped": stats["bad"],
         "bytes in": stats["bytes_in"], "bytes removed": stats["bytes_removed"], "clusters": nclusters},
        rows, sim_counts.tolist(), pairs, config, sizes, histogram=True,
    )
    with replacing(args.report) as tmp:
        tmp.write_text(page, encoding="utf-8")


def run_explain(args: argparse.Namespace, config: Config) -> int:
    from .report import explain, marked

    texts = []
    for item in (args.a, args.b):
        p = Path(item)
        texts.append(p.read_text(encoding="utf-8") if p.is_file() else item)
    r = explain(texts[0], texts[1], config)
    verdict = "near-duplicates" if r["match"] else "not near-duplicates"
    print(
        f"{verdict}: Jaccard {r['jaccard']:.3f} (threshold {r['threshold']}), signature estimate "
        f"{r['estimate']:.3f}; {r['shared_shingles']} shared shingles of {r['shingles_a']} and {r['shingles_b']}; "
        f"{r['bands_shared']} of {r['bands']} LSH bands shared (P = {r['candidate_probability']:.3f} at this Jaccard)"
    )
    tty = sys.stdout.isatty()
    on, off = ("\033[1;33m", "\033[0m") if tty else ("[[", "]]")
    for label, text, spans in (("A", texts[0], r["spans_a"]), ("B", texts[1], r["spans_b"])):
        print(f"\n--- {label} (shared text marked {on}like this{off}) ---")
        print(marked(text, spans, on, off))
    return 0


def _print_clusters(rows, dropped: int, stats, config, as_json: bool) -> None:
    """Print the clusters; ``rows()`` gives them (twice: a count, then the lines)."""
    if as_json:
        for row in rows():
            print(json.dumps(row, ensure_ascii=False, default=str))
        return
    print(
        f"{stats['in']} documents, {sum(1 for _ in rows())} clusters, {dropped} duplicates to drop "
        f"(threshold {config.threshold}, {config.bands} bands x {config.rows} rows)"
    )
    for row in rows():
        print(f"\nkeep {row['kept']}")
        for m in row["members"][1:]:
            print(f"  drop {m} (similarity {row['similarity'][str(m)]:.3f})")


def run_repeats(args: argparse.Namespace, config: Config | None) -> int:
    from .paragraphs import find_repeats
    from .spans import apply_cuts

    return _cut_job(args, lambda texts: find_repeats(texts), apply_cuts, "repeated paragraphs")


def run_boilerplate(args: argparse.Namespace, config: Config | None) -> int:
    from .boilerplate import Boilerplate, find_boilerplate
    from .spans import apply_cuts

    if args.learn:
        files = expand(args.inputs)
        stats = {"in": 0, "out": 0, "bad": 0, "bytes_in": 0, "bytes_removed": 0}
        texts = [r.text for r in _records(args, files, stats)]
        bp = find_boilerplate(texts, min_docs=args.min_docs)
        bp.save(args.learn)
        if not args.quiet:
            print(f"{len(bp.templates)} templates from {len(texts)} documents, saved to {args.learn}")
            for t in bp.templates[:20]:
                print(f"  {t.docs:6d} docs  {t.text[:70]!r}  ({len(t.variants)} variants)")
        return 0
    bp = Boilerplate.load(args.apply)
    return _cut_job(args, bp.cuts, apply_cuts, "boilerplate lines")


def _cut_job(args: argparse.Namespace, find, apply, what: str) -> int:
    files = expand(args.inputs)
    if not args.out:
        raise SystemExit("dedup: --out is required for this job")
    stats = {"in": 0, "out": 0, "bad": 0, "bytes_in": 0, "bytes_removed": 0}
    writer = Writer(args.out, _out_format(args, files, args.out), files, args.text_field)
    progress = Progress(args.quiet)
    try:
        for batch in _batches(_records(args, files, stats), 256):
            cuts = find([r.text for r in batch])
            progress.update(len(batch), sum(len(r.text) for r in batch))
            for rec, cs in zip(batch, cuts):
                stats["in"] += 1
                stats["out"] += 1
                stats["bytes_in"] += len(rec.text.encode("utf-8", "surrogatepass"))
                if args.annotate:
                    spans = [{"start": c.start, "end": c.end, "kind": c.kind, "match": c.match,
                              "similarity": round(c.similarity, 4), "exact": c.exact} for c in cs]
                    writer.write(rec, extra={"cuts": spans})
                    continue
                cleaned = apply(rec.text, cs)
                stats["bytes_removed"] += len(rec.text.encode("utf-8", "surrogatepass")) - len(
                    cleaned.encode("utf-8", "surrogatepass"))
                writer.write(rec, text=cleaned)
        progress.close()
    except BaseException:
        writer.close(ok=False)
        raise
    writer.close(ok=True)
    _summary(stats, what, args)
    return 0


def _summary(stats: dict[str, int], what: str, args: argparse.Namespace) -> None:
    if args.quiet:
        return
    rows = [
        ("documents in", stats["in"]),
        ("documents out", stats["out"]),
        ("bad records skipped", stats["bad"]),
        ("bytes in", stats["bytes_in"]),
        (f"text bytes removed ({what})", stats["bytes_removed"]),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v:>12,}" for k, v in rows), file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    from . import __version__

    d = Config()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("inputs", nargs="+", help="files, folders of .txt files, or globs")
    common.add_argument("--text-field", default="text", help="field holding the text (default %(default)s)")
    common.add_argument("--id-field", default="id", help="field holding the id (default %(default)s; else file:line)")
    common.add_argument("--by", choices=("file", "line", "paragraph"), default="file",
                        help="for .txt inputs: what one document is (default: a file)")
    common.add_argument("--skip-bad", action="store_true", help="skip and count malformed records instead of stopping")
    common.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    common.add_argument("--out", help="where the kept records go, in the input's format")
    common.add_argument("--annotate", action="store_true", help="keep every record and add what would be cut")
    ap = argparse.ArgumentParser(prog="dedup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", action="version", version=f"dedup {__version__}")
    sub = ap.add_subparsers(dest="job", required=True)
    docs = sub.add_parser("documents", parents=[common], help="near-duplicate documents")
    al = sub.add_parser("all", parents=[common], help="repeats, boilerplate (with --boilerplate) and documents in one pass")
    al.add_argument("--boilerplate", metavar="BP.json", help="a saved boilerplate to strip too")
    for p in (docs, al):
        p.add_argument("--threshold", type=float, default=d.threshold, help="Jaccard threshold (default %(default)s)")
        p.add_argument("--ngram", type=int, default=d.ngram, help="shingle size (default %(default)s)")
        p.add_argument("--unit", choices=UNITS, default=d.unit, help="shingle unit (default %(default)s)")
        p.add_argument("--num-perm", type=int, default=d.num_perm, help="signature length (default %(default)s)")
        p.add_argument("--scheme", choices=SCHEMES, default=d.scheme, help="signature scheme (default %(default)s)")
        p.add_argument("--verify", choices=VERIFY, default="signature",
                       help="streaming keeps no text, so candidates are checked on signatures")
        p.add_argument("--seed", type=int, default=d.seed, help="hash seed (default %(default)s)")
        p.add_argument("--removed", help="where the dropped records go, with the id they duplicate")
        p.add_argument("--clusters", help="clusters.jsonl: cluster id, members, kept member, similarities")
        p.add_argument("--json", action="store_true", help="print one JSON object per cluster")
        p.add_argument("--report", metavar="REPORT.html", help="a self-contained HTML report of the run")
        p.add_argument("--work-dir", help="folder for temporary files (default: the system's temporary folder)")
    ex = sub.add_parser("explain", help="why two documents match (or not)")
    ex.add_argument("a", help="a text file, or the text itself")
    ex.add_argument("b", help="a text file, or the text itself")
    for flag, kw in (("--threshold", dict(type=float, default=d.threshold)), ("--ngram", dict(type=int, default=d.ngram)),
                     ("--unit", dict(choices=UNITS, default=d.unit))):
        ex.add_argument(flag, **kw)
    sub.add_parser("repeats", parents=[common], help="repeated paragraphs inside documents")
    bp = sub.add_parser("boilerplate", parents=[common], help="learn or apply boilerplate lines")
    how = bp.add_mutually_exclusive_group(required=True)
    how.add_argument("--learn", metavar="BP.json", help="learn from the inputs and save")
    how.add_argument("--apply", metavar="BP.json", help="strip a saved boilerplate from the inputs")
    bp.add_argument("--min-docs", type=int, default=3, help="documents a line must be in (default %(default)s)")
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in ("documents", "repeats", "boilerplate", "explain", "all", "-h", "--help", "--version"):
        argv.insert(0, "documents")  # the default job
    ap = parser()
    args = ap.parse_args(argv)
    config = None
    try:
        if args.job in ("documents", "all"):
            config = Config(
                threshold=args.threshold, num_perm=args.num_perm, ngram=args.ngram, unit=args.unit,
                scheme=args.scheme, seed=args.seed, verify=args.verify,
            )
        elif args.job == "explain":
            config = Config(threshold=args.threshold, ngram=args.ngram, unit=args.unit)
    except ValueError as e:
        ap.error(str(e))
    job = {
        "documents": run_documents, "repeats": run_repeats, "boilerplate": run_boilerplate, "explain": run_explain,
        "all": run_all,
    }[args.job]
    import signal

    def stop(signum, frame):  # SIGTERM: unwind, so temporary files and partial outputs go
        raise SystemExit(128 + signum)

    if threading_main():
        signal.signal(signal.SIGTERM, stop)
    try:
        return job(args, config)
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except (Failure, OSError, ValueError, ImportError) as e:
        print(f"dedup: {e}", file=sys.stderr)
        return 1


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
