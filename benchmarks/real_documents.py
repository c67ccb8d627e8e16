"""dedup against rensa and datasketch on real, heavily duplicated documentation pages.

    pip install -e '.[bench]'
    python benchmarks/real_documents.py            # 40 MB: every tool, a few minutes
    python benchmarks/real_documents.py --mb 85    # the issue's size

The corpus is built from text on this machine (``benchmarks/real_text.py``'s
sources: Debian copyright files and changelogs, man pages, pydoc and the
stdlib's .rst, package METADATA; plus the READMEs, NEWS, FAQs, Markdown,
text and HTML files of /usr/share/doc), cut into pages of at most
``PAGE_CHARS`` characters and captured as a crawl would: each page wrapped
in its site's title, navigation, "Updated" date and footer lines, then
captured again. Every page has an exact copy or a re-capture (another date,
sometimes another navigation line, other spacing or line ends); some have
several; some copies are edited (a paragraph added or dropped, words
changed, aimed at a similarity from 0.78 to 0.97) and some are hard
negatives (words changed down to 0.55 to 0.78). The order is shuffled.
Everything is seeded, and the corpus and its truth are cached under
``benchmarks/.cache/real_documents/`` (gitignored).

The truth is the exact Jaccard similarity of every pair of documents at
0.5 or more, on dedup's shingles (word 5-grams of the NFKC, case-folded
text), found by an exact set-similarity join (prefix filtering). A
document is a true duplicate when an earlier document is at the threshold
(0.8) or above: with ``keep="first"``, exactly the ones to drop.

Tools, in one process pinned to one core, end to end from the list of texts
to the set of dropped positions, best of ``--runs`` rounds (interleaved):

- dedup ``find_duplicates`` with its defaults (exact verification), and
  with ``verify="signature"``;
- rensa 0.5 as its README runs it (``RMinHashDeduplicator.add_pairs`` on
  lower-cased whitespace tokens: the batch API, keep the first, candidates
  checked on the signature estimate; 16 bands of 8 rows), its matrix API as its own benchmark
  runs it (``digest_matrix_from_token_sets``,
  ``query_duplicate_flags_matrix_one_shot``; this flags every document that
  shares a band with another, both copies of a pair: a speed reference),
  and the deduplicator on word 5-grams (the similarity dedup measures);
- datasketch 2.0 at its fastest: ``MinHash.bulk`` with Python's ``hash``
  as the hash function (its docs suggest a faster hash than the default
  SHA-1), ``MinHashLSH`` filled in an ``insertion_session``, ``query`` for
  every document, clusters by union-find; no verification, as in its docs.

Then dedup's scaling over ``workers=1..cores`` (in a child process with all
cores), when ``find_duplicates`` takes ``workers``, checking the output is
identical to ``workers=1``; and a profile of dedup's stages on this corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import inspect
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
CACHE = HERE / ".cache" / "real_documents"
RESULTS = HERE / "results"
SEED = 15
DEFAULT_MB = 40.0
THRESHOLD = 0.8
NUM_PERM = 128
NGRAM = 5
JOIN = 0.5  # the truth holds every pair at this similarity or more
RENSA_SEED = 42
PAGE_CHARS = 40_000  # a document longer than this is cut into pages at blank lines
MIN_PAGE = 1_000  # shorter pages are left out
PACKAGE_CHARS = 1_500_000  # at most this much text of one /usr/share/doc package
SOURCES = ["copyright", "changelog", "man", "pydoc", "metadata", "docs"]
# copies per page (beyond the first capture) and their weights
N_COPIES = [1, 2, 3, 4, 5]
W_COPIES = [55, 25, 12, 5, 3]
HARD_NEGATIVE = 0.2  # share of pages that also get a copy edited below the threshold
MAX_ADDED = 2_000  # the longest paragraph an edited copy adds

SITES = {
    "copyright": ("Debian Sources", ["Home | Packages | Sources | Licenses | About",
                                     "Home | Packages | Sources | Licenses | Search | About"]),
    "changelog": ("Debian Changes", ["Packages | Changes | Bugs | Contact",
                                     "Packages | Changes | Bugs | Security | Contact"]),
    "man": ("Manpages Online", ["Home | Sections | Search | Contact",
                                "Home | Sections | Popular | Search | Contact"]),
    "pydoc": ("Python Module Docs", ["Docs | Library | Tutorial | Index",
                                     "Docs | Library | Tutorial | What's new | Index"]),
    "metadata": ("Package Index", ["Browse | Search | Help | Sponsors | Log in",
                                   "Browse | Search | Help | Sponsors | Register | Log in"]),
    "docs": ("Docs Mirror", ["Home | Projects | Mirrors | News | About",
                             "Home | Projects | Mirrors | Status | News | About"]),
}


# ------------------------------------------------------------------ sources


class _HtmlText(HTMLParser):
    """The text of an HTML page: blocks on their own lines, no scripts or styles."""

    BLOCKS: ClassVar[set[str]] = {"p", "div", "br", "li", "pre", "tr", "table", "ul", "ol", "dl", "dt", "dd", "section", "article",
              "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "title"}
    LINES: ClassVar[set[str]] = {"br", "li", "tr", "dt", "dd"}  # a line each, not a paragraph

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n" if tag in self.LINES else "\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS and tag not in self.LINES:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_text(html: str) -> str:
    p = _HtmlText()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_DOC_FILE = re.compile(r"(readme|news|faq|todo|\.md|\.markdown|\.txt|\.rst|\.html?|\.debian)", re.IGNORECASE)


def doc_files() -> list[dict]:
    """/usr/share/doc's READMEs, NEWS, FAQs, Markdown, text, reST and HTML
    files (not the copyright files and changelogs: those are sources of
    their own), decompressed, HTML as text; at most ``PACKAGE_CHARS`` per
    package, files in sorted order."""
    root = Path("/usr/share/doc")
    out, per = [], {}
    for p in sorted(root.rglob("*")) if root.is_dir() else []:
        name = p.name.lower()
        if name.startswith(("copyright", "changelog")) or not _DOC_FILE.search(name):
            continue
        try:
            if not p.is_file() or p.is_symlink():
                continue
            raw = p.read_bytes()
            if name.endswith(".gz"):
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        if re.search(r"\.html?(\.gz)?$", name):
            text = html_text(text)
        package = p.relative_to(root).parts[0]
        if len(text) < MIN_PAGE or per.get(package, 0) >= PACKAGE_CHARS:
            continue
        per[package] = per.get(package, 0) + len(text)
        out.append({"source": str(p), "text": text})
    return out


def _cached_json(path: Path, build):
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return data


def source_docs(name: str, cache: Path = CACHE) -> list[dict]:
    """``[{"source", "text"}]`` of one source (real_text's, or ``docs``)."""
    if name == "docs":
        return _cached_json(cache / "docs.json", doc_files)
    import real_text

    return real_text.source(name)


# ------------------------------------------------------------------ pages


@dataclass(frozen=True)
class Page:
    site: str  # a key of SITES
    title: str
    body: str


def _title(site: str, path: str) -> str:
    if site == "pydoc" and path.startswith("pydoc "):
        return path.split()[1]
    p = Path(path)
    if site == "man":
        stem = p.name.removesuffix(".gz")
        name, _, section = stem.rpartition(".")
        return f"{name}({section})"
    if site in ("copyright", "changelog"):
        return f"{p.parent.name} {p.name.split('.')[0]}"
    if site == "metadata":
        return p.parent.name.split("-")[0]
    if site == "docs":
        return f"{p.relative_to('/usr/share/doc').parts[0]}: {p.name.removesuffix('.gz')}"
    return p.name


def split_pages(text: str, limit: int = PAGE_CHARS) -> list[str]:
    """``text`` cut at blank lines into pieces of at most ``limit`` characters
    (at ``limit`` itself where a piece has no blank line)."""
    text = text.replace("\r\n", "\n").strip("\n")
    out = []
    while len(text) > limit:
        at = text.rfind("\n\n", limit // 4, limit)
        if at < 0:
            at = limit
        out.append(text[:at].rstrip())
        text = text[at:].lstrip("\n")
    out.append(text.rstrip())
    return out


def pages_of(docs: dict[str, list[dict]]) -> list[Page]:
    """Every page of every source: documents cut into pages, the short ones left out."""
    out = []
    for site, items in docs.items():
        for d in items:
            title = _title(site, d["source"])
            parts = [p for p in split_pages(d["text"]) if len(p) >= MIN_PAGE]
            for k, body in enumerate(parts):
                out.append(Page(site, title if len(parts) == 1 else f"{title} ({k + 1}/{len(parts)})", body))
    return out


# ------------------------------------------------------------------ captures

_STAMP0 = 1_672_531_200  # 2023-01-01, the first capture date


@dataclass(frozen=True)
class Capture:
    """How one capture of a page looks apart from its body."""

    day: int  # days after _STAMP0
    nav: int  # which navigation line of the site
    crlf: bool


def render(page: Page, cap: Capture, body: str | None = None) -> str:
    name, navs = SITES[page.site]
    date = time.strftime("%Y-%m-%d", time.gmtime(_STAMP0 + 86400 * cap.day))
    lines = [f"{page.title} | {name}", navs[cap.nav], f"Updated {date}", "", body if body is not None else page.body,
             "", f"© 2024 {name} · Privacy · Terms"]
    text = "\n".join(lines)
    return text.replace("\n", "\r\n") if cap.crlf else text


def respace(body: str, rng: random.Random) -> str:
    """Other spacing: trailing spaces, a doubled space, a paragraph re-wrapped
    (dedup's shingles do not change; neither do whitespace tokens)."""
    how = rng.choice(["trailing", "double", "rewrap", "none"])
    paras = body.split("\n\n")
    i = rng.randrange(len(paras))
    if how == "trailing":
        paras[i] = "\n".join(line + " " for line in paras[i].split("\n"))
    elif how == "double" and " " in paras[i]:
        at = rng.choice([m.start() for m in re.finditer(" ", paras[i])])
        paras[i] = paras[i][:at] + "  " + paras[i][at + 1:]
    elif how == "rewrap" and "\n" in paras[i]:
        words, width, lines, line = paras[i].split(), rng.choice([60, 72, 100]), [], ""
        for w in words:
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        paras[i] = "\n".join([*lines, line])
    return "\n\n".join(paras)


def edit(body: str, rng: random.Random, target: float, others: list[str]) -> str:
    """``body`` with a paragraph dropped or added (from another page of the
    site), half the time, and words replaced (by words of the page) in a
    number aimed at a word 5-gram Jaccard of ``target``."""
    paras = body.split("\n\n")
    r = rng.random()
    if r < 0.25 and len(paras) > 3:
        del paras[rng.randrange(1, len(paras))]
    elif r < 0.5 and others:
        extra = [p for p in rng.choice(others).split("\n\n") if len(p.split()) >= 8 and len(p) <= MAX_ADDED]
        if extra:
            paras.insert(rng.randrange(len(paras) + 1), rng.choice(extra))
    body = "\n\n".join(paras)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", body)]
    if not words:
        return body
    # m words replaced far apart change about 5m shingles of n: J = (n - 5m) / (n + 5m)
    m = max(1, round(len(words) * (1 - target) / (NGRAM * (1 + target))))
    at = sorted(rng.sample(range(len(words)), min(m, len(words))))
    out, pos = [], 0
    for i in at:
        s, e = words[i]
        a, b = words[rng.randrange(len(words))]
        out += [body[pos:s], body[a:b] if body[a:b] != body[s:e] else body[s:e] + "s"]
        pos = e
    out.append(body[pos:])
    return "".join(out)


@dataclass
class Corpus:
    texts: list[str]
    page: list[int]  # index of the page each document captures
    kind: list[str]  # "first", "exact", "recapture", "edited", "hard negative"
    n_pages: int
    sites: dict[str, int]  # pages per site

    @property
    def nbytes(self) -> int:
        return sum(len(t.encode("utf-8")) for t in self.texts)


def build_corpus(pages: list[Page], mb: float, seed: int = SEED) -> Corpus:
    """Pages in a seeded order, each captured with its copies, until the
    texts reach ``mb`` megabytes (UTF-8); then shuffled."""
    rng = random.Random(seed)
    order = list(range(len(pages)))
    rng.shuffle(order)
    by_site: dict[str, list[int]] = {}
    for i, p in enumerate(pages):
        by_site.setdefault(p.site, []).append(i)
    docs: list[tuple[str, int, str]] = []
    total, target, used = 0, mb * 1e6, 0
    sites: dict[str, int] = {}
    for i in order:
        if total >= target:
            break
        page = pages[i]
        used += 1
        sites[page.site] = sites.get(page.site, 0) + 1
        nav = len(SITES[page.site][1])
        first = Capture(rng.randrange(700), rng.randrange(nav), False)
        caps = [("first", render(page, first))]
        kinds = ["exact" if rng.random() < 0.4 else "recapture"]
        kinds += rng.choices(["exact", "recapture", "edited"], [25, 40, 35], k=rng.choices(N_COPIES, W_COPIES)[0] - 1)
        if rng.random() < HARD_NEGATIVE:
            kinds.append("hard negative")
        site_pages = by_site[page.site]
        for kind in kinds:
            if kind == "exact":
                caps.append((kind, caps[0][1]))
                continue
            cap = Capture(first.day + rng.randrange(1, 400),
                          first.nav if rng.random() < 0.8 else rng.randrange(nav), rng.random() < 0.1)
            body = respace(page.body, rng)
            if kind != "recapture":
                others = [pages[site_pages[rng.randrange(len(site_pages))]].body for _ in range(2)]
                body = edit(body, rng, rng.uniform(0.78, 0.97) if kind == "edited" else rng.uniform(0.55, 0.78),
                            others)
            caps.append((kind, render(page, cap, body)))
        for kind, text in caps:
            docs.append((text, i, kind))
            total += len(text.encode("utf-8"))
    rng.shuffle(docs)
    return Corpus([d[0] for d in docs], [d[1] for d in docs], [d[2] for d in docs], used, sites)


def corpus_path(mb: float, seed: int, cache: Path = CACHE) -> Path:
    return cache / f"corpus-{mb:g}-{seed}.json"


def load_corpus(mb: float, seed: int, sources: list[str], cache: Path = CACHE,
                pages_json: Path | None = None) -> Corpus:
    """The cached corpus, or build it (and cache it)."""
    path = corpus_path(mb, seed, cache) if pages_json is None else cache / f"corpus-{pages_json.stem}-{mb:g}-{seed}.json"

    def build():
        if pages_json is not None:
            docs = {"docs": json.loads(pages_json.read_text(encoding="utf-8"))}
        else:
            docs = {name: source_docs(name, cache) for name in sources}
        c = build_corpus(pages_of(docs), mb, seed)
        return {"texts": c.texts, "page": c.page, "kind": c.kind, "n_pages": c.n_pages, "sites": c.sites,
                "sources": sources}

    d = _cached_json(path, build)
    return Corpus(d["texts"], d["page"], d["kind"], d["n_pages"], d["sites"])


# ------------------------------------------------------------------ truth


def _allpairs_py(flat, offs, order, t, out_a, out_b, out_o):  # pragma: no cover - compiled by numba
    """AllPairs (Bayardo et al.): sets in ``order`` of size, tokens in each set
    sorted rarest first; each set probes the inverted lists of the prefixes
    indexed so far with its own prefix (|x| - ceil(t|x|) + 1 tokens: a pair
    at Jaccard t or more shares a token there), keeps candidates that pass the
    size filter, counts the overlap by merging, and records the pairs at
    ``t`` or more. Returns the number of pairs, or -1 when ``out_*`` are full."""
    n = len(offs) - 1
    ntok = 0
    for i in range(len(flat)):
        ntok = max(ntok, flat[i] + 1)
    head = np.full(ntok, -1, np.int64)
    nxt = np.empty(len(flat), np.int64)
    owner = np.empty(len(flat), np.int64)
    mark = np.full(n, -1, np.int64)
    cand = np.empty(n, np.int64)
    used = 0
    k = 0
    for x in order:
        lo, hi = offs[x], offs[x + 1]
        sx = hi - lo
        if sx == 0:
            continue
        px = sx - math.ceil(t * sx - 1e-9) + 1
        nc = 0
        for q in range(lo, lo + px):
            e = head[flat[q]]
            while e >= 0:
                y = owner[e]
                if mark[y] != x:
                    mark[y] = x
                    sy = offs[y + 1] - offs[y]
                    if sy >= t * sx - 1e-9:
                        cand[nc] = y
                        nc += 1
                e = nxt[e]
        for c in range(nc):
            y = cand[c]
            a, b = lo, offs[y]
            ea, eb = hi, offs[y + 1]
            o = 0
            while a < ea and b < eb:
                if flat[a] == flat[b]:
                    o += 1
                    a += 1
                    b += 1
                elif flat[a] < flat[b]:
                    a += 1
                else:
                    b += 1
            sy = offs[y + 1] - offs[y]
            if o >= t * (sx + sy - o) - 1e-9 * (sx + sy):
                if k >= len(out_a):
                    return -1
                out_a[k] = x
                out_b[k] = y
                out_o[k] = o
                k += 1
        for q in range(lo, lo + px):
            owner[used] = x
            nxt[used] = head[flat[q]]
            head[flat[q]] = used
            used += 1
    return k


_allpairs_nb = None


def _allpairs(*args):
    global _allpairs_nb
    if _allpairs_nb is None:
        import numba

        _allpairs_nb = numba.njit(cache=True)(_allpairs_py)
    return _allpairs_nb(*args)


def shingle_sets(texts: list[str]):
    """Sorted unique shingle hashes of each text (dedup's shingles)."""
    from dedup.shingling import shingle_hashes

    return [shingle_hashes(t, NGRAM) for t in texts]


def exact_pairs(texts: list[str], t: float = JOIN):
    """Every pair of documents at exact Jaccard ``t`` or more:
    ``(a, b, j)`` arrays with ``a < b`` (positions) and ``j`` float64.
    Documents without shingles take no part."""
    sets = shingle_sets(texts)
    # documents with the same shingle set: one set joined, its documents all at 1.0
    key_of: dict[bytes, int] = {}
    uid = np.empty(len(texts), np.int64)
    uniq = []
    for i, s in enumerate(sets):
        k = hashlib.blake2b(s.tobytes(), digest_size=16).digest()
        if k not in key_of:
            key_of[k] = len(uniq)
            uniq.append(s)
        uid[i] = key_of[k]
    sizes = np.array([len(s) for s in uniq], np.int64)
    flat_h = np.concatenate(uniq) if uniq else np.zeros(0, np.uint64)
    tok, inv, freq = np.unique(flat_h, return_inverse=True, return_counts=True)
    rank = np.empty(len(tok), np.int64)
    rank[np.lexsort((np.arange(len(tok)), freq))] = np.arange(len(tok))
    offs = np.zeros(len(uniq) + 1, np.int64)
    np.cumsum(sizes, out=offs[1:])
    owner = np.repeat(np.arange(len(uniq)), sizes)
    r = rank[inv]
    flat = r[np.lexsort((r, owner))]  # each set's tokens, rarest first
    order = np.argsort(sizes, kind="stable")
    cap = 4 * len(uniq) + 1024
    while True:
        a = np.empty(cap, np.int64)
        b = np.empty(cap, np.int64)
        o = np.empty(cap, np.int64)
        k = _allpairs(flat, offs, order, t, a, b, o)
        if k >= 0:
            break
        cap *= 4
    a, b, o = a[:k], b[:k], o[:k]
    ju = o / (sizes[a] + sizes[b] - o)
    # expand sets to documents
    members: dict[int, list[int]] = {}
    for i in range(len(texts)):
        if len(sets[i]):
            members.setdefault(int(uid[i]), []).append(i)
    pa, pb, pj = [], [], []
    for ms in members.values():
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                pa.append(ms[x])
                pb.append(ms[y])
                pj.append(1.0)
    for u, v, j in zip(a.tolist(), b.tolist(), ju.tolist()):
        for x in members.get(u, ()):
            for y in members.get(v, ()):
                pa.append(min(x, y))
                pb.append(max(x, y))
                pj.append(j)
    return np.array(pa, np.int64), np.array(pb, np.int64), np.array(pj, np.float64)


def load_truth(corpus: Corpus, path: Path):
    if path.exists():
        z = np.load(path)
        return z["a"], z["b"], z["j"]
    a, b, j = exact_pairs(corpus.texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, a=a, b=b, j=j)
    tmp.replace(path)
    return a, b, j


def best_earlier(n: int, a, b, j):
    """Each document's best exact Jaccard to an earlier one (0 below ``JOIN``)."""
    best = np.zeros(n)
    np.maximum.at(best, b, j)
    return best


# ------------------------------------------------------------------ tools


def union_keep_first(n: int, edges) -> list[int]:
    """Dropped positions: every document but the smallest of its connected component."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, k in edges:
        x, y = find(i), find(k)
        if x != y:
            parent[max(x, y)] = min(x, y)
    return [i for i in range(n) if find(i) != i]


def words(text: str) -> list[str]:
    """Lower-cased whitespace tokens: how rensa's and datasketch's users tokenize."""
    return text.lower().split()


def word_5grams(text: str) -> list[str]:
    w = text.lower().split()
    if len(w) < NGRAM:
        return [" ".join(w)] if w else []
    return [" ".join(g) for g in zip(*(w[k:] for k in range(NGRAM)))]


def has_workers() -> bool:
    import dedup

    return "workers" in inspect.signature(dedup.find_duplicates).parameters


def run_dedup(texts, verify="exact", workers: int | None = 1):
    import dedup

    kw = {"workers": workers} if workers is not None and has_workers() else {}
    r = dedup.find_duplicates(texts, threshold=THRESHOLD, num_perm=NUM_PERM, verify=verify, **kw)
    return r.duplicates


def run_dedup_signature(texts):
    return run_dedup(texts, "signature")


def run_rensa(texts, tokens=words):
    from rensa import RMinHashDeduplicator

    # 16 bands of 8 rows (rensa's default is 8 of 16, which misses about half the pairs at 0.85: see the docs)
    d = RMinHashDeduplicator(threshold=THRESHOLD, num_perm=NUM_PERM, use_lsh=True, num_bands=RENSA_BANDS,
                             seed=RENSA_SEED)
    keep = d.add_pairs((str(i), tokens(t)) for i, t in enumerate(texts))
    return [i for i, k in enumerate(keep) if not k]


def run_rensa_5grams(texts):
    return run_rensa(texts, word_5grams)


def run_rensa_matrix(texts):
    from rensa import RMinHash, RMinHashLSH

    m = RMinHash.digest_matrix_from_token_sets([words(t) for t in texts], NUM_PERM, RENSA_SEED)
    lsh = RMinHashLSH(THRESHOLD, NUM_PERM, RENSA_BANDS)
    flags = lsh.query_duplicate_flags_matrix_one_shot(m)
    return [i for i, f in enumerate(flags) if f]


def _hash32(token: str) -> int:
    return hash(token) & 0xFFFFFFFF


def run_datasketch(texts):
    from datasketch import MinHash, MinHashLSH

    toks = [words(t) for t in texts]
    mhs = MinHash.bulk(toks, num_perm=NUM_PERM, hashfunc=_hash32)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in enumerate(mhs):
            if toks[i]:
                session.insert(i, m)
    edges = [(i, k) for i, m in enumerate(mhs) if toks[i] for k in lsh.query(m) if k < i]
    return union_keep_first(len(texts), edges)


RENSA_BANDS = 16  # rensa's README layout for 128 permutations
TOOLS = {  # name on the command line: (run, package, label in the tables)
    "dedup": (run_dedup, "dedup", "dedup"),
    "dedup-signature": (run_dedup_signature, "dedup", "dedup (verify=signature)"),
    "rensa": (run_rensa, "rensa", "rensa (deduplicator, words)"),
    "rensa-matrix": (run_rensa_matrix, "rensa", "rensa (matrix flags, words)"),
    "rensa-5grams": (run_rensa_5grams, "rensa", "rensa (deduplicator, word 5-grams)"),
    "datasketch": (run_datasketch, "datasketch", "datasketch (bulk, words)"),
}


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def timed(fn, *args):
    import gc

    gc.collect()
    c0, t0 = _cpu(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, _cpu() - c0, out


# ------------------------------------------------------------------ quality

# bands of a document's best exact Jaccard to an earlier one: to keep, then to drop
BANDS = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.78), (0.78, 0.8), (0.8, 0.82), (0.82, 0.9), (0.9, 1.0), (1.0, 1.01)]


def quality(dropped, best) -> dict:
    """Against the truth: a document should be dropped exactly when an
    earlier document is at the threshold or above (``best``: its best
    exact Jaccard to an earlier document)."""
    d = np.zeros(len(best), bool)
    d[np.asarray(list(dropped), np.int64)] = True
    truth = best >= THRESHOLD
    out = {
        "dropped": int(d.sum()),
        "true": int(truth.sum()),
        "correct": int((d & truth).sum()),
        "false_drops": int((d & ~truth).sum()),
        "false_drops_below_0.7": int((d & (best < THRESHOLD - 0.1)).sum()),
        "missed": int((~d & truth).sum()),
        "by_band": {},
    }
    for lo, hi in BANDS:
        inb = (best >= lo) & (best < hi)
        out["by_band"][f"{lo:.2f}-{min(hi, 1.0):.2f}"] = (int((d & inb).sum()), int(inb.sum()))
    return out


# ------------------------------------------------------------------ profile

# what the functions dedup.documents calls do (others are shown by their name)
STAGE_NAMES = {
    "compute": "shingling + signatures",
    "sketch_kept": "shingling + signatures, hashes kept",
    "candidate_pairs": "LSH candidates (+ prefilter)",
    "exact_for_texts": "verification (exact)",
    "exact_pairs": "verification (exact)",
    "exact_similarity": "verification (exact)",
    "Scanner": "encode texts",
    "hash_sets": "shingle hashes, sorted into sets",
    "jaccard_pairs": "Jaccard of the pairs",
    "signature_similarity": "verification (signature)",
    "best_matches": "best matches",
    "build_clusters": "clusters",
    "check_texts": "input checks",
    "make_config": "input checks",
    "_priority": "order (keep)",
}
ENTRY_POINTS = {"find_duplicates", "deduplicate"}
WRAP_CLASSES = {"Scanner"}  # classes timed as calls (their constructor): no isinstance on them in dedup


def _from_dedup(obj) -> bool:
    mod = getattr(getattr(obj, "py_func", obj), "__module__", "") or ""
    return mod.startswith("dedup.")


def _timeable(name: str, obj) -> bool:
    if isinstance(obj, type):
        return name in WRAP_CLASSES
    return callable(obj) and _from_dedup(obj) and not name.startswith("__")


def profile(texts, verify="exact") -> dict:
    """dedup's time by stage on ``texts``: one run with a timer around every
    function of dedup that ``dedup.documents`` calls, and around the dedup
    functions those call in turn (found by name, so the profile follows the
    code as it changes); nested calls are shown under their caller."""
    import types

    from dedup import documents

    acc: dict[tuple[str, ...], list[float]] = {}
    stack: list[tuple[str, ...]] = []
    info: dict[str, object] = {}
    saved: list[tuple[object, str, object]] = []

    def wrap(owner, attr: str, label: str) -> None:
        fn = getattr(owner, attr)

        def timed_stage(*a, **k):
            path = (*(stack[-1] if stack else ()), label)
            acc.setdefault(path, [0.0, 0.0, 0])
            stack.append(path)
            t0, c0 = time.perf_counter(), _cpu()
            try:
                out = fn(*a, **k)
            finally:
                stack.pop()
                cell = acc[path]
                cell[0] += time.perf_counter() - t0
                cell[1] += _cpu() - c0
                cell[2] += 1
            if attr == "candidate_pairs":
                info["candidate pairs"] = int(info.get("candidate pairs", 0)) + len(out[0])
                info["documents in a pair"] = len(np.unique(np.concatenate(out[:2]))) if len(out[0]) else 0
            if attr == "best_matches" and len(a) >= 3 and len(a[2]):
                sim = np.asarray(a[2])
                info["similarity of the pairs verified"] = {
                    ">=0.95": int((sim >= 0.95).sum()), "0.85-0.95": int(((sim >= 0.85) & (sim < 0.95)).sum()),
                    "0.8-0.85": int(((sim >= 0.8) & (sim < 0.85)).sum()),
                    "0.75-0.8": int(((sim >= 0.75) & (sim < 0.8)).sum()), "<0.75": int((sim < 0.75).sum()),
                }
            return out

        setattr(owner, attr, timed_stage)
        saved.append((owner, attr, fn))

    def home(obj) -> str:
        return getattr(getattr(obj, "py_func", obj), "__module__", "") or ""

    def label_of(obj, name: str) -> str:
        where = home(obj).removeprefix("dedup.").removeprefix("_engine.").removeprefix("_kernels.")
        return f"{STAGE_NAMES[name]} ({name})" if name in STAGE_NAMES else f"{where}.{name}"

    # what dedup.documents calls (its imports, and the functions of the engine
    # modules it imports whole); then, in each engine module those come from,
    # what it imports, three levels down. Only engine modules' names are
    # replaced: the kernels call each other inside numba, untouched.
    level: set[str] = set()
    for name, obj in list(vars(documents).items()):
        if isinstance(obj, types.ModuleType) and obj.__name__.startswith("dedup._engine"):
            for sub, fn in list(vars(obj).items()):
                if not sub.startswith("_") and _timeable(sub, fn) and home(fn) == obj.__name__:
                    wrap(obj, sub, label_of(fn, sub))
            level.add(obj.__name__)
        elif name not in ENTRY_POINTS and _timeable(name, obj):
            wrap(documents, name, label_of(obj, name))
            level.add(home(obj))
    seen: set[str] = {"dedup.documents"}
    for _ in range(3):
        level = {m for m in level if m.startswith("dedup._engine") and m not in seen}
        seen |= level
        following: set[str] = set()
        for modname in sorted(level):
            mod = sys.modules[modname]
            for name, obj in list(vars(mod).items()):
                if _timeable(name, obj) and home(obj) != modname:
                    wrap(mod, name, label_of(obj, name))
                    following.add(home(obj))
        level = following
    try:
        t0, c0 = time.perf_counter(), _cpu()
        run_dedup(texts, verify)
        total = (time.perf_counter() - t0, _cpu() - c0)
    finally:
        for owner, attr, fn in reversed(saved):
            setattr(owner, attr, fn)
    # merge the calls of one function under one caller; keep first-call order
    rows = [(path[-1], len(path) - 1, w, c, n) for path, (w, c, n) in acc.items()]
    top = [r for r in rows if r[1] == 0]
    rows.append(("other (in find_duplicates itself)", 0, total[0] - sum(r[2] for r in top),
                 total[1] - sum(r[3] for r in top), 1))
    return {"total_s": total[0], "total_cpu_s": total[1], "stages": rows, "info": info}


def cprofile_top(texts, n: int = 15) -> list[str]:
    import cProfile
    import io
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    run_dedup(texts)
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(n)
    import dedup

    src = str(Path(dedup.__file__).parent.parent) + os.sep
    return [line.replace(src, "").replace(str(Path(np.__file__).parent.parent) + os.sep, "")
            for line in s.getvalue().splitlines()]


# ------------------------------------------------------------------ scaling


def scaling_child(args) -> None:
    """In a child process with every core: dedup's time for each workers count."""
    import dedup

    corpus = load_corpus(args.mb, args.seed, args.sources.split(","), Path(args.cache), args.pages_json)
    texts = corpus.texts
    counts = [int(w) for w in args.scaling_child.split(",")]
    for w in counts:
        dedup.find_duplicates(texts[:300], workers=w)  # load the kernels, start the workers
    times: dict[int, list[tuple[float, float]]] = {w: [] for w in counts}
    ref = None
    same = {}
    for _ in range(args.runs):
        for w in counts:
            c0, t0 = _cpu(), time.perf_counter()
            r = dedup.find_duplicates(texts, threshold=THRESHOLD, num_perm=NUM_PERM, workers=w)
            times[w].append((time.perf_counter() - t0, _cpu() - c0))
            out = (r.duplicates, r.clusters, sorted(r.matches.items()))
            if ref is None:
                ref = out
            same[w] = same.get(w, True) and out == ref
    print(json.dumps({"times": {str(w): v for w, v in times.items()}, "same": {str(w): v for w, v in same.items()}}))


def scaling(args, cpus: list[int]) -> dict:
    counts = list(range(1, len(cpus) + 1))
    env = dict(os.environ)
    for var in ("NUMBA_NUM_THREADS", "RAYON_NUM_THREADS", "OMP_NUM_THREADS"):
        env[var] = str(len(cpus))
    cmd = [sys.executable, __file__, "--mb", f"{args.mb:g}", "--seed", str(args.seed), "--runs", str(args.runs),
           "--sources", args.sources, "--cache", str(args.cache), "--scaling-child", ",".join(map(str, counts)),
           "--cpus", ",".join(map(str, cpus))]
    if args.pages_json:
        cmd += ["--pages-json", str(args.pages_json)]
    load = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return {"note": f"The workers curve failed (exit {out.returncode}): {out.stderr.strip()[-300:]}"}
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": load, "cores": len(cpus)}


# ------------------------------------------------------------------ main


def command_line(args) -> str:
    cmd = "python benchmarks/real_documents.py"
    if args.mb != DEFAULT_MB:
        cmd += f" --mb {args.mb:g}"
    if args.seed != SEED:
        cmd += f" --seed {args.seed}"
    if args.runs != 3:
        cmd += f" --runs {args.runs}"
    if args.sources != ",".join(SOURCES):
        cmd += f" --sources {args.sources}"
    if args.pages_json:
        cmd += f" --pages-json {args.pages_json}"
    if args.tools != ",".join(TOOLS):
        cmd += f" --tools '{args.tools}'"
    return cmd


def describe(corpus: Corpus, best, pairs_j) -> str:
    lens = np.array([len(t) for t in corpus.texts])
    kinds: dict[str, int] = {}
    for k in corpus.kind:
        kinds[k] = kinds.get(k, 0) + 1
    sites = ", ".join(f"{k} {v}" for k, v in sorted(corpus.sites.items()))
    return (
        f"{len(corpus.texts)} documents, {corpus.nbytes / 1e6:.1f} MB UTF-8, {corpus.n_pages} pages ({sites});"
        f" characters per document median {int(np.median(lens))}, max {lens.max()};"
        f" captures: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))};"
        f" {int((best >= THRESHOLD).sum())} documents have an earlier one at J>={THRESHOLD}"
        f" ({int((best == 1.0).sum())} at 1.0), {int(((best >= JOIN) & (best < THRESHOLD)).sum())} only below"
        f" (best {JOIN}-{THRESHOLD}); {len(pairs_j)} pairs at J>={JOIN}"
    )


def report(args, corpus: Corpus, desc: str, rows: dict, prof: dict | None, scal: dict | None, load: tuple,
           top: list[str] | None) -> list[str]:
    mb = corpus.nbytes / 1e6
    base = rows.get("dedup")
    lines = [
        f"`{command_line(args)}`: {desc}.",
        "",
        (f"One process pinned to one core, threshold {THRESHOLD}, num_perm {NUM_PERM}; the best wall time and the"
        f" best CPU time of {args.runs} rounds (tools interleaved); load average {load[0]:.2f} before, {load[1]:.2f} after"
        " (a shared machine)."),
        "",
        ("| tool | MB/s | MB/s of CPU | wall s | CPU s | dedup speed-up | on CPU | dropped | false drops "
        "| of which J<0.7 | missed |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        q = r["quality"]
        sp = f"{r['wall'] / base['wall']:.1f}x | {r['cpu'] / base['cpu']:.1f}x" if base else "- | -"
        lines.append(
            f"| {name} | {mb / r['wall']:.1f} | {mb / r['cpu']:.1f} | {r['wall']:.2f} | {r['cpu']:.2f} | {sp} |"
            f" {q['dropped']} | {q['false_drops']} | {q['false_drops_below_0.7']} | {q['missed']} |"
        )
    some = next(iter(rows.values()))["quality"]
    lines += [
        "",
        ("- **dedup speed-up**: the tool's wall time over dedup's (defaults); **on CPU**: the same with CPU"
        " times (user + system, this process and its children), steadier on a shared machine."),
        (f"- **false drops**: dropped, though no earlier document is at J>={THRESHOLD} (exact Jaccard of dedup's"
        " shingles); **of which J<0.7**: the best earlier one is below 0.7. **missed**: kept, though an earlier"
        f" document is at J>={THRESHOLD}. There are {some['true']} such documents: a tool exact at the threshold"
        " drops them and nothing else."),
        "",
        ("Dropped / documents, by each document's best exact Jaccard to an earlier one (below 0.8: to keep;"
        " from 0.8: to drop):"),
        "",
        "| tool | " + " | ".join(some["by_band"]) + " |",
        "|---" * (len(some["by_band"]) + 1) + "|",
    ]
    for name, r in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{f}/{n}" for f, n in r["quality"]["by_band"].values()) + " |")
    if TOOLS["rensa-matrix"][2] in rows:
        lines += ["", ("rensa (matrix flags) flags every document that shares an LSH band with another, both copies of"
                  " a pair (its own benchmark's measure): a speed reference, not a deduplication.")]
    if scal is not None:
        lines.append("")
        if "note" in scal:
            lines.append(scal["note"])
        else:
            lines += [(f"dedup `find_duplicates` (defaults) by `workers`, in a child process with every core (load"
                       f" average {scal['load']:.2f} before it, on {scal['cores']} cores):"), "",
                      "| workers | wall s | CPU s | MB/s | speed-up over workers=1 | output identical to workers=1 |",
                      "|---|---|---|---|---|---|"]
            w1 = min(scal["times"]["1"])[0]
            for w, v in scal["times"].items():
                wall, cpu = min(v)
                lines.append(f"| {w} | {wall:.2f} | {cpu:.2f} | {mb / wall:.1f} | {w1 / wall:.2f}x |"
                             f" {'yes' if scal['same'][w] else 'NO'} |")
    if prof is not None:
        lines += ["", (f"Where dedup's time goes (defaults, one run with timers around the stages: "
                       f"{prof['total_s']:.2f} s wall, {prof['total_cpu_s']:.2f} s CPU):"), "",
                  "| stage | calls | wall s | CPU s | share of CPU |", "|---|---|---|---|---|"]
        for label, depth, w, c, n in prof["stages"]:
            if c < 0.005 * prof["total_cpu_s"] and w < 0.005 * prof["total_s"]:
                continue
            lines.append(f"| {'&nbsp;&nbsp;' * 2 * depth}{label} | {n} | {w:.2f} | {c:.2f} |"
                         f" {100 * c / prof['total_cpu_s']:.0f}% |")
        for k, v in prof["info"].items():
            lines.append(f"\n{k}: {v}")
    if top:
        lines += ["", "```", *top, "```"]
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=DEFAULT_MB, help="corpus size in MB of UTF-8 (default %(default)s)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--runs", type=int, default=3, help="rounds of every tool; the best counts (default 3)")
    ap.add_argument("--sources", default=",".join(SOURCES), help="comma-separated, of: " + ", ".join(SOURCES))
    ap.add_argument("--pages-json", type=Path, help="base documents from this JSON list of {source, text} instead")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of: " + ", ".join(TOOLS))
    ap.add_argument("--no-scaling", action="store_true", help="skip the workers curve")
    ap.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    ap.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions for dedup")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for the .md and .json (default %(default)s)")
    ap.add_argument("--scaling-child", help=argparse.SUPPRESS)
    ap.add_argument("--cpus", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.scaling_child:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
        scaling_child(args)
        return

    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    import dedup

    t0 = time.perf_counter()
    corpus = load_corpus(args.mb, args.seed, args.sources.split(","), args.cache, args.pages_json)
    name = corpus_path(args.mb, args.seed, args.cache).stem if args.pages_json is None else \
        f"corpus-{args.pages_json.stem}-{args.mb:g}-{args.seed}"
    a, b, j = load_truth(corpus, args.cache / f"{name}-truth.npz")
    print(f"corpus and truth: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    texts = corpus.texts
    best = best_earlier(len(texts), a, b, j)
    desc = describe(corpus, best, j)
    print(desc, file=sys.stderr)

    tools = {}
    for tname in args.tools.split(","):
        fn, package, label = TOOLS[tname]
        try:
            __import__(package)
        except ImportError:
            print(f"{label}: skipped ({package} is not installed: pip install {package})", file=sys.stderr)
            continue
        tools[label] = fn
    dedup.find_duplicates(texts[:200])  # load the cached kernels outside the timing
    dedup.find_duplicates(texts[:200], verify="signature")
    load0 = os.getloadavg()[0]
    results: dict[str, list] = {k: [] for k in tools}
    dropped: dict[str, list] = {}
    for _ in range(args.runs):
        for tname, fn in tools.items():
            wall, cpu, out = timed(fn, texts)
            results[tname].append((wall, cpu))
            dropped.setdefault(tname, out)
            print(f"{tname}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
    load1 = os.getloadavg()[0]
    rows = {}
    for tname in tools:
        wall, cpu = min(w for w, _ in results[tname]), min(c for _, c in results[tname])
        rows[tname] = {"wall": wall, "cpu": cpu, "all": results[tname], "quality": quality(dropped[tname], best)}

    prof = None if args.no_profile or "dedup" not in tools else profile(texts)
    top = cprofile_top(texts) if args.cprofile else None
    scal = None
    if not args.no_scaling and "dedup" in tools:
        if has_workers():
            scal = scaling(args, cpus)
        else:
            scal = {"note": "The curve needs `find_duplicates(..., workers=)`, which this dedup does not take yet."}

    lines = report(args, corpus, desc, rows, prof, scal, (load0, load1), top)
    print("\n".join(lines))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"real-documents-{name.removeprefix('corpus-')}"
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (args.out / f"{stem}.json").write_text(json.dumps(
        {"command": command_line(args), "corpus": desc, "mb": corpus.nbytes / 1e6, "rows": rows,
         "profile": prof, "scaling": scal, "load": [load0, load1], "np": np.__version__}, indent=1, default=str),
        encoding="utf-8")


def _pin_environment() -> None:
    """One thread per library, and a fixed str hash (datasketch hashes with it):
    set before anything reads them, by running the script again if needed."""
    want = {"PYTHONHASHSEED": "0", "NUMBA_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if "--scaling-child" in sys.argv:
        return
    if any(os.environ.get(k) != v for k, v in want.items()):
        os.environ.update(want)
        with contextlib.suppress(OSError):
            os.execv(sys.executable, [sys.executable, *sys.argv])


if __name__ == "__main__":
    _pin_environment()
    main()
