"""Corpus files in and out: JSON Lines (plain, .gz, .zst), CSV, Parquet, .txt.

Records stream: a reader yields one :class:`Record` at a time, so a corpus
larger than memory works. Writers write the input's own format to a
temporary file beside the target and rename it into place when closed
without error, so a run killed halfway leaves nothing under the final name
(and an input is never overwritten).
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import discard, temp_beside

FORMATS = ("jsonl", "csv", "parquet", "txt")

try:  # orjson parses JSON Lines several times faster, when it is installed
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None
    _loads = json.loads


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def json_text(value: Any) -> str:
    """JSON of a value that is always valid Unicode: lone surrogates (which
    UTF-8 cannot hold) written as ``\\udXXX`` escapes, which JSON readers
    read back as the same string. Anything not JSON as its str."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return _SURROGATE.sub(_escape_surrogate, text) if not text.isascii() else text


def dumps(value: Any) -> bytes:
    """Compact JSON of a value (an id), valid UTF-8 (lone surrogates escaped,
    as :func:`json_text`); anything else as its str."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=str)
        except TypeError:  # lone surrogates, big ints: the standard library takes them
            pass
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return (_SURROGATE.sub(_escape_surrogate, text) if not text.isascii() else text).encode("utf-8")


def clean_text(value: Any) -> Any:
    """``value`` with lone surrogates in its strings (also inside lists and
    dicts) shown as ``\\udXXX``: text that UTF-8 can hold, for CSV and Parquet."""
    if isinstance(value, str):
        return value if value.isascii() or not _SURROGATE.search(value) else _SURROGATE.sub(_escape_surrogate, value)
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_text(v) for k, v in value.items()}
    return value


class BadRecord(ValueError):
    """A record that cannot be read; the message names its file and line."""


@dataclass
class Record:
    source: str  # file it came from
    line: int  # 1-based line (row) number in that file
    id: Any  # the id field, or "file:line" when there is none
    text: str
    raw: Any  # the record as read (dict for jsonl/csv/parquet, None for txt)
    line_text: bytes | None = None  # a JSON Lines record's line as read, written back unchanged


def format_of(path: str | os.PathLike) -> str:
    name = str(path).lower()
    for ext in (".gz", ".zst"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".txt") or os.path.isdir(path):
        return "txt"
    raise ValueError(f"{path}: unknown format; name it .jsonl(.gz|.zst), .csv, .parquet or .txt")


def expand(inputs: list[str]) -> list[Path]:
    """Files named, globbed, or .txt files inside named folders, in order."""
    out: list[Path] = []
    for item in inputs:
        matches = sorted(glob.glob(item)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise FileNotFoundError(f"{item}: no file matches")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                out.extend(sorted(p.rglob("*.txt")))
            elif p.exists():
                out.append(p)
            else:
                raise FileNotFoundError(f"{p}: no such file or folder")
    return out


def _open_text(path: Path, mode: str = "rt"):
    name = str(path).lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8", newline="" if "w" in mode else None)
    if name.endswith(".zst"):
        try:
            import zstandard
        except ImportError:
            raise ImportError(f"{path}: reading .zst needs zstandard: pip install 'dedup[io]'") from None
        if "r" in mode:
            return io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")), encoding="utf-8")
        return io.TextIOWrapper(zstandard.ZstdCompressor().stream_writer(open(path, "wb")), encoding="utf-8")
    return open(path, mode, encoding="utf-8", newline="" if "csv" in name or "w" in mode else None)


def _open_binary(path: Path, mode: str = "rb"):
    name = str(path).lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode)
    if name.endswith(".zst"):
        try:
            import zstandard
        except ImportError:
            raise ImportError(f"{path}: .zst needs zstandard: pip install 'dedup[io]'") from None
        if "r" in mode:
            return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")))
        return zstandard.ZstdCompressor().stream_writer(open(path, "wb"))
    return open(path, mode)


def read(path: Path, text_field: str = "text", id_field: str = "id") -> Iterator[Record | BadRecord]:
    """Records of one file; a bad one is yielded as a BadRecord (the caller
    decides whether to stop or skip)."""
    fmt = format_of(path)
    if fmt == "txt":
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            yield BadRecord(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})")
            return
        yield Record(str(path), 1, str(path), text, None)
        return
    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError(f"{path}: reading Parquet needs pyarrow: pip install 'dedup[io]'") from None
        line = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                line += 1
                yield _record(path, line, row, text_field, id_field)
        return
    if fmt == "csv":
        with _open_text(path) as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                yield _record(path, line, row, text_field, id_field)
        return
    with _open_binary(path) as f:
        for line, raw in enumerate(f, start=1):
            if raw.strip():
                yield parse_line(path, line, raw if raw.endswith(b"\n") else raw + b"\n", text_field, id_field)


def jsonl_lines(path: Path, lines: Iterator[int]) -> Iterator[tuple[int, bytes]]:
    """The raw lines numbered ``lines`` (ascending) of a JSON Lines file, unparsed:
    a second pass over records already read once."""
    want = next(lines, None)
    if want is None:
        return
    with _open_binary(path) as f:
        for line, raw in enumerate(f, start=1):
            if line == want:
                yield line, raw if raw.endswith(b"\n") else raw + b"\n"
                want = next(lines, None)
                if want is None:
                    return


def parse_line(path: Path, line: int, raw: bytes, text_field: str, id_field: str) -> Record | BadRecord:
    """The record of one JSON Lines line (see :func:`read`)."""
    try:
        row = _loads(raw)
    except ValueError as e:
        return BadRecord(f"{path}:{line}: not valid JSON ({getattr(e, 'msg', e)})")
    rec = _record(path, line, row, text_field, id_field)
    if isinstance(rec, Record):
        rec.line_text = raw
    return rec


def _record(path: Path, line: int, row: Any, text_field: str, id_field: str) -> Record | BadRecord:
    if not isinstance(row, dict):
        return BadRecord(f"{path}:{line}: a record must be an object, got {type(row).__name__}")
    text = row.get(text_field)
    if not isinstance(text, str):
        what = "no field" if text_field not in row else f"{type(text).__name__} in field"
        return BadRecord(f"{path}:{line}: {what} {text_field!r} (use --text-field to name the text field)")
    rid = row.get(id_field, f"{path}:{line}")
    return Record(str(path), line, rid, text, row)


class Writer:
    """Write records in a format to ``path``, atomically (temporary file, then rename).

    ``columns``: the fields of every record, in order, for CSV and Parquet
    (default: the first record's; a later record with another field is an
    error, never a silent drop). ``schema``: the Parquet schema (a
    ``pyarrow.Schema``; default: inferred from the first 4,096 rows). Values
    that are lists or dicts are written as JSON text in CSV. Output is always
    valid UTF-8: lone surrogates become ``\\udXXX`` escapes in JSON and are
    shown as ``\\udXXX`` in CSV and Parquet text.
    """

    def __init__(self, path: str | os.PathLike, fmt: str, inputs: list[Path] = (), text_field: str = "text",
                 columns: list[str] | None = None, schema: Any = None) -> None:
        self.path = Path(path)
        self.text_field = text_field
        for p in inputs:
            if _same_file(self.path, p):
                raise ValueError(f"{self.path}: is an input; write the output somewhere else")
        if fmt not in ("jsonl", "csv", "parquet"):
            raise ValueError(f"{self.path}: cannot write {fmt}; name it .jsonl(.gz|.zst), .csv or .parquet")
        self.fmt = fmt
        self.columns = list(columns) if columns is not None else None
        self.schema = schema
        squeeze = next((e for e in (".gz", ".zst") if str(self.path).endswith(e)), "")
        self._rows: list[dict] = []
        self._csv: Any = None
        self._parquet: Any = None
        self._f: Any = None
        self.tmp = temp_beside(self.path, squeeze)
        try:
            if fmt == "csv":
                self._f = _open_text(self.tmp, "wt")
            elif fmt == "jsonl":
                self._f = _open_binary(self.tmp, "wb")
        except BaseException:
            discard(self.tmp)
            raise

    def write_line(self, line: bytes) -> None:
        """A JSON Lines record unchanged, byte for byte (parsed and written
        as a record when the output is not JSON Lines)."""
        if self.fmt == "jsonl":
            self._f.write(line)
            return
        row = json.loads(line)
        self._row(row if isinstance(row, dict) else {"value": row})

    def write_json(self, value: Any) -> None:
        """One value as a JSON Lines line (JSON Lines output only)."""
        self._f.write(dumps(value) + b"\n")

    def write(self, rec: Record, text: str | None = None, extra: dict | None = None) -> None:
        if isinstance(rec.raw, dict):
            row = dict(rec.raw)
            if text is not None:
                row[self.text_field] = text
        else:  # a .txt file or a line of one
            row = {"id": rec.id, "text": rec.text if text is None else text}
        if extra:
            row.update(extra)
        if self.fmt == "jsonl" and text is None and not extra and rec.line_text is not None:
            self._f.write(rec.line_text)  # unchanged, byte for byte
            return
        self._row(row)

    def _row(self, row: dict) -> None:
        if self.fmt == "jsonl":
            self._f.write(json_text(row).encode("utf-8") + b"\n")
        elif self.fmt == "csv":
            if self._csv is None:
                if self.columns is None:
                    self.columns = list(row)
                self._csv = csv.DictWriter(self._f, fieldnames=self.columns)
                self._csv.writeheader()
            extra = [k for k in row if k not in self._csv.fieldnames]
            if extra:
                raise ValueError(f"{self.path}: field {extra[0]!r} is not one of the CSV columns "
                                 f"({', '.join(self.columns or [])}); write JSON Lines to keep every field")
            self._csv.writerow({k: clean_text(json_text(v) if isinstance(v, (list, dict)) else v)
                                for k, v in row.items()})
        else:
            self._rows.append(clean_text(row))
            if len(self._rows) >= 4096:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        schema = self.schema
        if schema is None and self._parquet is not None:
            schema = self._parquet.schema_arrow
        try:
            table = pa.Table.from_pylist(self._rows, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise ValueError(f"{self.path}: these records do not fit one Parquet schema ({e}); "
                             "write JSON Lines or CSV instead") from None
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(str(self.tmp), table.schema)
        self._parquet.write_table(table)
        self._rows = []

    def close(self, ok: bool = True) -> None:
        """Rename the temporary file into place (``ok``), or remove it."""
        try:
            if self.fmt == "parquet":
                if ok:
                    self._flush_parquet()
                if self._parquet is not None:
                    self._parquet.close()
                elif ok:  # no rows at all: an empty table
                    import pyarrow as pa
                    import pyarrow.parquet as pq

                    pq.write_table(self.schema.empty_table() if self.schema is not None else pa.table({}),
                                   str(self.tmp))
            elif self._f is not None:
                self._f.close()
            if ok:
                os.replace(self.tmp, self.path)
        finally:
            discard(self.tmp)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same file on disk (hard or
    symbolic links too), or the same path once symbolic links are resolved."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:  # one of them does not exist (yet)
        pass
    return a.resolve() == b.resolve()
