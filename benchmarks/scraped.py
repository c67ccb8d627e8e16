"""A seeded synthetic scraped-news corpus with planted repeats and boilerplate.

Each article is a list of paragraphs (short 6-15 words, medium 15-40, long
40-120; about 8% Chinese-like), with lines a scraper picks up: a credit line
("Mandatory credit: <agency>"), a newsletter prompt, a copyright footer with
a year, a cookie notice. Some articles repeat some of their paragraphs later
on, exactly or nearly (a word changed, a typo, other quotes or spacing, a
trailing "(Reuters)"). Hard negatives: short paragraphs built on a shared
frame with three or more slots changed ("Shares of X rose 3% on Monday ...").
Every paragraph is labelled: unique, repeat (of which), or boilerplate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from corpus import _Writer

AGENCIES = ["Reuters", "AP", "AFP", "The White House", "Getty Images", "EPA-EFE", "Bloomberg"]
BOILER = [
    "Sign up for our newsletter to get the latest news delivered to your inbox.",
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "Read more: the top stories of the day, selected by our editors.",
]
FOOTER = "© {year} Example News Ltd. All rights reserved."
FRAME = [
    "Shares of {a} {v} {n}% on {d} after the company {e} its forecast for the {q} quarter.",
    "The {a} minister said on {d} that talks with {b} would resume in {m}.",
    "Police in {a} arrested {n} people on {d} after protests near the {b} station.",
]
SLOTS = {
    "a": ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Paris", "Lagos", "Osaka"],
    "b": ["Berlin", "Madrid", "Quito", "Hanoi", "Oslo", "Lima"],
    "v": ["rose", "fell", "jumped", "slid"],
    "n": [str(i) for i in range(2, 40)],
    "d": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "e": ["raised", "cut", "confirmed", "withdrew"],
    "q": ["first", "second", "third", "fourth"],
    "m": ["March", "April", "June", "October"],
}


@dataclass
class Article:
    paragraphs: list[str]
    label: list[str]  # "unique", "repeat", "boilerplate", "frame"
    source: list[int] = field(default_factory=list)  # for repeats: index of the first copy, else -1

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def near_copy(p: str, rng: np.random.Generator, cjk: bool, w: _Writer) -> tuple[str, str]:
    kind = rng.choice(["exact", "word", "typo", "quotes", "spacing", "reuters"])
    if kind == "exact":
        return p, kind
    if kind == "reuters":
        return p + (" （新华社）" if cjk else " (Reuters)"), kind
    if kind == "quotes":
        return p.replace("“", '"').replace("”", '"').replace("’", "'").replace("«\u00a0", '"').replace("\u00a0»", '"') + "", kind
    if kind == "spacing":
        return p.replace(" ", "  ", 3).replace(", ", " ,", 1) + " ", kind
    if cjk:
        i = int(rng.integers(len(p)))
        return p[:i] + w.cjk[int(rng.integers(len(w.cjk)))] + p[i + 1 :], kind
    words = p.split(" ")
    i = int(rng.integers(len(words)))
    if kind == "word":
        words[i] = str(w.vocab[int(rng.integers(len(w.vocab)))])
    else:  # typo: one letter changed
        word = words[i]
        j = int(rng.integers(len(word)))
        words[i] = word[:j] + ("x" if word[j:j + 1] != "x" else "y") + word[j + 1 :]
    return " ".join(words), kind


def frame_sentence(rng: np.random.Generator, frame: str, used: dict[str, set[str]]) -> str:
    """A sentence on ``frame`` whose every slot differs from the article's earlier ones."""
    values = {}
    for k, options in SLOTS.items():
        free = [v for v in options if v not in used.setdefault(k, set())] or options
        values[k] = free[int(rng.integers(len(free)))]
        used[k].add(values[k])
    return frame.format(**values)


def make_articles(n: int, seed: int = 0, repeat_rate: float = 0.3) -> list[Article]:
    rng = np.random.default_rng(seed)
    w = _Writer(rng)
    out = []
    for _ in range(n):
        cjk = rng.random() < 0.08
        paras: list[str] = []
        used: dict[str, set[str]] = {}
        label: list[str] = []
        source: list[int] = []

        def add(p: str, lab: str, src: int = -1) -> None:
            paras.append(p)
            label.append(lab)
            source.append(src)

        if rng.random() < 0.6:
            add(f"Mandatory credit: {AGENCIES[int(rng.integers(len(AGENCIES)))]}", "boilerplate")
        for _ in range(int(rng.integers(3, 12))):
            r = rng.random()
            if r < 0.1:
                frame = FRAME[int(rng.integers(len(FRAME)))]
                add(frame_sentence(rng, frame, used), "frame")
                continue
            size = int(rng.integers(6, 16)) if r < 0.5 else int(rng.integers(15, 41)) if r < 0.85 else int(rng.integers(40, 121))
            if cjk:
                p = w.render_cjk(w.cjk_doc(size * 2)).replace("\n", "")
            else:
                p = w.render(w.words(size)).replace("\n\n", " ")
            add(p, "unique")
        if rng.random() < 0.5:
            add(BOILER[int(rng.integers(len(BOILER)))], "boilerplate")
        if rng.random() < 0.7:
            add(FOOTER.format(year=int(rng.integers(2015, 2026))), "boilerplate")
        if rng.random() < repeat_rate:
            firsts = [i for i, lab in enumerate(label) if lab == "unique"]
            chosen = rng.choice(firsts, min(len(firsts), int(rng.integers(1, 4))), replace=False)
            for i in sorted(chosen.tolist(), reverse=True):  # later insertions leave earlier indices alone
                copy, _ = near_copy(paras[i], rng, cjk, w)
                at = int(rng.integers(i + 1, len(paras) + 1))
                paras.insert(at, copy)
                label.insert(at, "repeat")
                source = [s + (s >= at) if s >= 0 else s for s in source]
                source.insert(at, int(i))
        # a repeated frame sentence with 3+ slots changed stays unique
        out.append(Article(paras, label, source))
    return out
