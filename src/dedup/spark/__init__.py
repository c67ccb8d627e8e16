"""Near-duplicate documents of a Spark DataFrame, with the local answer.

``pip install 'dedup-text[spark]'`` (pyspark, pyarrow, pandas) and a Java
runtime (17 or later). :func:`find_duplicates` runs the document pipeline
of :func:`dedup.find_duplicates` on a DataFrame, with the same kernels and
the same :class:`dedup.Config`, and gives the same answer: the local
library, given the texts sorted by the same ``order``, keeps and drops the
same documents, with the same matches, similarities and clusters.

The stages (see docs/spark.md for what each costs):

1. **keep order**: rows sorted by ``order`` (then ``id``), numbered by a
   count per partition and each partition's offset;
2. **signatures and band keys**: ``mapInArrow`` over Arrow batches, the
   library's kernels (:mod:`dedup.spark.stages`);
3. **candidates**: band-key records partitioned by key and sorted by (key,
   rank); in each bucket every member is paired with the bucket's first
   member and its predecessor (star + chain), never all pairs;
4. **verification**: the signatures of each pair joined and compared; with
   ``verify="exact"`` the pairs the prefilter keeps get their two texts
   joined and their exact Jaccard computed;
5. **best match** of each document: the most similar earlier candidate at
   or above the threshold, the earliest on ties;
6. **cluster roots** by pointer jumping: each duplicate points to an
   earlier document (a forest); one join per round replaces each pointer by
   its pointer's pointer until none changes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._engine.candidates import prefilter_floor
from .._engine.checks import make_config
from ..config import Config
from . import stages

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["deduplicate", "find_duplicates", "session"]

INSTALL = "pip install 'dedup-text[spark]'"


def _spark() -> Any:
    try:
        import pyspark.sql
        from pyspark.sql import functions
    except ImportError:
        raise ImportError(f"dedup.spark needs pyspark, pyarrow and pandas; run: {INSTALL}") from None
    return pyspark.sql, functions


def session(master: str = "local[*]", app: str = "dedup", **conf: str) -> SparkSession:
    """A SparkSession for dedup (``getOrCreate``): Arrow batches of 10,000
    rows, and, for a local master, Python workers on this interpreter
    (``PYSPARK_PYTHON``) and two shuffle partitions per core. ``conf`` adds Spark settings (dots as given:
    ``session(**{"spark.sql.shuffle.partitions": "64"})``)."""
    sql, _ = _spark()
    builder = (sql.SparkSession.builder.master(master).appName(app)
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
               .config("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        threads = master[len("local["):-1].split(",")[0] if master.startswith("local[") else "1"
        cores = (os.cpu_count() or 1) if threads == "*" else int(threads) if threads.isdigit() else 1
        # one machine: a shuffle partition per core, not Spark's 200 (each a task and a Python batch)
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _partition() -> int:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    return ctx.partitionId() if ctx is not None else 0


def _check_columns(df: DataFrame, text: str, id: str, order: list[str]) -> None:
    names = df.columns
    for what, col in [("text", text), ("id", id), *(("order", c) for c in order)]:
        if col not in names:
            raise ValueError(f"{what} column {col!r} is not in the DataFrame (columns: {names}); "
                             f"pass {what}=<one of them>")
    kind = df.schema[text].dataType.typeName()
    if kind != "string":
        raise ValueError(f"text column {text!r} holds {kind}, not strings; cast it to string or pass text=<a string column>")


def _check_rows(df: DataFrame, text: str, id: str, F: Any) -> None:
    """Ids non-null and unique, texts non-null: two jobs."""
    row = df.agg(F.sum(F.col(id).isNull().cast("long")).alias("null_ids"),
                 F.min(F.when(F.col(text).isNull(), F.col(id))).alias("null_text")).collect()[0]
    if row["null_ids"]:
        raise ValueError(f"id column {id!r} is null in {row['null_ids']} rows; every row needs an id (fill or drop them)")
    if row["null_text"] is not None:
        raise ValueError(f"text column {text!r} is null in the row with id {row['null_text']!r}; "
                         f"fill it (an empty text is kept) or drop the row")
    dup = df.groupBy(id).count().filter(F.col("count") > 1).limit(1).collect()
    if dup:
        raise ValueError(f"id column {id!r} holds {dup[0][0]!r} in {dup[0][1]} rows; ids must be unique")


def find_duplicates(
    df: DataFrame,
    *,
    text: str = "text",
    id: str = "id",
    order: str | Sequence[str] | None = None,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    unit: Literal["word", "char"] = "word",
    scheme: Literal["fss", "datasketch", "datasketch-legacy"] = "fss",
    seed: int = 1,
    verify: Literal["exact", "signature"] = "exact",
    config: Config | None = None,
    partitions: int | None = None,
) -> DataFrame:
    """Near-duplicate documents of ``df``: one row per input row.

    Args:
        df: a DataFrame with a string column ``text`` and a unique,
            non-null column ``id``.
        order: the column (or columns) whose order decides which document
            of a cluster is kept, the first; ties are broken by ``id``.
            Default: ``id``.
        threshold, num_perm, ngram, unit, scheme, seed, verify, config: as
            for :func:`dedup.find_duplicates`.
        partitions: partitions of the candidate shuffle (default: the
            input's partitions, at least Spark's default parallelism). The
            answer does not depend on it.

    Returns:
        A DataFrame of the input's ``id`` and ``cluster`` (the id of the
        cluster's kept document), ``kept`` (bool), ``duplicate_of`` (the id
        of the earlier document matched, or null) and ``similarity``
        (float, or null when kept).
    """
    cfg = make_config(config, threshold=threshold, num_perm=num_perm, ngram=ngram, unit=unit,
                      scheme=scheme, seed=seed, verify=verify)
    _, F = _spark()
    order_cols = [id] if order is None else [order] if isinstance(order, str) else list(order)
    _check_columns(df, text, id, order_cols)
    _check_rows(df, text, id, F)
    spark = df.sparkSession
    parts = partitions or max(df.rdd.getNumPartitions(), spark.sparkContext.defaultParallelism)
    ranked = _ranked(df, text, id, order_cols)
    signed = _signed(ranked, cfg)
    pairs = _candidates(signed, parts)
    best = _best(_similarities(pairs, signed, ranked, cfg), cfg)
    roots, _ = _roots(best)
    return _answer(ranked, best, roots, id)


def _ranked(df: DataFrame, text: str, id: str, order_cols: list[str]) -> DataFrame:
    """Stage 1, keep order: (rank, id, text), rank 0.. by (order, id)."""
    sql, F = _spark()
    keys = [F.col(c).asc_nulls_first() for c in order_cols if c != id] + [F.col(id).asc()]
    ranked_in = df.select(F.col(id).alias("id"), F.col(text).alias("text"), *[F.col(c) for c in order_cols if c != id]) \
        .orderBy(*keys).select("id", "text").persist(_storage_level())
    counts = ranked_in.mapInArrow(stages.rank_counts(_partition), "part int, n long").collect()
    offsets, at = {}, 0
    for row in sorted(counts):
        offsets[row["part"]] = at
        at += row["n"]
    types = sql.types
    schema = types.StructType([types.StructField("rank", types.LongType(), False),
                               types.StructField("id", df.schema[id].dataType),
                               types.StructField("text", types.StringType())])
    return ranked_in.mapInArrow(stages.add_ranks(offsets, _partition), schema).persist(_storage_level())


def _signed(ranked: DataFrame, cfg: Config) -> DataFrame:
    """Stage 2: (rank, sig, keys) by the library's kernels."""
    return ranked.select("rank", "text").mapInArrow(stages.sign(cfg), "rank long, sig binary, keys array<long>") \
        .persist(_storage_level())


def _candidates(signed: DataFrame, parts: int) -> DataFrame:
    """Stage 3: (doc, cand) star + chain pairs of every bucket, each once."""
    _, F = _spark()
    records = signed.select("rank", F.explode("keys").alias("key"))
    return records.repartition(parts, "key").sortWithinPartitions("key", "rank") \
        .mapInArrow(stages.bucket_pairs, "doc long, cand long").distinct()


def _similarities(pairs: DataFrame, signed: DataFrame, ranked: DataFrame | None, cfg: Config) -> DataFrame:
    """Stage 4: (doc, cand, sim): the signature estimate, or with
    ``verify="exact"`` the exact Jaccard of the pairs the prefilter keeps
    (their texts from ``ranked``)."""
    _, F = _spark()
    sigs = signed.select("rank", "sig")
    est = pairs.join(sigs.withColumnRenamed("rank", "doc").withColumnRenamed("sig", "sig_doc"), "doc") \
        .join(sigs.withColumnRenamed("rank", "cand").withColumnRenamed("sig", "sig_cand"), "cand") \
        .select("doc", "cand", "sig_doc", "sig_cand") \
        .mapInArrow(stages.estimate(cfg), "doc long, cand long, same long")
    k = cfg.num_perm
    if cfg.verify != "exact" or ranked is None:
        return est.select("doc", "cand", (F.col("same") / F.lit(float(k))).alias("sim"))
    texts = ranked.select("rank", "text")
    kept_pairs = est.filter(F.col("same") >= prefilter_floor(cfg) * k).select("doc", "cand")
    return kept_pairs.join(texts.withColumnRenamed("rank", "doc").withColumnRenamed("text", "text_doc"), "doc") \
        .join(texts.withColumnRenamed("rank", "cand").withColumnRenamed("text", "text_cand"), "cand") \
        .select("doc", "cand", "text_doc", "text_cand") \
        .mapInArrow(stages.exact(cfg), "doc long, cand long, sim double")


def _best(sims: DataFrame, cfg: Config) -> DataFrame:
    """Stage 5: (doc, cand, sim) of each document's best match: the most
    similar at or above the threshold, then the earliest."""
    _, F = _spark()
    return sims.filter(F.col("sim") >= F.lit(cfg.threshold)) \
        .groupBy("doc").agg(F.min(F.struct((-F.col("sim")).alias("neg"), F.col("cand").alias("cand"))).alias("b")) \
        .select(F.col("doc"), F.col("b.cand").alias("cand"), (-F.col("b.neg")).alias("sim")) \
        .persist(_storage_level())


def _roots(best: DataFrame) -> tuple[DataFrame, int]:
    """Stage 6: (doc, parent) of every duplicate with ``parent`` its cluster's
    root, by pointer jumping (:func:`dedup._engine.clusters.pointer_jump`):
    each round, one join replaces every pointer by its pointer's pointer,
    until none changes. Returns the roots and the rounds."""
    _, F = _spark()
    current = best.select("doc", F.col("cand").alias("parent")).localCheckpoint(eager=True)
    rounds = 0
    while True:
        rounds += 1
        up = current.alias("a").join(current.alias("b"), F.col("a.parent") == F.col("b.doc"), "left") \
            .select(F.col("a.doc").alias("doc"), F.coalesce(F.col("b.parent"), F.col("a.parent")).alias("parent"),
                    F.col("b.parent").isNotNull().alias("moved")) \
            .localCheckpoint(eager=True)
        if not up.filter("moved").limit(1).count():
            return up.select("doc", "parent"), rounds
        current = up.select("doc", "parent")


def _answer(ranked: DataFrame, best: DataFrame, roots: DataFrame, id: str) -> DataFrame:
    """One row per document: id, cluster, kept, duplicate_of, similarity."""
    _, F = _spark()
    ids = ranked.select("rank", "id")
    return ids.join(best, ids["rank"] == best["doc"], "left") \
        .join(roots.withColumnRenamed("doc", "rank2"), F.col("rank") == F.col("rank2"), "left") \
        .join(ids.select(F.col("rank").alias("cand_rank"), F.col("id").alias("duplicate_of")),
              F.col("cand") == F.col("cand_rank"), "left") \
        .join(ids.select(F.col("rank").alias("root_rank"), F.col("id").alias("root_id")),
              F.col("parent") == F.col("root_rank"), "left") \
        .select(F.col("id").alias(id),
                F.coalesce(F.col("root_id"), F.col("id")).alias("cluster"),
                F.col("cand").isNull().alias("kept"),
                F.col("duplicate_of"),
                F.col("sim").alias("similarity"))


def _storage_level() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def deduplicate(df: DataFrame, *, text: str = "text", id: str = "id", **kwargs: Any) -> DataFrame:
    """The rows of ``df`` that :func:`find_duplicates` keeps, with the
    input's columns unchanged (``kwargs`` as for it)."""
    result = find_duplicates(df, text=text, id=id, **kwargs)
    kept = result.filter("kept").select(id)
    return df.join(kept, on=id, how="left_semi")
