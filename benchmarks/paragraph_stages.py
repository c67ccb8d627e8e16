"""Where the time of remove_repeats goes, stage by stage, against the dict baselines.

    python benchmarks/paragraphstages.py --articles 10000 --seed 3

One core, each stage timed best of 7 with the garbage collector off. The
stages are the ones ``dedup.remove_repeats`` runs, called one by one.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paragraphs import base_repeats, ccnet_key  # noqa: E402
from scraped import make_articles  # noqa: E402

import dedup  # noqa: E402
from dedup._engine import signatures  # noqa: E402
from dedup._engine.candidates import candidate_pairs  # noqa: E402
from dedup._engine.checks import make_config  # noqa: E402
from dedup._engine.clusters import first_of_group  # noqa: E402
from dedup._engine.paragraphs import PARAGRAPH_DEFAULTS, Batch, split_spans  # noqa: E402
from dedup._engine.scanner import encode_batch  # noqa: E402
from dedup._engine.verify import exact_similarity  # noqa: E402
from dedup.spans import remove_items  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    texts = [a.text for a in make_articles(args.articles, args.seed)]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    cfg = make_config(None, PARAGRAPH_DEFAULTS, **PARAGRAPH_DEFAULTS)
    dedup.remove_repeats(texts[:50])  # compile or load the kernels
    times: dict[str, float] = {}

    def tick(name, fn):
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            out = fn()
            times[name] = min(times.get(name, float("inf")), time.perf_counter() - t)
        finally:
            gc.enable()
        return out

    pairs = 0
    for _ in range(7):
        tick("dict, cc_net key (whole pass)", lambda: base_repeats(texts, ccnet_key))
        tick("dict, bare hash (whole pass)", lambda: base_repeats(texts))
        tick("dedup.remove_repeats (whole pass)", lambda: dedup.remove_repeats(texts))
        buf, offs = tick("encode UTF-8", lambda: encode_batch(texts))
        tick("split lines", lambda: split_spans(buf, offs[:-1], offs[1:], "auto"))
        b = Batch(texts, "auto")
        sig, counts, keys, keyed = tick("hash 4-grams and sketch", lambda: signatures.sketch(b.scanner, cfg))
        m = len(b)
        rep = first_of_group(keys, b.doc, keyed & (counts > 0))
        firsts = np.flatnonzero((rep == np.arange(m)) & (counts > 0))
        d, o = tick("LSH inside each document",
                    lambda: candidate_pairs(sig[firsts], counts[firsts], cfg, b.doc[firsts], filtered=True))
        d, o = firsts[d], firsts[o]
        pairs = len(d)
        tick("exact verification", lambda: exact_similarity(b.scanner, d, o, cfg.ngram, cfg.unit))
        found = b.pairs(cfg, "within")
        best = tick("best match, confirmed as a re-capture", lambda: b.best(found))
        cut = np.fromiter(sorted(best), np.int64, len(best))
        tick("cut", lambda: remove_items(texts, b.doc, b.c0, b.c1, cut))
    print(f"`python benchmarks/paragraphstages.py --articles {args.articles} --seed {args.seed}`: "
          f"{len(texts)} articles, {mb:.1f} MB, {pairs} candidate pairs verified; best of 7, seconds")
    print()
    print("| stage | seconds | ns per byte |")
    print("|---|---|---|")
    for name, t in times.items():
        print(f"| {name} | {t:.3f} | {t / mb * 1e3:.1f} |")


if __name__ == "__main__":
    main()
