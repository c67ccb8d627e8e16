"""A seeded synthetic corpus that looks like scraped text, with planted near-duplicates.

Documents are short to long (log-normal, 15 to 6,000 words) articles in a
pseudo-European vocabulary with accents, curly quotes, dashes, ellipses and
guillemets, and about 5% Chinese-like documents (CJK characters with
full-width punctuation). A fraction of the documents get one to three
variants made by substituting words (characters for CJK) until a target
Jaccard similarity is reached, plus cosmetic changes that do not change the
shingles (case, quote style, spacing). Every variant's true Jaccard to its
source and to its siblings is computed exactly on dedup's shingle sets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from dedup.shingling import shingle_hashes

SYLLABLES = (
    "ka to ri me sa lo ne vi du pa ro te li mo na se ta ve co ra be de fi ga "
    "ha ju la mi no pe qu si tu va za bré cé dé fé lé mé né pé ré té zü mü "
    "kö lö ñа ña ço ção ãe ø æ ål ber ster man ton ing ous ent ique eau ück"
).split()
PUNCT_WRAP = [("“", "”"), ("«\u00a0", "\u00a0»"), ("„", "“"), ("‘", "’"), ('"', '"')]


def jaccard(a: str, b: str, ngram: int = 5) -> float:
    x, y = shingle_hashes(a, ngram), shingle_hashes(b, ngram)
    if len(x) == 0 and len(y) == 0:
        return 1.0
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter)


@dataclass
class Corpus:
    texts: list[str]
    groups: list[list[int]]  # positions of a source and its variants
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # in-group (a, b, true J)
    best_j: dict[int, float] = field(default_factory=dict)  # best in-group J per planted doc

    @property
    def nbytes(self) -> int:
        return sum(len(t.encode("utf-8")) for t in self.texts)


class _Writer:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        n = 40000
        words = set()
        while len(words) < n:
            k = int(rng.integers(1, 4))
            words.add("".join(rng.choice(SYLLABLES, k)))
        self.vocab = np.array(sorted(words), dtype=object)[rng.permutation(n)]
        ranks = np.arange(1, n + 1)
        self.cdf = np.cumsum(1.0 / ranks**1.05)
        self.cdf /= self.cdf[-1]
        self.cjk = [chr(c) for c in rng.choice(np.arange(0x4E00, 0x9FA5), 3000, replace=False)]

    def words(self, n: int) -> list[str]:
        idx = np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.vocab) - 1)
        return list(self.vocab[idx])

    def render(self, words: list[str]) -> str:
        """Words -> sentences and paragraphs with varied punctuation."""
        rng = self.rng
        sent, para = [], []
        i = 0
        while i < len(words):
            k = int(rng.integers(5, 26))
            s = words[i : i + k]
            i += k
            s = [s[0].capitalize()] + s[1:]
            if len(s) > 6 and rng.random() < 0.25:
                a, b = PUNCT_WRAP[int(rng.integers(len(PUNCT_WRAP)))]
                j = int(rng.integers(1, len(s) - 3))
                s[j] = a + s[j]
                s[j + 2] = s[j + 2] + b
            if len(s) > 8 and rng.random() < 0.3:
                s[int(rng.integers(2, len(s) - 2))] += rng.choice([",", " —", ";", ":"])
            end = rng.choice([".", ".", ".", "!", "?", "…"])
            sent.append(" ".join(s) + end)
            if len(sent) >= int(rng.integers(2, 6)):
                para.append(" ".join(sent))
                sent = []
        if sent:
            para.append(" ".join(sent))
        return "\n\n".join(para)

    def cjk_doc(self, n_chars: int) -> list[str]:
        return [self.cjk[i] for i in self.rng.integers(0, len(self.cjk), n_chars)]

    def render_cjk(self, chars: list[str]) -> str:
        rng = self.rng
        out = []
        i = 0
        while i < len(chars):
            k = int(rng.integers(6, 20))
            out.append("".join(chars[i : i + k]) + rng.choice(["，", "。", "。", "、", "；"]))
            i += k
        return "".join(out)


def cosmetic(text: str, rng: np.random.Generator) -> str:
    """Changes that leave the shingle set alone."""
    r = rng.random()
    if r < 0.3:
        return text.upper()
    if r < 0.5:
        return text.replace("“", '"').replace("”", '"').replace("’", "'")
    if r < 0.7:
        return text.replace(" ", "  ").replace("\n\n", "\r\n\r\n")
    return text


def make_corpus(n_docs: int = 10000, seed: int = 0, planted: float = 0.25) -> Corpus:
    rng = np.random.default_rng(seed)
    w = _Writer(rng)
    texts: list[str] = []
    groups: list[list[int]] = []
    pairs: list[tuple[int, int, float]] = []
    while len(texts) < n_docs:
        cjk = rng.random() < 0.05
        n = int(np.clip(rng.lognormal(np.log(250), 1.0), 15, 6000))
        base = w.cjk_doc(n * 2) if cjk else w.words(n)
        render = w.render_cjk if cjk else w.render
        src = render(base)
        group = [len(texts)]
        texts.append(src)
        if rng.random() < planted:
            for _ in range(int(rng.integers(1, 4))):
                target = float(rng.uniform(0.5, 1.0)) if rng.random() < 0.85 else 1.0
                var = _variant(base, target, render, cjk, w, rng, src)
                group.append(len(texts))
                texts.append(cosmetic(var, rng))
        if len(group) > 1:
            groups.append(group)
    texts = texts[:n_docs]
    groups = [[i for i in g if i < n_docs] for g in groups]
    groups = [g for g in groups if len(g) > 1]
    # shuffle positions so sources and variants come in any order
    perm = rng.permutation(len(texts))
    where = np.empty_like(perm)
    where[perm] = np.arange(len(perm))
    texts = [texts[i] for i in perm]
    groups = [sorted(int(where[i]) for i in g) for g in groups]
    best: dict[int, float] = {}
    for g in groups:
        for a, b in itertools.combinations(g, 2):
            j = jaccard(texts[a], texts[b])
            pairs.append((a, b, j))
            best[a] = max(best.get(a, 0.0), j)
            best[b] = max(best.get(b, 0.0), j)
    return Corpus(texts, groups, pairs, best)


def _variant(base, target, render, cjk, w, rng, src) -> str:
    """Substitute units until the Jaccard to ``src`` is close to ``target``."""
    if target >= 1.0:
        return src
    n = len(base)
    lo, hi = 0, max(1, n)
    best, best_err = src, 1.0
    edits = max(1, int(n * (1 - target) / (5 * (1 + target))))
    for _ in range(6):
        units = list(base)
        for pos in rng.choice(n, min(n, edits), replace=False):
            units[pos] = w.cjk[int(rng.integers(len(w.cjk)))] if cjk else w.vocab[int(rng.integers(len(w.vocab)))]
        text = render(units)
        # re-rendering changes sentence breaks, so measure the result
        j = jaccard(src, text)
        if abs(j - target) < best_err:
            best, best_err = text, abs(j - target)
        if best_err < 0.01:
            break
        if j > target:
            lo = edits
            edits = max(edits + 1, (edits + hi) // 2) if hi > edits else edits * 2
        else:
            hi = edits
            edits = max(1, (lo + edits) // 2)
    return best
