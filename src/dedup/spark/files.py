"""Files in, files out on Spark: what ``dedup documents --engine spark`` runs."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import Config

JSON_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.bz2")


def _remote(path: str) -> bool:
    return "://" in path


def _format(path: str, flag: str) -> str:
    low = path.lower().rstrip("/")
    if low.endswith(".parquet"):
        return "parquet"
    if low.endswith(JSON_SUFFIXES):
        return "json"
    if not _remote(path) and Path(path).is_dir():
        names = [p.name.lower() for p in Path(path).iterdir()]
        if any(n.endswith(".parquet") for n in names):
            return "parquet"
        if any(n.endswith(JSON_SUFFIXES) for n in names):
            return "json"
    raise ValueError(f"{flag} {path}: --engine spark reads and writes Parquet (.parquet) or JSON Lines "
                     f"(.jsonl, .jsonl.gz); name a file or folder of those")


def deduplicate_files(
    inputs: Sequence[str], out: str, *, text: str, id: str, order: str | None, master: str, config: Config,
) -> tuple[int, int]:
    """Read ``inputs`` (Parquet or JSON Lines, files or folders), keep the
    records :func:`dedup.spark.find_duplicates` keeps, write them to the
    folder ``out`` (Spark's part files) with their fields unchanged, and
    return (records, dropped). ``out`` must not exist; it appears whole (a
    local ``out`` is written beside it under a temporary name, then renamed)."""
    from . import find_duplicates, session

    formats = {_format(p, "input") for p in inputs}
    if len(formats) > 1:
        raise ValueError(f"inputs mix Parquet and JSON Lines ({', '.join(inputs)}); give one format at a time")
    fmt = formats.pop()
    out_fmt = fmt if not out.lower().rstrip("/").endswith((".parquet", *JSON_SUFFIXES)) else _format(out, "--out")
    for p in inputs:
        if not _remote(p) and not os.path.exists(p):
            raise ValueError(f"input {p} does not exist; name a Parquet or JSON Lines file or folder")
    if not _remote(out):
        if os.path.lexists(out):
            raise ValueError(f"--out {out} exists; dedup never overwrites: remove it or name a new path")
        if not Path(out).resolve().parent.is_dir():
            raise ValueError(f"--out {out}: folder {Path(out).resolve().parent} does not exist; create it first")
    spark = session(master)  # the clear error without pyspark
    from pyspark.sql import functions as F
    reader = spark.read
    df = reader.parquet(*inputs) if fmt == "parquet" else reader.option("mode", "FAILFAST").json(list(inputs))
    for flag, col in (("--text-field", text), ("--id-field", id), ("--order-field", order)):
        if col is not None and col not in df.columns:
            raise ValueError(f"{flag} {col}: no such field in {', '.join(inputs)} (fields: {', '.join(df.columns)}); "
                             f"name one with {flag}")
    result = find_duplicates(df, text=text, id=id, order=order, config=config).persist()
    total = result.count()
    dropped = result.filter(~F.col("kept")).count()
    kept = df.join(result.filter("kept").select(id), on=id, how="left_semi")
    _write(kept, out, out_fmt)
    result.unpersist()
    return total, dropped


def _write(df: Any, out: str, fmt: str) -> None:
    if _remote(out):
        getattr(df.write.mode("errorifexists"), fmt)(out)
        return
    final = Path(out).resolve()
    tmp = final.parent / f".{final.name}.dedup-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
    try:
        getattr(df.write.mode("errorifexists"), fmt)(str(tmp))
        if os.path.lexists(final):
            raise ValueError(f"--out {out} appeared while dedup ran; dedup never overwrites: remove it and run again")
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
