"""Repeated paragraphs and boilerplate: dedup vs exact line hashing with a dict.

    python benchmarks/paragraphs.py --articles 20000 --seed 3

On synthetic scraped news (benchmarks/scraped.py: planted repeats, credit
lines, newsletter prompts, cookie notices, footers with years), one core,
each pass timed best of five, its runs interleaved with the baseline's
(garbage collector off while timing, as timeit does).
The baseline is the one the issue names, exact line hashing with a dict,
cc_net-style: hash each line and use a dict (repeats: drop a line already
seen in the document; boilerplate: count documents per line, then drop
lines in at least min_docs documents; cross-document: drop a line seen in
an earlier document), with cc_net's line key (the line lower-cased, digits
set to 0, Unicode punctuation and non-printing characters removed, the
first 8 bytes of its SHA-1). The same dict with a bare key, Python's hash
of the stripped, lower-cased line (the cheapest key there is, and one that
misses copies with other quotes or numbers), is shown beside it.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import unicodedata  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scraped import make_articles  # noqa: E402

import dedup  # noqa: E402

MIN_DOCS = 3


def best_of(fns, runs=5):
    """Best time of each function, runs interleaved (first, second, ...,
    first, ...) so that a slow spell of a shared machine hits all alike.
    As timeit does, the garbage collector is off while a run is timed (a
    full collection scans the benchmark's own millions of objects and would
    land on whichever run happens to trigger it)."""
    best = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            gc.collect()
            gc.disable()
            try:
                t = time.perf_counter()
                fn()
                best[i] = min(best[i], time.perf_counter() - t)
            finally:
                gc.enable()
    return best


def key(line: str) -> int:
    return hash(line.strip().lower())


# cc_net's line key: Unicode punctuation (of the Basic Multilingual Plane)
# and non-printing characters go, digits become 0, then SHA-1.
_DROP = re.compile(
    "[" + re.escape("".join(
        c for c in map(chr, range(0x80, 0x10000)) if unicodedata.category(c).startswith("P")
    ) + "".join(map(chr, range(32))) + "".join(map(chr, range(127, 160)))) + "]"
)
_DIGIT = re.compile(r"\d")


def ccnet_key(line: str) -> int:
    line = _DROP.sub("", _DIGIT.sub("0", line.strip().lower()))
    return int.from_bytes(hashlib.sha1(line.encode("utf-8")).digest()[:8], "little")


def base_repeats(texts, key=key):
    out = []
    for text in texts:
        seen, keep = set(), []
        for line in text.split("\n"):
            k = key(line)
            if k not in seen:
                seen.add(k)
                keep.append(line)
        out.append("\n".join(keep))
    return out


def base_learn(texts, key=key):
    df: dict[int, int] = {}
    for text in texts:
        for k in {key(line) for line in text.split("\n")}:
            df[k] = df.get(k, 0) + 1
    return df


def base_strip(texts, df, key=key):
    return ["\n".join(line for line in text.split("\n") if df.get(key(line), 0) < MIN_DOCS) for text in texts]


def base_shared(texts, key=key):
    seen: set[int] = set()
    out = []
    for text in texts:
        keep, mine = [], set()
        for line in text.split("\n"):
            k = key(line)
            if k not in seen:
                keep.append(line)
            mine.add(k)
        seen |= mine
        out.append("\n".join(keep))
    return out


def para_starts(art) -> dict[int, int]:
    """Offset of each paragraph's first non-space character -> its index."""
    out, pos = {}, 0
    for k, p in enumerate(art.paragraphs):
        out[pos + (len(p) - len(p.lstrip()))] = k
        pos += len(p) + 1
    return out


def removed_by_cuts(articles, cuts_per_doc) -> list[set[int]]:
    return [{para_starts(a)[c.start] for c in cuts} for a, cuts in zip(articles, cuts_per_doc)]


def removed_by_dict(articles, mode: str, key=key) -> list[set[int]]:
    keys = [[key(p) for p in a.paragraphs] for a in articles]
    out = []
    if mode == "repeats":
        for ks in keys:
            seen, gone = set(), set()
            for k, h in enumerate(ks):
                if h in seen:
                    gone.add(k)
                seen.add(h)
            out.append(gone)
    elif mode == "boilerplate":
        df: dict[int, int] = {}
        for ks in keys:
            for h in set(ks):
                df[h] = df.get(h, 0) + 1
        out = [{k for k, h in enumerate(ks) if df[h] >= MIN_DOCS} for ks in keys]
    else:
        seen: set[int] = set()
        for ks in keys:
            out.append({k for k, h in enumerate(ks) if h in seen})
            seen |= set(ks)
    return out


def tally(articles, removed) -> dict[str, list[int]]:
    """Per label: [paragraphs removed, paragraphs]."""
    stats: dict[str, list[int]] = {}
    for art, gone in zip(articles, removed):
        for k, lab in enumerate(art.label):
            s = stats.setdefault(lab, [0, 0])
            s[1] += 1
            s[0] += k in gone
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    articles = make_articles(args.articles, args.seed)
    texts = [a.text for a in articles]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    dedup.remove_repeats(texts[:50])  # compile or load the kernels
    list(dedup.find_boilerplate(texts[:50]).strip(texts[:50]))
    bp = dedup.find_boilerplate(texts, min_docs=MIN_DOCS)
    df = base_learn(texts)
    df_cc = base_learn(texts, ccnet_key)
    passes = [
        ("repeats inside a document", "repeats", lambda: dedup.remove_repeats(texts),
         lambda: base_repeats(texts), lambda: base_repeats(texts, ccnet_key), lambda: dedup.find_repeats(texts)),
        ("boilerplate: learn (whole corpus)", "learn", lambda: dedup.find_boilerplate(texts, min_docs=MIN_DOCS),
         lambda: base_learn(texts), lambda: base_learn(texts, ccnet_key), None),
        ("boilerplate: strip", "boilerplate", lambda: list(bp.strip(texts)),
         lambda: base_strip(texts, df), lambda: base_strip(texts, df_cc, ccnet_key),
         lambda: list(bp.find(texts))),
        ("paragraphs seen in an earlier document", "shared", lambda: dedup.remove_shared_paragraphs(texts),
         lambda: base_shared(texts), lambda: base_shared(texts, ccnet_key), lambda: dedup.find_shared_paragraphs(texts)),
    ]
    lines = [
        f"`python benchmarks/paragraphs.py --articles {args.articles} --seed {args.seed}`: "
        f"{len(texts)} articles, {mb:.1f} MB, one core, best of 5 runs interleaved with the baselines', gc off",
        "",
        "| pass | dedup MB/s | dict, cc_net key MB/s | dict, bare hash MB/s | dedup / dict, cc_net key "
        "| dedup / dict, bare hash |",
        "|---|---|---|---|---|---|",
    ]
    quality = [
        "| pass | method | planted found | unique paragraphs removed | template sentences removed |",
        "|---|---|---|---|---|",
    ]
    target = {"repeats": "repeat", "boilerplate": "boilerplate"}
    for name, mode, ours, theirs, cc, annotate in passes:
        t_ours, t_base, t_cc = best_of([ours, theirs, cc])
        lines.append(f"| {name} | {mb / t_ours:.1f} | {mb / t_cc:.1f} | {mb / t_base:.1f} | {t_cc / t_ours:.2f} "
                     f"| {t_base / t_ours:.2f} |")
        if annotate is None:
            continue
        lab = target.get(mode)
        for method, removed in [
            ("dedup", removed_by_cuts(articles, annotate())),
            ("dict, cc_net key", removed_by_dict(articles, mode, ccnet_key)),
            ("dict, bare hash", removed_by_dict(articles, mode)),
        ]:
            st = tally(articles, removed)
            found = f"{st[lab][0] / st[lab][1]:.4f} ({st[lab][0]}/{st[lab][1]})" if lab else "-"
            quality.append(f"| {name} | {method} | {found} | {st['unique'][0]} of {st['unique'][1]} "
                           f"| {st['frame'][0]} of {st['frame'][1]} |")
    lines += ["", *quality]
    print("\n".join(lines))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"paragraphs-{args.articles}-{args.seed}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
