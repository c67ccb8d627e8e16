"""Which shingling finds repeated paragraphs? A precision/recall table.

    python benchmarks/paragraph_choice.py --articles 3000 --seed 1

Runs dedup's repeat finder over synthetic scraped articles
(benchmarks/scraped.py) for several shingle units, n-gram sizes and
thresholds, and counts planted repeats found and unique paragraphs removed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scraped import make_articles  # noqa: E402

import dedup  # noqa: E402

GRID = [("word", 1), ("word", 2), ("word", 3), ("char", 3), ("char", 4), ("char", 5)]
THRESHOLDS = [0.5, 0.6, 0.7, 0.8]


def score(articles, cuts_per_doc):
    found = planted = false = unique = 0
    wrong: dict[str, int] = {}
    for art, cuts in zip(articles, cuts_per_doc):
        starts, pos = [], 0
        for p in art.paragraphs:
            starts.append(pos + (len(p) - len(p.lstrip())))
            pos += len(p) + 1
        cut_at = {c.start for c in cuts}
        for k, lab in enumerate(art.label):
            removed = starts[k] in cut_at
            if lab == "repeat":
                planted += 1
                found += removed
            else:
                unique += 1
                false += removed
                if removed:
                    wrong[lab] = wrong.get(lab, 0) + 1
    return found, planted, false, unique, wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    articles = make_articles(args.articles, args.seed)
    texts = [a.text for a in articles]
    print(f"`python benchmarks/paragraph_choice.py --articles {args.articles} --seed {args.seed}`\n")
    print("| unit | n | threshold | recall (found / planted) | unique paragraphs removed |")
    print("|---|---|---|---|---|")
    for unit, n in GRID:
        for t in THRESHOLDS:
            cuts = dedup.find_repeats(texts, threshold=t, ngram=n, unit=unit)
            found, planted, false, unique, wrong = score(articles, cuts)
            what = ", ".join(f"{v} {k}" for k, v in sorted(wrong.items()))
            print(f"| {unit} | {n} | {t} | {found / planted:.4f} ({found}/{planted}) | {false} of {unique} {what} |")


if __name__ == "__main__":
    main()
