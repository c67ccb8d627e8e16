"""Large JSON Lines corpora for the command's memory measurements.

    python benchmarks/bigcorpus.py --copies 15 --out /tmp/big.jsonl
    python benchmarks/bigcorpus.py --copies 15 --out /tmp/triple.jsonl --whole 3

The 20,000 documents of benchmarks/corpus.py (seed 0), ``--copies`` times;
in copy c > 0 every third word gets c primes appended, so the copies are
distinct documents with the corpus's own near-duplicates inside each.
``--whole 3`` writes all of that three times (ids prefixed t0-, t1-, t2-),
the third time with every space doubled: two thirds of the records are then
near-exact duplicates. Needs orjson (pip install 'dedup-text[io]').
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import load_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=15)
    ap.add_argument("--whole", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    texts = load_corpus(20000, 0).texts
    with open(args.out, "wb") as f:
        for w in range(args.whole):
            for c in range(args.copies):
                for i, t in enumerate(texts):
                    if c:
                        t = " ".join(x + "ʹ" * c if j % 3 == 0 else x for j, x in enumerate(t.split(" ")))
                    if w == 2:
                        t = t.replace(" ", "  ")
                    rid = f"{c}-{i}" if args.whole == 1 else f"t{w}-{c}-{i}"
                    f.write(orjson.dumps({"id": rid, "text": t, "source": "bench"}) + b"\n")


if __name__ == "__main__":
    main()
