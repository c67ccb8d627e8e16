"""dedup.spark at scale, at signature level: candidates, verification and
cluster roots of millions of documents on one machine.

    python benchmarks/spark_scale.py --docs 10000000 [--master local[2]] [--partitions 64]

No text is needed: each document's signature is made from its rank, in
blocks of 32 documents (ranks in keep order). A block is, by a hash of its
number, 60% distinct documents, 30% a family (the block's first document
and 31 near copies, each with about 10% of its values redrawn), 10% a
drifting chain (each document a step from the one before, 2.5% of the
values redrawn per step, so the chain's ends are far apart). Then the
stages of ``dedup.spark.find_duplicates`` run as they do on text (band keys
by the library's kernel; star + chain candidates; signature verification;
best match; pointer jumping), each materialised in turn, and the time of
each and the rounds of pointer jumping are printed as a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Iterator

import numpy as np

from dedup import Config
from dedup._engine.checks import banding
from dedup._kernels.lsh import band_keys

BLOCK = 32
M = np.uint64(0xBF58476D1CE4E5B9)
N = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, elementwise on uint64."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * M
    x = (x ^ (x >> np.uint64(27))) * N
    return x ^ (x >> np.uint64(31))


def signatures(rank: np.ndarray, k: int) -> np.ndarray:
    """uint32[len(rank), k]: the synthetic signature of each rank (see the module)."""
    rank = rank.astype(np.uint64)
    block, q = rank // np.uint64(BLOCK), rank % np.uint64(BLOCK)
    kind = mix(block * np.uint64(7)) % np.uint64(10)  # 0-5 distinct, 6-8 family, 9 chain
    j = np.arange(k, dtype=np.uint64)[None, :]
    distinct = kind[:, None] < 6
    own = mix(rank[:, None] * np.uint64(1 << 20) + j + np.uint64(1))
    base = mix(block[:, None] * np.uint64(1 << 20) + j + np.uint64(1 << 62))
    u = mix(rank[:, None] * np.uint64(977) + j * np.uint64(31) + np.uint64(5)) % np.uint64(1000)
    family = np.where((q[:, None] > 0) & (u < 100), own, base)
    # chain: value j is redrawn at step s when its threshold (per block) is below s
    step_at = mix(block[:, None] * np.uint64(131) + j) % np.uint64(40)
    redrawn = step_at < q[:, None]
    chain = np.where(redrawn, mix(block[:, None] * np.uint64(1 << 20) + j * np.uint64(64) + step_at), base)
    sig = np.where(distinct, own, np.where(kind[:, None] < 9, family, chain))
    return (sig >> np.uint64(32)).astype(np.uint32)


def make(cfg: Config):
    bands, rows = banding(cfg)

    def run(batches: Iterator) -> Iterator:
        import pyarrow as pa

        from dedup.spark.stages import binary_rows

        for b in batches:
            rank = b.column("id").to_numpy()
            sig = signatures(rank, cfg.num_perm)
            keys = band_keys(sig, bands, rows).view(np.int64)
            offsets = np.arange(0, (len(rank) + 1) * bands, bands, dtype=np.int32)
            yield pa.RecordBatch.from_arrays(
                [pa.array(rank), binary_rows(sig), pa.ListArray.from_arrays(pa.array(offsets), pa.array(keys.ravel()))],
                names=["rank", "sig", "keys"])

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=64)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()

    import dedup.spark as ds
    from dedup.spark import _best, _candidates, _roots, _similarities

    cfg = Config(threshold=args.threshold, verify="signature")
    spark = ds.session(args.master, **{"spark.sql.shuffle.partitions": str(args.partitions),
                                       "spark.driver.memory": "12g",
                                       "spark.local.dir": os.environ.get("SPARK_LOCAL_DIRS", "/tmp")})
    spark.sparkContext.setLogLevel("ERROR")
    times: list[tuple[str, float, str]] = []

    def timed(name: str, df, what: str):
        t = time.perf_counter()
        df = df.persist()
        n = df.count()
        times.append((name, time.perf_counter() - t, what.format(n=n)))
        print(f"{name}: {times[-1][1]:.1f} s, {times[-1][2]}", file=sys.stderr, flush=True)
        return df, n

    signed, n = timed("signatures and band keys", spark.range(args.docs, numPartitions=args.partitions)
                      .mapInArrow(make(cfg), "rank long, sig binary, keys array<long>"), "{n:,} documents")
    pairs, npairs = timed("candidates (star + chain)", _candidates(signed, args.partitions), "{n:,} pairs")
    sims, _ = timed("verification (signatures joined)", _similarities(pairs, signed, None, cfg), "{n:,} pairs estimated")
    best, ndup = timed("best match", _best(sims, cfg), "{n:,} duplicates")
    t = time.perf_counter()
    roots, rounds = _roots(best)
    times.append(("cluster roots (pointer jumping)", time.perf_counter() - t, f"{rounds} rounds"))
    print(f"roots: {times[-1][1]:.1f} s, {rounds} rounds", file=sys.stderr)
    clusters = roots.select("parent").distinct().count()

    total = sum(t for _, t, _ in times)
    print(f"`python benchmarks/spark_scale.py --docs {args.docs} --master {args.master} --partitions {args.partitions}` "
          f"({platform.machine()}, {os.cpu_count()} cores, Spark {spark.version}, num_perm {cfg.num_perm}, "
          f"threshold {cfg.threshold}, verify signature)\n")
    print("| stage | seconds | output |")
    print("|---|---|---|")
    for name, sec, what in times:
        print(f"| {name} | {sec:,.1f} | {what} |")
    print(f"| **all** | **{total:,.1f}** | {n:,} documents, {ndup:,} duplicates in {clusters:,} clusters, "
          f"{npairs:,} candidate pairs |")


if __name__ == "__main__":
    main()
