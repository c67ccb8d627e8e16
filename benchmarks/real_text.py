"""Real-text evaluation corpora, built from text on this machine.

    python benchmarks/real_text.py            # build (or load) and print the sizes

Sources (sorted file lists, one fixed seed, so a machine with the same
packages gives the same corpora):

- ``copyright``: Debian's /usr/share/doc/*/copyright files, all of them;
- ``changelog``: Debian changelogs (/usr/share/doc/*/changelog.Debian.gz,
  changelog.gz), a seeded sample, each cut at a blank line to at most
  ``MAX_DOC`` characters;
- ``man``: man pages rendered by man-db and groff (``man -P cat``,
  ``MANWIDTH=80``, the C.UTF-8 locale), a seeded sample of sections 1-8
  plus the pages the issue names (curl, wget, expr, createuser, readv,
  adjtimex, ssh, git-fetch);
- ``pydoc``: the plain-text ``pydoc`` of standard-library modules (of the
  Python running this script), plus the stdlib's own .rst files;
- ``metadata``: package READMEs, the ``*.dist-info/METADATA`` files of the
  site-packages of the virtualenv and of every pyenv Python.

From them, three corpora:

a. ``reference``: the documents as they are (nothing captured twice);
b. ``planted``: a sample of them with later re-captures of their own
   paragraphs (one perturbation each) and runs of paragraphs recaptured in
   order, with the planted spans recorded;
c. ``sites``: simulated sites whose pages are "<Title> - <Site>" title
   lines, navigation and footer lines, a credit line (mostly one agency),
   and real paragraphs as content; plus the natural sources (copyright
   files, changelogs, man pages) each taken as one site.

Everything is cached as JSON under benchmarks/.cache/real_text/ (gitignored).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "real_text"
SEED = 12
MAX_DOC = 200_000
N_MAN = 400
N_CHANGELOG = 300
N_PYDOC = 120
N_RST = 150
MAN_PAGES = ["curl", "wget", "expr", "createuser", "readv", "adjtimex", "ssh", "git-fetch"]

# ------------------------------------------------------------------ tokens

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                         "\u00ab": '"', "\u00bb": '"'})
_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """The tokens the judge compares: NFKC + casefold, quotes normalised,
    ``\\w+`` runs and single punctuation characters."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES))


def line_key(line: str) -> str:
    """A line's identity for "on how many pages": normalised tokens."""
    return " ".join(tokens(line))


# ------------------------------------------------------------------ sources


def _cut(text: str, limit: int = MAX_DOC) -> str:
    """``text`` cut at the last blank line before ``limit`` characters."""
    if len(text) <= limit:
        return text
    at = text.rfind("\n\n", 0, limit)
    return text[: at if at > 0 else limit]


def _read(path: Path) -> str | None:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
        return None


def copyright_docs() -> list[dict]:
    out = []
    for p in sorted(Path("/usr/share/doc").glob("*/copyright")):
        text = _read(p)
        if text and text.strip():
            out.append({"source": str(p), "text": _cut(text)})
    return out


def changelog_docs(n: int = N_CHANGELOG) -> list[dict]:
    paths = sorted(Path("/usr/share/doc").glob("*/changelog.Debian.gz")) + sorted(
        Path("/usr/share/doc").glob("*/changelog.gz"))
    paths = sorted({p.resolve(): p for p in paths if p.is_file()}.values())
    random.Random(SEED).shuffle(paths)
    out = []
    for p in paths:
        text = _read(p)
        if text and text.strip():
            out.append({"source": str(p), "text": _cut(text)})
        if len(out) >= n:
            break
    return sorted(out, key=lambda d: d["source"])


def render_man(path: Path) -> str | None:
    env = {**os.environ, "MANWIDTH": "80", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MAN_KEEP_FORMATTING": ""}
    env.pop("MAN_KEEP_FORMATTING")
    try:
        r = subprocess.run(["man", "-P", "cat", "-l", str(path)], capture_output=True, env=env, timeout=60,
                           check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = r.stdout.decode("utf-8", "replace")
    return text if r.returncode == 0 and len(text) > 200 else None


def man_docs(n: int = N_MAN) -> list[dict]:
    root = Path("/usr/share/man")
    # one path per page file (a symlink, as alternatives make, counts once)
    found: dict[Path, Path] = {}
    for p in sorted(p for s in range(1, 9) for p in (root / f"man{s}").glob("*.gz")):
        if p.is_file() and (p.resolve() not in found or not p.is_symlink()):
            found[p.resolve()] = p  # the page's own name rather than a link's
    paths = sorted(found.values())
    named = [p for p in paths if p.name.split(".")[0] in MAN_PAGES and p.name.split(".")[1][:1] in "12"]
    rest = [p for p in paths if p not in named]
    # the Google Cloud SDK's thousands of generated gcloud pages are capped
    # at a seventh of the sample, so that they do not make up most of it
    gcloud = [p for p in rest if p.name.startswith("gcloud")]
    rest = [p for p in rest if not p.name.startswith("gcloud")]
    random.Random(SEED).shuffle(rest)
    random.Random(SEED).shuffle(gcloud)
    quota = {"gcloud": n // 7, "rest": n - n // 7}
    out = []
    for p in named + rest + gcloud:
        kind = "gcloud" if p.name.startswith("gcloud") else "rest"
        if p not in named and quota[kind] <= 0:
            continue
        try:  # skip .so redirections
            if gzip.decompress(p.read_bytes())[:4] == b".so ":
                continue
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        text = render_man(p)
        if text:
            out.append({"source": str(p), "text": _cut(text)})
            if p not in named:
                quota[kind] -= 1
    return sorted(out, key=lambda d: d["source"])


_SKIP_MODULES = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "test", "lib2to3", "ensurepip",
                 "__main__", "venv", "pydoc_data", "msilib", "winreg", "winsound", "_msi", "nt", "msvcrt"}


def pydoc_docs(n: int = N_PYDOC) -> list[dict]:
    import importlib
    import pydoc
    import warnings

    names = sorted(m for m in sys.stdlib_module_names if not m.startswith("_") and m not in _SKIP_MODULES)
    random.Random(SEED).shuffle(names)
    out = []
    for name in names:
        if len(out) >= n:
            break
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                mod = importlib.import_module(name)
                text = pydoc.render_doc(mod, "%s", renderer=pydoc.plaintext)
        except BaseException as e:  # noqa: BLE001 - any module that will not load or render is skipped
            print(f"pydoc {name}: skipped ({type(e).__name__})", file=sys.stderr)
            continue
        # pydoc's plaintext renderer marks bold with backspaces
        text = re.sub(".\b", "", text)
        # the FILE section names this machine's path
        text = re.sub(r"\nFILE\n.*?(\n\n|$)", "\n", text, flags=re.DOTALL)
        if len(text) > 500:
            out.append({"source": f"pydoc {name} (Python {sys.version_info[0]}.{sys.version_info[1]})",
                        "text": _cut(text)})
    # .rst files of the Python installation: the stdlib's own, and a sample
    # of the packages' (mostly awscli's example pages, a very templated text)
    rst = sorted(Path(sys.base_prefix).glob("lib/python3*/**/*.rst"))
    stdlib = [p for p in rst if "site-packages" not in p.parts]
    packages = [p for p in rst if "site-packages" in p.parts]
    random.Random(SEED).shuffle(packages)
    for p in stdlib + packages[:N_RST]:
        text = _read(p)
        if text and len(text) > 500:
            out.append({"source": str(p), "text": _cut(text)})
    return sorted(out, key=lambda d: d["source"])


def metadata_docs() -> list[dict]:
    roots = [Path(sys.prefix)] + sorted(Path("/root/.pyenv/versions").glob("*"))
    seen: dict[str, dict] = {}
    for root in roots:
        for p in sorted(root.glob("lib/python3*/site-packages/*.dist-info/METADATA")):
            name = p.parent.name.split("-")[0].lower()
            text = _read(p)
            if text and len(text) > 300 and name not in seen:
                seen[name] = {"source": str(p), "text": _cut(text)}
    return [seen[k] for k in sorted(seen)]


SOURCES = {"copyright": copyright_docs, "changelog": changelog_docs, "man": man_docs, "pydoc": pydoc_docs,
           "metadata": metadata_docs}


def _cached(name: str, build):
    path = CACHE / f"{name}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return data


def source(name: str) -> list[dict]:
    """The documents of one source, ``[{"source": path, "text": text}]``."""
    return _cached(name, SOURCES[name])


# ------------------------------------------------------------------ a. reference


def reference() -> dict[str, list[dict]]:
    """Reference text: every source, documents as they are."""
    return {name: source(name) for name in SOURCES}


# ------------------------------------------------------------------ b. planted re-captures

KINDS = ["exact", "whitespace", "quotes", "case", "word changed", "word inserted", "(Reuters)", "run"]
MIN_WORDS = 4  # a planted paragraph has at least this many words
MIN_WORDS_WORD = 8  # and at least this many when one of its words changes
_WORD = re.compile(r"[A-Za-z]{3,}")


def _paragraphs(text: str):
    import dedup

    return dedup.split_paragraphs(text)


def _whitespace(p: str, rng: random.Random) -> str:
    """Other spacing: a space doubled, a tab, a trailing space, or the
    lines of a wrapped paragraph joined or wrapped anew."""
    spaces = [m.start() for m in re.finditer(r" ", p)]
    how = rng.choice(["double", "trailing", "rewrap", "tab"])
    if how == "rewrap" and "\n" in p:
        words = p.split()
        width = rng.choice([50, 60, 72, 100])
        lines, line = [], ""
        for w in words:
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        lines.append(line)
        out = "\n".join(lines)
        if out != p:
            return out
    if how == "trailing":
        return p + " "
    if spaces:
        at = rng.choice(spaces)
        return p[:at] + ("\t" if how == "tab" else "  ") + p[at + 1:]
    return p + " "


_TO_CURLY = {"'": "\u2019", '"': "\u201d"}
_TO_STRAIGHT = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


def _quotes(p: str, rng: random.Random) -> str | None:
    if any(c in p for c in _TO_STRAIGHT):
        return "".join(_TO_STRAIGHT.get(c, c) for c in p)
    if "'" in p or '"' in p:
        out, opened = [], {"'": False, '"': False}
        for i, c in enumerate(p):
            if c in "'\"":
                if c == "'" and 0 < i < len(p) - 1 and p[i - 1].isalnum() and p[i + 1].isalnum():
                    out.append("\u2019")  # an apostrophe
                    continue
                opened[c] = not opened[c]
                out.append(("\u2018" if c == "'" else "\u201c") if opened[c] else _TO_CURLY[c])
            else:
                out.append(c)
        return "".join(out)
    return None


def n_words(p: str) -> int:
    """Words of ``p``: runs of letters or digits (``::`` or ``|`` is none)."""
    return len(re.findall(r"\w+", p))


def _word_changed(p: str, rng: random.Random, vocab: list[str]) -> str | None:
    words = list(_WORD.finditer(p))
    if n_words(p) < MIN_WORDS_WORD or not words:
        return None
    m = rng.choice(words)
    new = rng.choice(vocab)
    if new.lower() == m.group().lower():
        return None
    return p[: m.start()] + new + p[m.end():]


def _word_inserted(p: str, rng: random.Random, vocab: list[str]) -> str | None:
    if n_words(p) < MIN_WORDS_WORD:
        return None
    spaces = [m.start() for m in re.finditer(r" ", p)]
    if not spaces:
        return None
    at = rng.choice(spaces)
    return p[:at] + " " + rng.choice(vocab) + p[at:]


def perturb(kind: str, p: str, rng: random.Random, vocab: list[str]) -> str | None:
    """A re-capture of paragraph ``p`` with one perturbation of ``kind``, or
    None where the kind does not apply to it."""
    if kind == "exact":
        return p
    if kind == "whitespace":
        return _whitespace(p, rng)
    if kind == "quotes":
        return _quotes(p, rng)
    if kind == "case":
        out = p.upper() if rng.random() < 0.5 else p.lower()
        return out if out != p else None
    if kind == "word changed":
        return _word_changed(p, rng, vocab)
    if kind == "word inserted":
        return _word_inserted(p, rng, vocab)
    if kind == "(Reuters)":
        return p + " (Reuters)"
    raise ValueError(kind)


def _eligible(paras, i: int) -> bool:
    """A paragraph that can be planted again: enough words, and no other
    paragraph of the document has its tokens (so a found copy is ours)."""
    return n_words(paras[i].text) >= MIN_WORDS


def plant(doc: dict, rng: random.Random, vocab: list[str], kinds: list[str]) -> dict | None:
    """``doc`` with re-captures of its own paragraphs planted later in it.

    Returns ``{"source", "text", "original", "planted": [{"kind", "start",
    "end", "of": [start, end]}], "originals": [[start, end], ...]}`` where
    ``originals`` are the spans (in the new text) of the paragraphs that were
    in the document already, or None when no plant applies."""
    text = doc["text"]
    paras = _paragraphs(text)
    if len(paras) < 4:
        return None
    keys = [line_key(p.text) for p in paras]
    count: dict[str, int] = {}
    for k in keys:
        count[k] = count.get(k, 0) + 1
    blank = any("\n" in p.text for p in paras)
    sep = "\n\n" if blank else "\n"
    # insertions: (after paragraph index, new paragraph text, kind, source paragraph index)
    inserts: list[tuple[int, str, str, int]] = []
    used: set[int] = set()
    for kind in kinds:
        if kind == "run":
            k = rng.randint(3, 5)
            starts = [i for i in range(len(paras) - k - 1)
                      if all(count[keys[j]] == 1 and j not in used for j in range(i, i + k))
                      and sum(n_words(paras[j].text) for j in range(i, i + k)) >= 3 * MIN_WORDS]
            if not starts:
                continue
            i = rng.choice(starts)
            after = rng.randint(i + k - 1, len(paras) - 1)
            for j in range(i, i + k):
                used.add(j)
                light = rng.choice(["exact", "whitespace"])
                inserts.append((after, perturb(light, paras[j].text, rng, vocab), "run", j))
            continue
        cands = [i for i in range(len(paras) - 1) if count[keys[i]] == 1 and i not in used and _eligible(paras, i)]
        rng.shuffle(cands)
        for i in cands[:20]:
            new = perturb(kind, paras[i].text, rng, vocab)
            if new is None or line_key(new) in count and kind not in ("exact", "whitespace", "quotes", "case"):
                continue
            used.add(i)
            inserts.append((rng.randint(i, len(paras) - 1), new, kind, i))
            break
    if not inserts:
        return None
    # rebuild the text: each inserted paragraph after the paragraph it follows
    by_after: dict[int, list[tuple[str, str, int]]] = {}
    for after, new, kind, j in inserts:
        by_after.setdefault(after, []).append((new, kind, j))
    out, pos, planted, originals, where = [], 0, [], [], {}
    length = 0

    def emit(s):
        nonlocal length
        out.append(s)
        length += len(s)

    for i, p in enumerate(paras):
        emit(text[pos:p.start])
        where[i] = (length, length + len(p.text))
        originals.append(list(where[i]))
        emit(p.text)
        pos = p.end
        for new, kind, j in by_after.get(i, []):
            emit(sep)
            planted.append({"kind": kind, "start": length, "end": length + len(new), "of": list(where[j])})
            emit(new)
    emit(text[pos:])
    new_text = "".join(out)
    # the planted text must split into the original paragraphs and the plants
    got = [(q.start, q.end) for q in _paragraphs(new_text)]
    want = sorted([tuple(o) for o in originals] + [(x["start"], x["end"]) for x in planted])
    if got != want:
        return None
    return {"source": doc["source"], "text": new_text, "planted": planted, "originals": originals}


def planted(n_docs: int = 400) -> list[dict]:
    """Documents of every source with planted re-captures."""
    def build():
        rng = random.Random(SEED)
        docs = [d for name in SOURCES for d in source(name) if len(d["text"]) < 60_000]
        rng.shuffle(docs)
        vocab = sorted({w for d in docs[:200] for w in _WORD.findall(d["text"]) if 3 <= len(w) <= 10})
        out = []
        for d in docs:
            kinds = rng.sample(KINDS, 3)
            r = plant(d, rng, vocab, kinds)
            if r:
                out.append(r)
            if len(out) >= n_docs:
                break
        return out
    return _cached(f"planted-{n_docs}", build)


# ------------------------------------------------------------------ c. sites

SITE_NAMES = ["Harbour Gazette", "The Daily Ledger", "Northfield Times", "Open Source Weekly", "Civic Record"]
NAV = [
    ["Home", "News", "Sport", "Business", "Culture", "Contact us"],
    ["Home | World | Politics | Technology | Opinion", "Subscribe to our newsletter"],
    ["Skip to main content", "Menu", "Search", "Sign in"],
    ["Latest stories", "Most read", "About us"],
    ["Home", "Releases", "Documentation", "Community"],
]
FOOTERS = [
    ["Share this article", "Privacy policy | Terms of use | Cookie settings"],
    ["We use cookies to improve your experience on our site.", "Follow us on social media"],
    ["Advertisement", "Read more:"],
    ["Report a correction or typo", "Related topics"],
    ["Back to top", "All rights reserved."],
]
# how a site writes its page titles: "Title - Site", "name - Site" (a short
# title, so the site name is most of the line), "Title | Site", "Site – Title"
TITLE_STYLES = ["long", "short", "bar", "site first", "short"]
AGENCIES = ["Reuters", "Associated Press", "AFP", "The White House", "Getty Images", "EPA"]


def _titles_and_bodies():
    """Real page titles (a man page's NAME line, a package summary, a
    module's one-line doc) and real content paragraphs, per document."""
    out = []
    for d in source("man"):
        m = re.search(r"\nNAME\n\s+(.+?)\n\n", d["text"], re.DOTALL)
        if m:
            out.append((" ".join(m.group(1).split()), d))
    for d in source("metadata"):
        m = re.search(r"^Summary: (.+)$", d["text"], re.MULTILINE)
        if m and len(m.group(1)) > 10:
            out.append((m.group(1).strip(), d))
    for d in source("pydoc"):
        m = re.search(r"^NAME\n\s+(.+)$", d["text"], re.MULTILINE)
        if m and " - " in m.group(1):
            out.append((m.group(1).strip(), d))
    return out


def _content(doc: dict, rng: random.Random, k: int) -> list[str]:
    """``k`` consecutive real paragraphs of ``doc``, each on one line."""
    paras = [" ".join(p.text.split()) for p in _paragraphs(doc["text"]) if len(p.text.split()) >= 6]
    if len(paras) <= k:
        return paras
    i = rng.randrange(len(paras) - k)
    return paras[i:i + k]


def sites(n_sites: int = 5, pages: int = 40) -> list[dict]:
    """Simulated sites: ``[{"name", "docs": [text], "lines": [[{"text",
    "role", "start", "end", "protect": [s, e]}]]}]`` where role is one of
    title, nav, footer, credit, copyright, content, byline."""
    def build():
        rng = random.Random(SEED)
        pool = _titles_and_bodies()
        rng.shuffle(pool)
        out = []
        at = 0
        for s in range(n_sites):
            name = SITE_NAMES[s % len(SITE_NAMES)]
            nav, footer = NAV[s % len(NAV)], FOOTERS[s % len(FOOTERS)]
            main_agency = AGENCIES[s % len(AGENCIES)]
            docs, lines = [], []
            for _ in range(pages):
                title, doc = pool[at % len(pool)]
                at += 1
                page: list[tuple[str, str, int]] = []  # text, role, protected prefix (< 0: suffix) length
                style = TITLE_STYLES[s % len(TITLE_STYLES)]
                if style == "short":  # the page's own name only ("curl", "heapq")
                    title = re.split(r"\s+[-–—]\s+|,\s", title)[0].strip() or title
                if style == "site first":
                    page.append((f"{name} – {title}", "title", -len(title)))
                elif style == "bar":
                    page.append((f"{title} | {name}", "title", len(title)))
                else:
                    page.append((f"{title} - {name}", "title", len(title)))
                page += [(x, "nav", 0) for x in nav]
                if rng.random() < 0.9:
                    agency = main_agency if rng.random() < 0.8 else rng.choice(AGENCIES)
                    page.append((f"Mandatory credit: {agency}", "credit", 0))
                for para in _content(doc, rng, rng.randint(2, 5)):
                    page.append((para, "content", 0))
                if rng.random() < 0.5:
                    page.append((f"Source: {doc['source']}", "byline", 0))
                page += [(x, "footer", 0) for x in footer]
                page.append((f"\u00a9 2024 {name}", "copyright", 0))
                text, pos, info = [], 0, []
                for line, role, prot in page:
                    protect = [pos + len(line) + prot, pos + len(line)] if prot < 0 else [pos, pos + (prot or len(line))]
                    info.append({"text": line, "role": role, "start": pos, "end": pos + len(line), "protect": protect})
                    text.append(line)
                    pos += len(line) + 1
                docs.append("\n".join(text))
                lines.append(info)
            out.append({"name": name, "docs": docs, "lines": lines})
        return out
    return _cached(f"sites-{n_sites}-{pages}", build)


def natural_sites() -> list[dict]:
    """The natural sources, each one "site": its documents' lines as they are."""
    out = []
    for name in ("copyright", "changelog", "man"):
        docs = [d["text"] for d in source(name)]
        lines = []
        for text in docs:
            info, pos = [], 0
            for raw in text.splitlines(keepends=True):
                stripped = raw.strip()
                if stripped:
                    s = pos + raw.index(stripped)
                    info.append({"text": stripped, "role": "line", "start": s, "end": s + len(stripped),
                                 "protect": [s, s + len(stripped)]})
                pos += len(raw)
            lines.append(info)
        out.append({"name": f"{name} (natural)", "docs": docs, "lines": lines})
    return out


def site_labels(site: dict) -> list[list[str]]:
    """Each line's label: ``"frequent"`` (its normalised text is on at least
    half of the site's pages; ``"frequent, no word"`` if it has no letter
    or digit), ``"one-page"`` (on one page only), ``"credit
    variant"`` (a one-page credit line of a credit template that is itself
    frequent), else ``"other"``."""
    pages = len(site["docs"])
    on: dict[str, set[int]] = {}
    for d, info in enumerate(site["lines"]):
        for x in info:
            on.setdefault(line_key(x["text"]), set()).add(d)
    credit_pages = {d for d, info in enumerate(site["lines"]) for x in info if x["role"] == "credit"}
    credit_frequent = 2 * len(credit_pages) >= pages
    out = []
    for info in site["lines"]:
        row = []
        for x in info:
            n = len(on[line_key(x["text"])])
            if 2 * n >= pages:
                # a line of punctuation only (a "." paragraph separator) is counted apart
                row.append("frequent" if re.search(r"\w", x["text"]) else "frequent, no word")
            elif x["role"] == "credit" and credit_frequent:
                row.append("credit variant")
            elif n == 1:
                row.append("one-page")
            else:
                row.append("other")
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.parse_args()
    for name, docs in reference().items():
        paras = sum(len(_paragraphs(d["text"])) for d in docs)
        mb = sum(len(d["text"].encode()) for d in docs) / 1e6
        print(f"{name}: {len(docs)} documents, {mb:.1f} MB, {paras} paragraphs")
    p = planted()
    print(f"planted: {len(p)} documents, {sum(len(d['planted']) for d in p)} planted paragraphs")
    for s in sites() + natural_sites():
        print(f"site {s['name']}: {len(s['docs'])} pages")


if __name__ == "__main__":
    main()
