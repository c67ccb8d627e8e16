"""Time per stage of find_duplicates on real, heavily duplicated text (one core).

    python benchmarks/verify_stages.py [--mb 85] [--seed 15] [--stages]

The corpus is ``benchmarks/real_documents.py``'s (documentation pages
captured as a crawl would: every page with an exact copy or a re-capture,
some edited; cached there). Prints ``find_duplicates``' MB/s with exact
verification and with ``verify="signature"`` (best of ``--repeat``, in CPU
time, ``time.process_time``: the machine may be shared), and with
``--stages`` the CPU seconds of each stage (signatures, LSH candidates with
the prefilter, verification, clusters) and what comparing the pairs whose
signature estimate is far above the threshold costs.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def stages(texts: list[str], verify: str) -> dict[str, float]:
    from dedup._engine.candidates import candidate_pairs
    from dedup._engine.clusters import best_matches, build_clusters
    from dedup._engine.verify import (
        deciding,
        exact_pairs,
        set_similarity,
        signature_similarity,
    )
    from dedup._kernels.sets import agreements
    from dedup.config import Config
    from dedup.documents import _sketch

    cfg = Config(verify=verify)
    n = len(texts)
    t: dict[str, float] = {}
    t0 = time.process_time()
    sig, counts, keys, sets, row = _sketch(texts, cfg)
    t["signatures"] = time.process_time() - t0
    t0 = time.process_time()
    doc, other = candidate_pairs(sig, counts, cfg, filtered=verify == "exact")
    t["candidates"] = time.process_time() - t0
    t["pairs"] = len(doc)
    t0 = time.process_time()
    if verify == "exact":
        doc0, other0 = doc, other
        doc, other, sim = exact_pairs(doc, other, sig, keys, *sets, row)
    else:
        sim = signature_similarity(sig[doc], sig[other])
    t["verify"] = time.process_time() - t0
    t["verified"] = len(doc)
    if verify == "exact":
        # what accepting the compared pairs whose estimate is 4.5 standard
        # deviations above the threshold (without comparing them) would save
        _, need = deciding(doc0, other0, sig, keys)
        a, b = doc0[need], other0[need]
        k, th = cfg.num_perm, cfg.threshold
        below = agreements(sig, a, b) < (th + 4.5 * np.sqrt(th * (1 - th) / k)) * k
        if row is not None:
            a, b = row[a], row[b]
        t0 = time.process_time()
        set_similarity(*sets, a, b)
        t["compare_all"] = time.process_time() - t0
        t0 = time.process_time()
        set_similarity(*sets, a[below], b[below])
        t["compare_unless_far_above"] = time.process_time() - t0
        t["compared"], t["far_above"] = len(a), int((~below).sum())
    t0 = time.process_time()
    best = best_matches(doc, other, sim, cfg.threshold)
    build_clusters(n, np.arange(n), best)
    t["clusters"] = time.process_time() - t0
    t["dups"] = len(best)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=85)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", action="store_true", help="time each stage (engine internals)")
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.path.insert(0, str(HERE))
    import real_documents

    texts = real_documents.load_corpus(args.mb, args.seed, real_documents.SOURCES).texts
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts)} documents, {mb:.1f} MB")
    import dedup

    dedup.find_duplicates(texts[:50])
    dedup.find_duplicates(texts[:50], verify="signature")  # compile
    for verify in ("exact", "signature"):
        dt = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            r = dedup.find_duplicates(texts, verify=verify)
            dt = min(dt, time.process_time() - t0)
        print(f"find_duplicates verify={verify}: {dt:.2f} s, {mb / dt:.1f} MB/s, {len(r.duplicates)} duplicates")
        if args.stages:
            t = stages(texts, verify)
            print("   ", {k: round(v, 3) for k, v in t.items()})


if __name__ == "__main__":
    main()
