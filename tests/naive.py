"""Naive references for the kernels: plain Python, Python ints, no numba.

The library keeps the per-document specs next to the kernels
(``dedup.shingling.shingles``/``shingle_hash``,
``dedup.signatures.reference_signature``); this module adds the corpus-level
ones: LSH candidates with a dict, exact Jaccard with Python sets, and the
keep rule, so whole pipelines can be compared by exact equality.
"""

from __future__ import annotations

import re

from dedup._kernels.signatures import reference_signature
from dedup.config import Config
from dedup.shingling import shingle_hash, shingles


def hash_set(text: str, cfg: Config) -> set[int]:
    return {shingle_hash(s) for s in shingles(text, cfg.ngram, cfg.unit)}


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard of two sets (0.0 for two empty ones)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def candidates(band_rows: list[list[tuple]]) -> list[list[int]]:
    """For each document in order: the distinct first/last members of its
    buckets seen so far (band order), then it joins them."""
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    out = []
    for d, keys in enumerate(band_rows):
        cand: list[int] = []
        for key in keys:
            if key in first:
                for who in (first[key], last[key]):
                    if who not in cand:
                        cand.append(who)
                last[key] = d
            else:
                first[key] = last[key] = d
        out.append(cand)
    return out


def find_duplicates(texts: list[str], cfg: Config) -> dict[int, tuple[int, int, float]]:
    """position -> (kept, matched, similarity) for every dropped document (keep first)."""
    sets = [hash_set(t, cfg) for t in texts]
    sigs = [reference_signature(s, cfg) for s in sets]
    live = [i for i in range(len(texts)) if sets[i]]
    bands = [
        [(b, tuple(sigs[i][b * cfg.rows : (b + 1) * cfg.rows])) for b in range(cfg.bands)]
        for i in live
    ]
    dropped: dict[int, tuple[int, int, float]] = {}
    root = list(range(len(texts)))
    for row, cands in enumerate(candidates(bands)):
        d = live[row]
        best = None
        for c in (live[x] for x in cands):
            if cfg.verify == "exact":
                sim = jaccard(sets[d], sets[c])
            else:
                sim = sum(x == y for x, y in zip(sigs[d], sigs[c])) / cfg.num_perm
            if sim >= cfg.threshold and (best is None or (sim, -c) > (best[1], -best[0])):
                best = (c, sim)
        if best is not None:
            root[d] = root[best[0]]
            dropped[d] = (root[d], best[0], best[1])
    return dropped


def spec_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, trimmed of str.isspace characters."""
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def spec_paragraph_matches(paras, threshold=0.6, ngram=4, same_doc_only=False):
    """All pairs, plain Python: each paragraph's best earlier match.

    ``paras``: (document, text) in order. A match is an earlier paragraph
    (in the same document with ``same_doc_only``, else in an earlier
    document) at character-``ngram`` Jaccard >= threshold that is the same
    text, has the same recapture tokens, or, when neither paragraph is near
    (threshold <= Jaccard < 1) any other text of its scope, passes
    :func:`dedup.recapture.is_recapture`. The most similar wins, the
    earliest on ties. Returns {index: (index, similarity)}.
    """
    from dedup.recapture import check
    from dedup.shingling import shingle_hash, shingles

    sets = [{shingle_hash(x) for x in shingles(t, ngram, "char")} for _, t in paras]

    def sim(i, j):
        a, b = sets[i], sets[j]
        return len(a & b) / len(a | b) if a and b else 0.0

    def scope(i, j):
        return paras[i][0] == paras[j][0] if same_doc_only else True

    def alone(i):
        near = {paras[j][1] for j in range(len(paras)) if scope(i, j) and paras[j][1] != paras[i][1]
                and threshold <= sim(i, j) < 1.0}
        return len(near) <= 1

    out = {}
    for i, (d, t) in enumerate(paras):
        best = None
        for j in range(i):
            if (paras[j][0] == d) != same_doc_only:
                continue
            s = sim(i, j)
            u = paras[j][1]
            if s >= threshold and (best is None or s > best[1]) and (
                    u == t or check(u, t, near=alone(i) and alone(j))):
                best = (j, s)
        if best is not None:
            out[i] = best
    return out
