"""How long a paragraph must be for one changed word to count: measured on real text.

    python benchmarks/recapture_choice.py [--per-word 8,12,16,20,24]

For each value of ``dedup.recapture.PER_WORD`` (words of paragraph per word
that may differ), runs ``find_repeats`` on the reference text of
benchmarks/real_text.py (nothing captured twice: a cut that is not a
token-identical copy of its match is wrong) and on its planted re-captures,
and prints the wrong share of characters and the recall, overall and for a
changed or inserted word by the paragraph's length in words.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import real_paragraphs as rp  # noqa: E402
import real_text as rt  # noqa: E402

import dedup  # noqa: E402
import dedup.recapture as rule  # noqa: E402

BANDS = ((0, 8), (8, 12), (12, 20), (20, 40), (40, 10**9))


def band(n: int) -> str:
    lo, hi = next(b for b in BANDS if b[0] <= n < b[1])
    return f"{lo}+" if hi == 10**9 else f"{lo}-{hi - 1}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-word", default="8,12,16,20,24")
    args = ap.parse_args()
    ref, docs = rt.reference(), rt.planted(400)
    default = rule.PER_WORD
    print(f"`python benchmarks/recapture_choice.py --per-word {args.per_word}` (corpora of benchmarks/real_text.py, "
          f"seed {rt.SEED}); the default is {default}\n")
    head = "| PER_WORD | reference: wrongly cut | planted: recall | " + " | ".join(
        f"word changed/inserted, {band(lo)} words" for lo, _ in BANDS) + " |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for per in (int(x) for x in args.per_word.split(",")):
        rule.PER_WORD = per
        rows = rp.repeats_reference(ref, [])
        total, bad = sum(r[2] for r in rows), sum(r[6] for r in rows)
        found, planted = Counter(), Counter()
        for d, cuts in zip(docs, dedup.find_repeats([d["text"] for d in docs])):
            for p in d["planted"]:
                hit = any(c.end > p["start"] and c.start < p["end"] for c in cuts)
                found["all"] += hit
                planted["all"] += 1
                if p["kind"] in ("word changed", "word inserted"):
                    b = band(len(rule.words(d["text"][p["of"][0] : p["of"][1]])))
                    found[b] += hit
                    planted[b] += 1
        cells = " | ".join(f"{found[band(lo)]}/{planted[band(lo)]}" for lo, _ in BANDS)
        print(f"| {per} | {bad / total:.4%} | {found['all'] / planted['all']:.4f} | {cells} |")
    rule.PER_WORD = default


if __name__ == "__main__":
    main()
