"""Time per stage of find_duplicates on a heavily duplicated corpus (one core).

    python benchmarks/verify_stages.py [--mb 40] [--seed 0]

The corpus: the documents of benchmarks/real_text.py (changelogs, copyright
files, man pages, pydoc, package metadata), cut into pages of 2-30 KB at
blank lines; every page appears two to four times, as in a crawl: exact
copies, and near copies with a changed header line, a footer, a few words
changed (most far above 0.8, some near it). Pages are shuffled. Prints
``find_duplicates``' MB/s (best of ``--repeat``, in CPU time,
``time.process_time``: the machine may be shared), and with ``--stages`` the
CPU seconds of each stage (signatures, LSH candidates with the prefilter,
verification, clusters), and what comparing the pairs whose estimate is far
above the threshold costs.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCES = ["changelog", "copyright", "man", "metadata", "pydoc"]


def source_docs() -> list[str]:
    sys.path.insert(0, str(HERE))
    for cache in (HERE / ".cache" / "real_text", HERE.parent.parent / "main" / "benchmarks" / ".cache" / "real_text"):
        if all((cache / f"{s}.json").exists() for s in SOURCES):
            return [d["text"] for s in SOURCES for d in json.loads((cache / f"{s}.json").read_text())]
    import real_text  # builds the cache

    real_text.main([]) if hasattr(real_text, "main") else None
    cache = HERE / ".cache" / "real_text"
    return [d["text"] for s in SOURCES for d in json.loads((cache / f"{s}.json").read_text())]


def pages(docs: list[str], rng: random.Random) -> list[str]:
    out = []
    for doc in docs:
        paras = doc.split("\n\n")
        cur: list[str] = []
        size = 0
        want = rng.randint(2000, 30000)
        for p in paras:
            cur.append(p)
            size += len(p)
            if size >= want:
                out.append("\n\n".join(cur))
                cur, size, want = [], 0, rng.randint(2000, 30000)
        if size > 500:
            out.append("\n\n".join(cur))
    return out


def near_copy(page: str, rng: random.Random, k: int) -> str:
    kind = rng.random()
    if kind < 0.4:
        return page  # exact copy
    head = f"Retrieved {rng.randint(2001, 2024)}-{rng.randint(1, 12):02d} from mirror {k}\n\n"
    if kind < 0.7:
        return head + page + f"\n\nLast modified {rng.randint(1, 28)} days ago."
    words = page.split(" ")
    rate = rng.choice([0.002, 0.005, 0.01, 0.02, 0.03])
    for _ in range(max(1, int(len(words) * rate))):
        i = rng.randrange(len(words))
        words[i] = rng.choice(["foo", "the", "edited", "version", "see", "also"])
    return head + " ".join(words)


def corpus(mb: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    base = pages(source_docs(), rng)
    rng.shuffle(base)
    out: list[str] = []
    total = 0
    for p in base:
        copies = [p] + [near_copy(p, rng, k) for k in range(rng.randint(1, 3))]
        out += copies
        total += sum(len(c.encode()) for c in copies)
        if total >= mb * 1e6:
            break
    rng.shuffle(out)
    return out


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
    ap.add_argument("--mb", type=float, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", action="store_true", help="time each stage (engine internals)")
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = corpus(args.mb, args.seed)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts)} documents, {mb:.1f} MB")
    import dedup

    dedup.find_duplicates(texts[:50])
    dedup.find_duplicates(texts[:50], verify="signature")  # compile
    for verify in ("exact", "signature"):
        if args.stages:
            t = stages(texts, verify)
            print(verify, {k: round(v, 3) for k, v in t.items()})
        dt = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            r = dedup.find_duplicates(texts, verify=verify)
            dt = min(dt, time.process_time() - t0)
        print(f"find_duplicates verify={verify}: {dt:.2f} s, {mb / dt:.1f} MB/s, {len(r.duplicates)} duplicates")


if __name__ == "__main__":
    main()
