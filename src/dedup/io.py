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
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._engine.files import discard, same_file, temp_beside

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


MAX_FIELD = 1 << 30
"""The most one record may hold, 1 GiB: a JSON Lines line or a ``.txt`` file
in bytes, a CSV field in characters. A longer line or ``.txt`` file is a bad
record (skipped unread with ``--skip-bad``); a longer CSV field stops the run,
as the rest of its row cannot be found."""

_BOM = b"\xef\xbb\xbf"
_NOT_SKIPPED = "--skip-bad skips malformed records, not missing data"


class BadRecord(ValueError):
    """A record that cannot be read; the message names its file and line."""


class BadFile(ValueError):
    """A file that cannot be read to its end (compressed data cut short or
    corrupt, a CSV quote never closed, a CSV field over :data:`MAX_FIELD`):
    what follows is missing, not malformed, so ``--skip-bad`` does not skip
    it. The message names the file and where it broke."""


class InputError(ValueError):
    """An input named on the command line that dedup cannot read as a file (a
    pipe, a socket, a device): bad usage, exit code 2."""


@dataclass
class Record:
    source: str  # file it came from
    line: int  # 1-based line (row) number in that file
    id: Any  # the id field, or "file:line" when there is none
    text: str
    raw: Any  # the record as read (dict for jsonl/csv/parquet, None for txt)
    line_text: bytes | None = None  # a JSON Lines record's line as read, written back unchanged
    undecoded: bool = False  # a .txt text with bytes that are not UTF-8, held as U+DC80..U+DCFF (see bad_bytes)


def format_of(path: str | os.PathLike) -> str:
    name = str(path).lower()
    for ext in (".gz", ".zst"):
        name = name.removesuffix(ext)
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".txt") or os.path.isdir(path):
        return "txt"
    raise ValueError(f"{path}: unknown format; name it .jsonl(.gz|.zst), .csv, .parquet or .txt")


def expand(inputs: list[str], skipped: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Files named, globbed, or .txt files inside named folders, in order.

    A file named (or matched by a glob) is read as named, a symbolic link
    followed; it must be a regular file: a pipe, socket or device is an
    :class:`InputError` (dedup reads its inputs twice). Inside a folder,
    subfolders are walked (one named ``x.txt`` too) and regular ``*.txt``
    files taken; symbolic links are not followed and other entries named
    ``*.txt`` (pipes, sockets, devices) are not opened: each goes to
    ``skipped`` as (path, reason)."""
    out: list[Path] = []
    for item in inputs:
        matches = sorted(glob.glob(item)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise FileNotFoundError(f"{item}: no file matches")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                out.extend(_walk(p, skipped if skipped is not None else []))
            elif p.is_file():
                out.append(p)
            elif p.exists():
                raise InputError(f"{p}: not a regular file ({_kind(os.stat(p).st_mode)}); dedup reads each input "
                                 "twice: save it to a file and name that")
            else:
                raise FileNotFoundError(f"{p}: no such file or folder")
    return out


def _walk(folder: Path, skipped: list[tuple[Path, str]]) -> list[Path]:
    """The regular ``*.txt`` files under ``folder``, sorted; symbolic links and
    other non-regular entries are skipped (see :func:`expand`)."""
    found: list[Path] = []
    folders = [folder]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for e in entries:
                if e.is_symlink():
                    if e.name.endswith(".txt") or e.is_dir():
                        why = "a symbolic link inside a folder is not followed; name it on the command line to read it"
                        skipped.append((Path(e.path), why))
                elif e.is_dir(follow_symlinks=False):
                    folders.append(Path(e.path))
                elif e.name.endswith(".txt"):
                    if e.is_file(follow_symlinks=False):
                        found.append(Path(e.path))
                    else:
                        mode = e.stat(follow_symlinks=False).st_mode
                        skipped.append((Path(e.path), f"not a regular file ({_kind(mode)})"))
    return sorted(found)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


def _zstandard(path: Path):
    try:
        import zstandard
    except ImportError:
        raise ImportError(f"{path}: .zst needs zstandard: pip install 'dedup-text[io]'") from None
    return zstandard


def _open_text(path: Path, mode: str = "rt"):
    name = str(path).lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8", newline="" if "w" in mode else None)
    if name.endswith(".zst"):
        zstandard = _zstandard(path)
        if "r" in mode:
            return io.TextIOWrapper(_open_binary(path), encoding="utf-8")
        return io.TextIOWrapper(zstandard.ZstdCompressor().stream_writer(open(path, "wb")), encoding="utf-8")
    return open(path, mode, encoding="utf-8", newline="" if "csv" in name or "w" in mode else None)


def _open_binary(path: Path, mode: str = "rb"):
    """The file's data, (de)compressed by its extension. Reading a ``.zst``
    file first checks that its last frame is complete (:func:`_check_zstd`):
    the decompressor would end a cut-short file silently."""
    name = str(path).lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode)
    if name.endswith(".zst"):
        zstandard = _zstandard(path)
        if "r" in mode:
            raw = open(path, "rb")  # noqa: SIM115 - the reader returned closes it
            try:
                _check_zstd(path, raw.fileno())
            except BaseException:
                raw.close()
                raise
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            return io.BufferedReader(reader)
        return zstandard.ZstdCompressor().stream_writer(open(path, "wb"))
    return open(path, mode)


def _check_zstd(path: Path, fd: int) -> None:
    """Walk the frames and blocks of a zstd file, reading only their headers:
    :class:`BadFile` if the file ends inside a frame or holds something else."""
    size = os.fstat(fd).st_size
    pos = 0

    def cut(frame: int) -> BadFile:
        return BadFile(f"{path}: the zstd data ends at byte {size:,} inside the frame begun at byte {frame:,}: the "
                       f"file is truncated and the records from there on are missing ({_NOT_SKIPPED}); fix: "
                       "restore the complete file")

    while pos < size:
        frame = pos
        head = os.pread(fd, 5, pos)
        magic = int.from_bytes(head[:4], "little")
        if len(head) >= 4 and 0x184D2A50 <= magic <= 0x184D2A5F:  # a skippable frame
            length = os.pread(fd, 4, pos + 4)
            if len(length) < 4:
                raise cut(frame)
            pos += 8 + int.from_bytes(length, "little")
            if pos > size:
                raise cut(frame)
            continue
        if len(head) < 5 or magic != 0xFD2FB528 or head[4] & 0x08:
            if len(head) < 5 and bytes.fromhex("28b52ffd").startswith(head[:4]):
                raise cut(frame)
            raise BadFile(f"{path}: not zstd data at byte {pos:,} (no frame starts there): the file is corrupt; "
                          "fix: restore the complete file, or compress it again with zstd")
        fhd = head[4]
        single = (fhd >> 5) & 1
        pos += 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + ((1 if single else 0), 2, 4, 8)[fhd >> 6]
        while True:
            block = os.pread(fd, 3, pos)
            if len(block) < 3:
                raise cut(frame)
            h = int.from_bytes(block, "little")
            kind = (h >> 1) & 3
            if kind == 3:
                raise BadFile(f"{path}: corrupt zstd data (a reserved block type at byte {pos:,}); fix: restore "
                              "the complete file, or compress it again with zstd")
            pos += 3 + (1 if kind == 1 else h >> 3)
            if pos > size:
                raise cut(frame)
            if h & 1:  # the frame's last block
                break
        pos += 4 if fhd & 0x04 else 0  # the content checksum
        if pos > size:
            raise cut(frame)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _broken(path: Path, line: int, e: BaseException) -> BadFile:
    """The error for a file whose data breaks off or is corrupt at ``line``."""
    name = str(path).lower()
    kind = "gzip" if name.endswith(".gz") else "zstd" if name.endswith(".zst") else ""
    if isinstance(e, EOFError):
        return BadFile(f"{path}:{line}: the {kind or 'compressed'} data ends before its end marker: the file is "
                       f"truncated, so line {line} on is missing ({_NOT_SKIPPED}); fix: restore the complete file")
    what = f"corrupt {kind} data" if kind else "cannot read the file"
    return BadFile(f"{path}:{line}: {what} from line {line} on ({_one_line(e)}); fix: restore the complete file")


def _data_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [EOFError, OSError, zlib.error]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    return tuple(errors)


def _lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(number, line as read) of each line of a file, decompressed, a BOM at
    its start dropped; ``None`` for a line over :data:`MAX_FIELD` bytes (read
    past, never held whole). :class:`BadFile` where the data breaks off."""
    limit = MAX_FIELD
    errors = _data_errors()
    line = 0
    with _open_binary(path) as f:
        while True:
            try:
                raw = f.readline(limit + 1)
                if len(raw) > limit and not raw.endswith(b"\n"):
                    while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                    raw = None
            except errors as e:
                raise _broken(path, line + 1, e) from None
            if raw == b"":
                return
            line += 1
            if line == 1 and raw is not None:
                raw = raw.removeprefix(_BOM)
            yield line, raw


def _too_long(path: Path, line: int) -> BadRecord:
    return BadRecord(f"{path}:{line}: a line over {MAX_FIELD:,} bytes, the most dedup reads as one record; "
                     "fix: split the document")


def _not_utf8(where: str, byte: int, at: int) -> str:
    return f"{where}: not valid UTF-8 (byte 0x{byte:02x} at position {at}); fix: re-encode the file as UTF-8"


def read(path: Path, text_field: str = "text", id_field: str | None = None,
         by: str = "file") -> Iterator[Record | BadRecord]:
    """Records of one file; a bad one is yielded as a :class:`BadRecord` (the
    caller decides whether to stop or skip). A file that breaks off (cut
    short, corrupt) raises :class:`BadFile` where it does.

    ``id_field=None`` takes the field ``id`` when a record has one (and is
    not null) and ``file:line`` when not; a field named is required in every
    record. A ``.txt`` file is one record, none when it is empty. With
    ``by`` ``"line"`` or ``"paragraph"`` (the caller splits it), a ``.txt``
    file with bytes that are not UTF-8 is still read: they are held as
    lone surrogates, and :func:`bad_bytes` names those in a part."""
    fmt = format_of(path)
    if fmt == "txt":
        rec = _txt(path, by)
        if rec is not None:
            yield rec
        return
    if fmt == "parquet":
        yield from _parquet(path, text_field, id_field)
        return
    if fmt == "csv":
        yield from _csv(path, text_field, id_field)
        return
    for line, raw in _lines(path):
        if raw is None:
            yield _too_long(path, line)
        elif raw.strip():
            ended = raw.endswith(b"\n")
            yield parse_line(path, line, raw if ended else raw + b"\n", text_field, id_field, last=not ended)


def _txt(path: Path, by: str = "file") -> Record | BadRecord | None:
    """A ``.txt`` file: one record, its text the whole file; None when it is
    empty. Bytes that are not UTF-8 make it a bad record, or, split ``by``
    line or paragraph, are kept for :func:`bad_bytes` to find."""
    with _open_binary(path) as f:
        try:
            data = f.read(MAX_FIELD + 1)
        except _data_errors() as e:
            raise _broken(path, 1, e) from None
    if len(data) > MAX_FIELD:
        return BadRecord(f"{path}: over {MAX_FIELD:,} bytes, the most dedup reads as one record; fix: split the file")
    data = data.removeprefix(_BOM)
    if not data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if by != "file":
            return Record(str(path), 1, str(path), data.decode("utf-8", "surrogateescape"), None, undecoded=True)
        line = data.count(b"\n", 0, e.start) + 1
        at = e.start - data.rfind(b"\n", 0, e.start) - 1
        return BadRecord(_not_utf8(f"{path}:{line}", data[e.start], at))
    return Record(str(path), 1, str(path), text, None)


_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, decoded with "surrogateescape"


def bad_bytes(rec: Record, start: int = 0, end: int | None = None) -> BadRecord | None:
    """The bad record for ``rec.text[start:end]`` (a line or paragraph of
    an ``undecoded`` ``.txt`` text) when it holds bytes that are not UTF-8,
    named by its file, line and byte; None when it holds none."""
    if not rec.undecoded:
        return None
    m = _UNDECODED.search(rec.text, start, len(rec.text) if end is None else end)
    if m is None:
        return None
    line_start = rec.text.rfind("\n", 0, m.start()) + 1
    at = len(rec.text[line_start : m.start()].encode("utf-8", "surrogateescape"))
    line = rec.text.count("\n", 0, m.start()) + 1
    return BadRecord(_not_utf8(f"{rec.source}:{line}", ord(m.group()) - 0xDC00, at))


def _parquet(path: Path, text_field: str, id_field: str | None) -> Iterator[Record | BadRecord]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(f"{path}: reading Parquet needs pyarrow: pip install 'dedup-text[io]'") from None
    errors = (pa.ArrowException, OSError, ValueError)
    line = 0
    try:
        batches = iter(pq.ParquetFile(path).iter_batches(batch_size=4096))
    except errors as e:
        raise BadFile(f"{path}: not a readable Parquet file ({_one_line(e)}); fix: restore the complete file, or "
                      "write it again") from None
    while True:
        try:
            batch = next(batches, None)
            rows = batch.to_pylist() if batch is not None else []
        except errors as e:
            raise BadFile(f"{path}:{line + 1}: cannot read the Parquet rows from row {line + 1} on ({_one_line(e)}); "
                          "fix: restore the complete file, or write it again") from None
        if batch is None:
            return
        for row in rows:
            line += 1
            yield _record(path, line, row, text_field, id_field)


_END = "\ufdd0end of file\ufdd0"  # fed to the CSV parser after the last line: swallowed only by an open quote


def _csv(path: Path, text_field: str, id_field: str | None) -> Iterator[Record | BadRecord]:
    """The rows of a CSV file with a header, each numbered by the line it
    starts on. A row with bytes that are not UTF-8, or with more or fewer
    fields than the header, is a bad record."""
    not_utf8: dict[int, str] = {}

    def texts() -> Iterator[str]:
        for line, raw in _lines(path):
            if raw is None:
                raise BadFile(f"{path}:{line}: a line over {MAX_FIELD:,} bytes, the most dedup reads as one record; "
                              "fix: split the document")
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                not_utf8[line] = _not_utf8(f"{path}:{line}", raw[e.start], e.start)
                yield raw.decode("utf-8", "surrogateescape")
        yield _END

    reader = csv.reader(texts())
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        header: list[str] | None = None
        end = 0
        while True:
            try:
                row = next(reader)
            except csv.Error as e:
                too_big = "field larger than field limit" in str(e)
                raise BadFile(
                    f"{path}:{end + 1}: a field over {MAX_FIELD:,} characters, the most dedup reads as one record; "
                    "fix: split the document" if too_big else
                    f"{path}:{end + 1}: not valid CSV ({_one_line(e)}); fix the row") from None
            start, end = end + 1, reader.line_num
            if row == [_END]:
                return
            if any(_END in field for field in row):
                raise BadFile(f"{path}:{start}: the quoted field opened on line {start} is never closed: the file "
                              f"ends inside it (truncated, or a quote missing); fix: close the quote, or restore the "
                              f"complete file")
            if not row:  # a blank line
                continue
            bad = [not_utf8.pop(n) for n in sorted(not_utf8) if n <= end]
            if header is None:
                if bad:
                    raise BadFile(f"{bad[0]} (in the header)")
                header = row
                continue
            if bad:
                yield BadRecord(bad[0])
            elif len(row) != len(header):
                yield BadRecord(f"{path}:{start}: {len(row)} fields where the header has {len(header)}; fix: quote "
                                "the fields that hold a comma or a quote")
            else:
                yield _record(path, start, dict(zip(header, row)), text_field, id_field)
    finally:
        csv.field_size_limit(old_limit)


def jsonl_lines(path: Path, lines: Iterator[int]) -> Iterator[tuple[int, bytes]]:
    """The raw lines numbered ``lines`` (ascending) of a JSON Lines file, unparsed:
    a second pass over records already read once."""
    want = next(lines, None)
    if want is None:
        return
    for line, raw in _lines(path):
        if line == want and raw is not None:
            yield line, raw if raw.endswith(b"\n") else raw + b"\n"
            want = next(lines, None)
            if want is None:
                return


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_json = json.JSONDecoder(parse_constant=_no_constant)  # NaN and Infinity refused, as orjson does


_SURROGATE = re.compile("[\ud800-\udfff]")


MAX_DEPTH = 512
"""The most levels of lists and objects a JSON Lines record may nest (the
record itself is one): a record nested deeper is a bad record, with orjson
installed or not."""


def _too_deep(value: Any) -> bool:
    """Whether lists and objects nest more than :data:`MAX_DEPTH` levels in ``value``."""
    todo = [(value, 1)]
    while todo:
        v, depth = todo.pop()
        inner = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        if inner and depth >= MAX_DEPTH and any(isinstance(x, (dict, list)) for x in inner):
            return True
        todo.extend((x, depth + 1) for x in inner if isinstance(x, (dict, list)))
    return False


def _nested_too_deep(path: Path, line: int) -> BadRecord:
    return BadRecord(f"{path}:{line}: nested too deep (lists and objects more than {MAX_DEPTH} levels deep, the "
                     "most dedup reads); fix the line")


def _json_error(e: ValueError, s: str) -> str:
    """What is wrong with the JSON text ``s``, and where (a byte position)."""
    if not isinstance(e, json.JSONDecodeError):
        return str(e)
    msg = e.msg.removesuffix(" at")  # "Invalid control character at", "Unterminated string starting at"
    if msg.startswith("Invalid control character") and e.pos < len(s):
        msg = "the line ends inside a string" if s[e.pos:] in ("\n", "\r\n") else f"{msg} {s[e.pos]!r}"
    return f"{msg} at position {len(s[: e.pos].encode('utf-8', 'surrogatepass'))}"


def parse_line(path: Path, line: int, raw: bytes, text_field: str, id_field: str | None = None,
               last: bool = False) -> Record | BadRecord:
    """The record of one JSON Lines line (see :func:`read`). The same lines are
    records with orjson installed or not: what orjson refuses is parsed again
    with the standard library, which says what is wrong, and which keeps a
    lone surrogate (``"\\ud800"``, valid JSON though not valid Unicode) as
    it is: outputs write it back as the same escape. ``last``: the file ends
    on this line without a line break, so JSON that breaks off at its end
    is a record cut short. A record nested more than :data:`MAX_DEPTH`
    levels deep is a bad record."""
    row: Any = None
    if orjson is not None:
        try:
            row = orjson.loads(raw)
        except ValueError:
            row = None
    if row is None:
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return BadRecord(_not_utf8(f"{path}:{line}", raw[e.start], e.start))
        try:
            row = _json.decode(s)
        except RecursionError:  # far deeper than MAX_DEPTH
            return _nested_too_deep(path, line)
        except ValueError as e:
            if last and isinstance(e, json.JSONDecodeError) and (
                    e.pos >= len(s.rstrip()) or e.msg.startswith("Unterminated string")):
                return BadRecord(f"{path}:{line}: cut short (the file ends inside this record: {_json_error(e, s)}); "
                                 "fix: restore the complete file, or complete or remove the line")
            return BadRecord(f"{path}:{line}: not valid JSON ({_json_error(e, s)}); fix the line")
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _too_deep(row):
        return _nested_too_deep(path, line)
    rec = _record(path, line, row, text_field, id_field)
    if isinstance(rec, Record):
        rec.line_text = raw
    return rec


def _fields(row: dict) -> str:
    names = [repr(k) for k in list(row)[:8]]
    return ("fields " + ", ".join(names) + (", ..." if len(row) > 8 else "")) if names else "no fields"


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _record(path: Path, line: int, row: Any, text_field: str, id_field: str | None = None) -> Record | BadRecord:
    if not isinstance(row, dict):
        return BadRecord(f"{path}:{line}: a record must be an object, got {_type(row)}")
    text = row.get(text_field)
    if not isinstance(text, str):
        if text_field not in row:
            return BadRecord(f"{path}:{line}: no field {text_field!r} (the record has {_fields(row)}); "
                             "name the text field with --text-field")
        return BadRecord(f"{path}:{line}: {_type(text)} in field {text_field!r}, where the text must be a string")
    if id_field is None:  # the default: "id" when there is one, else file:line
        rid = row.get("id")
        if rid is None:
            return Record(str(path), line, f"{path}:{line}", text, row)
        id_field = "id"
    elif row.get(id_field) is None:
        what = "no field" if id_field not in row else "null in field"
        return BadRecord(f"{path}:{line}: {what} {id_field!r} named by --id-field (the record has {_fields(row)}); "
                         "name the id field, or leave --id-field out to number records file:line")
    else:
        rid = row[id_field]
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return BadRecord(f"{path}:{line}: {_type(rid)} in field {id_field!r}, where an id must be a string or an "
                         "integer")
    return Record(str(path), line, rid, text, row)


BEYOND_INT64 = "beyond Parquet's 64-bit integers; write .jsonl or .csv instead"
_INT64 = range(-(1 << 63), 1 << 63)


def beyond_int64(row: dict) -> tuple[str, str] | None:
    """(``field 'NAME'``, the value, cut to 40 digits) of the first integer
    in ``row`` (at any depth of lists and objects) that Parquet's 64-bit
    integers cannot hold; None when there is none."""
    for name, value in row.items():
        todo = [value]
        while todo:
            v = todo.pop()
            if isinstance(v, int) and not isinstance(v, bool) and v not in _INT64:
                digits = str(v)
                shown = digits if len(digits) <= 40 else f"{digits[:30]}... ({len(digits.lstrip('-'))} digits)"
                return f"field {name!r}", shown
            if isinstance(v, dict):
                todo.extend(v.values())
            elif isinstance(v, list):
                todo.extend(v)
    return None


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

    def __init__(self, path: str | os.PathLike, fmt: str, inputs: Sequence[Path] = (), text_field: str = "text",
                 columns: list[str] | None = None, schema: Any = None) -> None:
        self.path = Path(path)
        self.text_field = text_field
        for p in inputs:
            if same_file(self.path, p):
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
        except OverflowError:
            where, value = next(w for row in self._rows if (w := beyond_int64(row)) is not None)
            raise ValueError(f"{self.path}: {where} holds {value}, {BEYOND_INT64}") from None
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


