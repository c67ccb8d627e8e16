"""Memory of ``dedup.deduplicate`` on a long stream: peak RSS growth per document.

The stream is generated as it is read (nothing of it is held): short documents
as in benchmarks/short_corpus.py (20-60 words of 50,000; three times in ten the
one before with a word replaced). Prints one line: documents, documents kept,
peak RSS growth and that growth per document, with the RSS before the stream.

    python benchmarks/stream_memory.py --docs 2000000
"""
import argparse
import random
import resource
import sys
import time


def stream(n: int):
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(50000)]
    words: list[str] | None = None
    for _ in range(n):
        if words is None or rng.random() < 0.7:
            words = [rng.choice(vocab) for _ in range(rng.randrange(20, 60))]
        else:
            words = list(words)
            words[rng.randrange(len(words))] = rng.choice(vocab)
        yield " ".join(words)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200_000)
    args = ap.parse_args()
    import dedup

    list(dedup.deduplicate(stream(2000)))  # compile and load the tables first: not per-document memory
    before = peak_mb()
    t = time.perf_counter()
    kept = sum(1 for _ in dedup.deduplicate(stream(args.docs)))
    grown = peak_mb() - before
    print(f"deduplicate: {args.docs:,} documents, {kept:,} kept, peak RSS +{grown:,.0f} MB "
          f"({grown * 2**20 / args.docs:,.0f} bytes per document; RSS before {before:,.0f} MB; "
          f"{time.perf_counter() - t:,.0f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
