"""Labelled repeat and boilerplate cases from real text, written to tests/data/.

    python benchmarks/real_cases.py     # writes tests/data/repeats_real.json, boilerplate_real.json

Each case is small and self-contained (its text is in the JSON), so the
tests need nothing from this machine. Labels follow what the text is:

- repeats: a paragraph of reference text (man pages, changelogs, copyright
  files, pydoc, METADATA) that has no token-identical earlier paragraph in
  its case must not be cut; a planted re-capture (one perturbation of a real
  paragraph, or a run of real paragraphs copied again in order) must be cut.
- boilerplate: a line on at least half of a case's documents must be cut; a
  line on one document only must not be (but for variants of a credit line
  whose template is on most pages, which must be cut).

A label's ``known_miss`` records why the code this was built against gets
it wrong (computed by running it): the test marks that label a strict
xfail, so it fails once the code gets it right. After a fix,
``python benchmarks/real_cases.py --refresh-misses`` recomputes only those
fields (the cases stay as they are); review the diff.
Cases whose text is not on this machine are written by hand from the
documents they quote, and say so in ``source``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import real_text as rt

import dedup

OUT = HERE.parent / "tests" / "data"
SEED = rt.SEED


def _man(name: str) -> tuple[str, str]:
    for d in rt.source("man"):
        if Path(d["source"]).name.split(".")[0] == name:
            return d["source"], d["text"]
    raise KeyError(name)


def _region(text: str, start: str, end: str) -> str:
    """The lines of ``text`` from the first that matches ``start`` to the
    one before the first after it that matches ``end``."""
    lines = text.split("\n")
    i = next(k for k, x in enumerate(lines) if re.search(start, x))
    j = next(k for k in range(i + 1, len(lines)) if re.search(end, lines[k]))
    return "\n".join(lines[i:j]).rstrip() + "\n"


def _label_reference(text: str) -> list[dict]:
    """Every paragraph of ``text`` with no token-identical earlier paragraph:
    must not be cut (in reference text a copy is the only thing to cut)."""
    seen, out = set(), []
    for p in dedup.split_paragraphs(text):
        k = rt.line_key(p.text)
        if k not in seen:
            out.append({"start": p.start, "end": p.end, "text": p.text})
        seen.add(k)
    return out


def mark_repeat_misses(case) -> None:
    """Set (or clear) each label's ``known_miss``: why the current code gets it wrong."""
    text = case["text"]
    cuts = dedup.find_repeats(text)
    for x in case["must_cut"]:
        x.pop("known_miss", None)
        if not any(c.start <= x["start"] and c.end >= x["end"] for c in cuts):
            x["known_miss"] = "not cut"
    for x in case["must_not_cut"]:
        x.pop("known_miss", None)
        for c in cuts:
            if c.end > x["start"] and c.start < x["end"]:
                m = " ".join(text[c.match[0]:c.match[1]].split())
                x["known_miss"] = f"cut as a repeat of {m[:60]!r} (Jaccard {c.similarity:.2f})"
                break


# hard negatives the issue names, found in the rendered man pages
MAN_NEGATIVES = [
    ("curl", r"^       -4, --ipv4", r"^       -6, --ipv6", 3,
     "-4 (IPv4 only) and -6 (IPv6 only): the same words in another order; siblings"),
    ("ssh", r"^     -4 ", r"^     -A ", 0, "-4 and -6 force IPv4 / IPv6: siblings that differ in one token, the flag"),
    ("git-fetch", r"^       -4, --ipv4", r"^       <repository>", 0, "--ipv4 vs --ipv6: siblings"),
    ("expr", r"ARG1 < ARG2", r"ARG1 \+ ARG2", 0, "ARG1 >= ARG2 vs ARG1 <= ARG2 etc.: the operator is the meaning"),
    ("createuser", r"^       -c number", r"^       -S$", 0,
     "--createdb vs --no-createdb, --inherit vs --no-inherit, --login vs --no-login: negation siblings"),
    ("readv", r"^DESCRIPTION", r"^RETURN VALUE", 0,
     "the readv() and writev() paragraphs, preadv()/pwritev(), RWF_DSYNC vs RWF_SYNC: siblings"),
    ("adjtimex", r"STA_PLL \(read-write\)", r"STA_CLK \(read-only", 0,
     "STA_PPSJITTER vs STA_PPSWANDER and the other status bits: siblings"),
]


def man_negatives() -> list[dict]:
    out = []
    for page, start, end, extra, why in MAN_NEGATIVES:
        src, text = _man(page)
        region = _region(text, start, end)
        if extra:  # the end line's own block too (it is the sibling)
            lines = text.split("\n")
            j = next(k for k, x in enumerate(lines) if re.search(end, x))
            region = region + "\n".join(lines[j:j + extra]).rstrip() + "\n"
        out.append({"id": f"man {page}: siblings", "source": src + " (man -P cat, MANWIDTH=80)", "why": why,
                    "text": region, "must_cut": [], "must_not_cut": _label_reference(region)})
    return out


def _levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def harvested_siblings(per_source: int = 8) -> list[dict]:
    """Pairs of paragraphs of reference text that the code under which this
    ran cut although they are not copies: short lines (under 8 words) that
    differ in a token, or longer ones that differ in three tokens or more."""
    rng = random.Random(SEED)
    out = []
    for name, docs in rt.reference().items():
        found = []
        texts = [d["text"] for d in docs]
        for d, cuts in zip(docs, dedup.find_repeats(texts)):
            text = d["text"]
            for c in cuts:
                a, b = text[c.match[0]:c.match[1]], text[c.start:c.end]
                ta, tb = rt.tokens(a), rt.tokens(b)
                if ta == tb or len(a) > 1500 or len(b) > 1500:
                    continue
                words = len(b.split())
                dist = _levenshtein(ta, tb)
                if words < 8 or dist >= 3:
                    found.append((d["source"], text, c.match, (c.start, c.end), dist))
        rng.shuffle(found)
        for src, text, (s0, e0), (s1, e1), dist in found[:per_source]:
            paras = dedup.split_paragraphs(text)
            sep = "\n\n" if any("\n" in p.text for p in paras) else "\n"
            excerpt = text[s0:e1] if e1 - s0 < 2000 else text[s0:e0] + sep + text[s1:e1]
            got = {p.text for p in dedup.split_paragraphs(excerpt)}
            if text[s0:e0] not in got or text[s1:e1] not in got:
                continue
            later = excerpt.rindex(text[s1:e1])
            a, b = rt.tokens(text[s0:e0]), rt.tokens(text[s1:e1])
            diff = sorted(set(a) ^ set(b))[:6]
            out.append({
                "id": f"{name} sibling: {' '.join(text[s1:e1].split())[:50]}",
                "source": src + (" (two regions joined)" if e1 - s0 >= 2000 else " (excerpt)"),
                "why": f"a sibling, not a copy: {len(text[s1:e1].split())} words, {dist} token edits, differing tokens {diff}",
                "text": excerpt, "must_cut": [],
                "must_not_cut": [x for x in _label_reference(excerpt) if x["start"] == later]
                or [{"start": later, "end": later + len(text[s1:e1]), "text": text[s1:e1]}],
            })
    return out


PLANT_KINDS = ["whitespace", "quotes", "case", "word changed", "word inserted", "(Reuters)", "run", "exact"]


def planted_cases(per_kind: int = 3) -> list[dict]:
    """Excerpts of real documents (six to ten paragraphs) with one
    re-capture planted: the planted paragraphs must be cut, the original
    ones (but for token-identical copies) kept."""
    rng = random.Random(SEED + 1)
    docs = [d for name in ("man", "changelog", "pydoc", "metadata", "copyright") for d in rt.source(name)]
    rng.shuffle(docs)
    vocab = sorted({w for d in docs[:100] for w in re.findall(r"[A-Za-z]{3,10}", d["text"])})
    out, i = [], 0
    for kind in PLANT_KINDS:
        made = 0
        while made < per_kind and i < len(docs):
            d = docs[i]
            i += 1
            paras = dedup.split_paragraphs(d["text"])
            if len(paras) < 12:
                continue
            k = rng.randrange(len(paras) - 10)
            n = rng.randint(6, 10)
            excerpt = d["text"][paras[k].start:paras[k + n - 1].end] + "\n"
            if len(excerpt) > 4000:
                continue
            r = rt.plant({"source": d["source"], "text": excerpt}, rng, vocab, [kind])
            if r is None:
                continue
            text = r["text"]
            must_cut = [{"start": p["start"], "end": p["end"], "text": text[p["start"]:p["end"]]}
                        for p in r["planted"]]
            cut_spans = {(x["start"], x["end"]) for x in must_cut}
            keep = [x for x in _label_reference(text) if (x["start"], x["end"]) not in cut_spans]
            out.append({"id": f"planted {kind}: {' '.join(must_cut[0]['text'].split())[:40]}",
                        "source": d["source"] + " (excerpt, re-capture planted)",
                        "why": f"a re-capture of a real paragraph ({kind})", "text": text,
                        "must_cut": must_cut, "must_not_cut": keep})
            made += 1
    return out


def short_line_cases() -> list[dict]:
    """Short lines: cut when equal after normalisation (case, spacing,
    quotes); kept when a token differs."""
    src, text = _man("curl")
    lines = text.split("\n")
    head = next(k for k, x in enumerate(lines) if x.startswith("DESCRIPTION"))
    region = "\n".join(lines[head:head + 12]).rstrip()
    case_copy = region + "\n\nDescription\n"
    out = [{
        "id": "short line: section heading recaptured in other case", "source": src + " (excerpt, re-capture planted)",
        "why": "a short line equal after normalisation (case) is a repeat", "text": case_copy,
        "must_cut": [{"start": len(region) + 2, "end": len(region) + 13, "text": "Description"}],
        "must_not_cut": _label_reference(region),
    }]
    return out


HAND_REPEATS = [
    {
        "id": "hand: -4 / -6 IPv4 exclusively (issue wording)",
        "source": "written by hand from the issue's example (an option list: -4 / -6 'IPv4/IPv6 addresses "
                  "exclusively'); not found verbatim on this machine",
        "why": "a flag and an address family differ: siblings",
        "text": "-4\n    Use IPv4 addresses exclusively when resolving and connecting to the host.\n"
                "-6\n    Use IPv6 addresses exclusively when resolving and connecting to the host.\n",
    },
]


def hand_repeats() -> list[dict]:
    out = []
    for c in HAND_REPEATS:
        out.append({**c, "must_cut": [], "must_not_cut": _label_reference(c["text"])})
    return out


def repeat_cases() -> list[dict]:
    cases = man_negatives() + hand_repeats() + short_line_cases() + planted_cases() + harvested_siblings()
    for c in cases:
        for x in c["must_cut"] + c["must_not_cut"]:
            assert c["text"][x["start"]:x["end"]] == x["text"], c["id"]
        mark_repeat_misses(c)
    return cases


# ------------------------------------------------------------------ boilerplate


def _label_docs(docs: list[str], roles: list[list[tuple[str, str]]] | None = None,
                credit: str | None = None) -> tuple[list, list]:
    """must_strip / must_keep lines of ``docs`` by the rule (see the module doc)."""
    on: dict[str, set[int]] = {}
    for d, text in enumerate(docs):
        for line in text.split("\n"):
            if line.strip():
                on.setdefault(rt.line_key(line), set()).add(d)
    credit_docs = {d for d, t in enumerate(docs) for x in t.split("\n") if credit and x.startswith(credit)}
    strip, keep = [], []
    for d, text in enumerate(docs):
        pos = 0
        for raw in text.split("\n"):
            line = raw.strip()
            if line:
                s = pos + raw.index(line)
                item = {"doc": d, "start": s, "end": s + len(line), "text": line}
                n = len(on[rt.line_key(line)])
                if 2 * n >= len(docs) and re.search(r"\w", line) or credit and line.startswith(credit) and 2 * len(credit_docs) >= len(docs):
                    strip.append(item)
                elif n == 1:
                    keep.append(item)
            pos += len(raw) + 1
    return strip, keep


def _title_keep(keep, docs, title_of):
    """For a title line, only its title part must be kept."""
    out = []
    for x in keep:
        t = title_of.get(x["doc"])
        if t and t in x["text"] and x["text"] != t:
            s = x["start"] + x["text"].index(t)
            out.append({"doc": x["doc"], "start": s, "end": s + len(t), "text": t})
        else:
            out.append(x)
    return out


def site_cases() -> list[dict]:
    out = []
    for site in rt.sites():
        # the first 8 pages of each simulated site
        docs = site["docs"][:8]
        strip, keep = _label_docs(docs, credit="Mandatory credit:")
        titles = {}
        for d, info in enumerate(site["lines"][:8]):
            for x in info:
                if x["role"] == "title":
                    titles[d] = docs[d][x["protect"][0]:x["protect"][1]]
        keep = _title_keep(keep, docs, titles)
        out.append({"id": f"site {site['name']}: titles, nav, credit, content",
                    "source": "simulated site (benchmarks/real_text.py sites()): titles and content from man pages, "
                              "pydoc and METADATA on this machine; nav/footer lines invented",
                    "why": "nav/footer/credit lines on most pages are boilerplate; the title part of "
                           "'Title - Site' lines, content paragraphs and 'Source:' bylines are on one page each",
                    "docs": docs, "params": {}, "must_strip": strip, "must_keep": keep})
    return out


def natural_cases() -> list[dict]:
    rng = random.Random(SEED + 2)
    out = []
    # Debian copyright files: the head of twelve machine-readable ones
    cr = [d for d in rt.source("copyright") if d["text"].startswith("Format:")]
    rng.shuffle(cr)
    docs, srcs = [], []
    for d in cr:
        head = d["text"][:1500]
        head = head[: head.rfind("\n\n")] if "\n\n" in head else head
        if "Copyright:" in head:
            docs.append(head)
            srcs.append(d["source"])
        if len(docs) == 12:
            break
    strip, keep = _label_docs(docs)
    out.append({"id": "debian copyright: Copyright fields are content", "source": ", ".join(srcs),
                "why": "Format:/Files: * lines recur; `Copyright: <holder>`, `Comment:` and URL lines of one file "
                       "are content (their values are mostly unique)",
                "docs": docs, "params": {}, "must_strip": strip, "must_keep": keep})
    # URL lines in copyright files (http: is not a label)
    urls = [d for d in rt.source("copyright") if re.search(r"^\s*https?://\S+\s*$", d["text"], re.MULTILINE)]
    rng.shuffle(urls)
    docs, srcs = [], []
    for d in urls[:10]:
        lines = d["text"].split("\n")
        k = next(i for i, x in enumerate(lines) if re.fullmatch(r"\s*https?://\S+\s*", x))
        docs.append("\n".join(lines[max(0, k - 3):k + 3]))
        srcs.append(d["source"])
    strip, keep = _label_docs(docs)
    out.append({"id": "debian copyright: http:// lines are not a label", "source": ", ".join(srcs),
                "why": "a URL line of one file is content; `http:` is a scheme, not a label",
                "docs": docs, "params": {}, "must_strip": strip, "must_keep": keep})
    # changelog heads: sign-off lines and entries of one changelog each
    cl = rt.source("changelog")
    docs, srcs = [], []
    for d in sorted(cl, key=lambda d: d["source"]):
        if d["source"].endswith("changelog.Debian.gz"):
            head = d["text"].split("\n\n")
            if len(head) >= 3:
                docs.append("\n\n".join(head[:3]))
                srcs.append(d["source"])
        if len(docs) == 10:
            break
    strip, keep = _label_docs(docs)
    out.append({"id": "debian changelogs: entries and sign-offs are content", "source": ", ".join(srcs),
                "why": "each changelog's entries and ' -- Name <mail>  date' sign-off lines are on one page",
                "docs": docs, "params": {}, "must_strip": strip, "must_keep": keep})
    return out


HAND_BOILERPLATE = [
    {
        "id": "hand: std::fmt vs std::iter::Iterator::find",
        "source": "written by hand from the Rust standard library docs (doc.rust-lang.org, not installed here): "
                  "a module path heading per page",
        "why": "`::` is a path separator, not a label; each path is the page's own title",
        "docs": [
            "std::fmt\nUtilities for formatting and printing Strings.\nSettings\nHelp",
            ("std::iter::Iterator::find\nSearches for an element of an iterator that satisfies a predicate.\n"
             "Settings\nHelp"),
            ("std::collections::HashMap\nA hash map implemented with quadratic probing and SIMD lookup.\n"
             "Settings\nHelp"),
            "std::io::Read\nThe Read trait allows for reading bytes from a source.\nSettings\nHelp",
            "std::vec::Vec\nA contiguous growable array type, written as Vec<T>, short for vector.\nSettings\nHelp",
            "std::string::String\nA UTF-8-encoded, growable string.\nSettings\nHelp",
        ],
    },
    {
        "id": "hand: 'never: Never display colors.' vs the never type",
        "source": "written by hand: cargo(1) --color values (auto/always/never) and the Rust std primitive list "
                  "('never — ! — a type with no values'); neither is installed here",
        "why": "a value of an option list and a type's description share a word, not a template",
        "docs": [
            ("--color when\nauto: Automatically detect if color support is available on the terminal.\n"
             "always: Always display colors.\nnever: Never display colors.\nCargo Book"),
            "Primitive types\nNever \u2014 ! \u2014 a type with no values\nbool \u2014 the boolean type\nCargo Book",
            "Quiet mode\nnever: Never print the progress bar.\nCargo Book",
            "Colours\nNever: do not use colour in the output at all.\nCargo Book",
            "Build cache\nA cache of compiled crates shared between projects.\nCargo Book",
        ],
    },
    {
        "id": "hand: credit line with a handful of agencies",
        "source": "written by hand after the seed's 'Mandatory credit: The White House' (seeds/), with one-page "
                  "story lines",
        "why": "a credit line whose label recurs and whose values recur is a template; its rare agency is a "
               "variant; the stories are content",
        "docs": [
            "Mandatory credit: Reuters\nFerries resumed on Monday after the storm.",
            "Mandatory credit: Reuters\nThe mayor opened a new library in the old town.",
            "Mandatory credit: Reuters\nFishermen protested the new quotas at the harbour.",
            "Mandatory credit: The White House\nThe president met the governors on Friday.",
            "Mandatory credit: Reuters\nTourism rose by a third over the summer.",
            "Mandatory credit: AFP\nA storm closed the port for two days.",
        ],
        "credit": "Mandatory credit:",
    },
]


def hand_boilerplate() -> list[dict]:
    out = []
    for c in HAND_BOILERPLATE:
        c = dict(c)
        strip, keep = _label_docs(c["docs"], credit=c.pop("credit", None))
        out.append({**c, "params": {}, "must_strip": strip, "must_keep": keep})
    return out


def mark_boilerplate_misses(case) -> None:
    """Set (or clear) each label's ``known_miss``: why the current code gets it wrong."""
    docs = case["docs"]
    bp = dedup.find_boilerplate(docs, **case["params"])
    cuts = bp.cuts(docs)
    outs = list(bp.strip(docs))
    for x in case["must_strip"]:
        x.pop("known_miss", None)
        if not any(c.start <= x["start"] and c.end >= x["end"] for c in cuts[x["doc"]]):
            x["known_miss"] = "not found as boilerplate"
    for x in case["must_keep"]:
        x.pop("known_miss", None)
        hit = [c for c in cuts[x["doc"]] if c.end > x["start"] and c.start < x["end"]]
        if hit:
            x["known_miss"] = f"cut as template {hit[0].match[:50]!r}"
        elif x["text"] not in outs[x["doc"]]:
            x["known_miss"] = "stripped"


def boilerplate_cases() -> list[dict]:
    cases = site_cases() + natural_cases() + hand_boilerplate()
    for c in cases:
        for x in c["must_strip"] + c["must_keep"]:
            assert c["docs"][x["doc"]][x["start"]:x["end"]] == x["text"], c["id"]
        mark_boilerplate_misses(c)
    return cases


def _write(name, cases):
    data = {"about": __doc__.strip().split("\n\n", 2)[-1], "built_by": "python benchmarks/real_cases.py",
            "cases": cases}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    labels = [x for c in cases for k in ("must_cut", "must_not_cut", "must_strip", "must_keep") for x in c.get(k, [])]
    misses = sum("known_miss" in x for x in labels)
    print(f"{path}: {len(cases)} cases, {len(labels)} labels, {misses} known misses, "
          f"{path.stat().st_size / 1e3:.0f} KB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refresh-misses", action="store_true",
                    help="keep the cases as they are, only recompute their known_miss fields with the current code")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.refresh_misses:
        for name, mark in (("repeats_real", mark_repeat_misses), ("boilerplate_real", mark_boilerplate_misses)):
            cases = json.loads((OUT / f"{name}.json").read_text(encoding="utf-8"))["cases"]
            for c in cases:
                mark(c)
            _write(name, cases)
        return
    _write("repeats_real", repeat_cases())
    _write("boilerplate_real", boilerplate_cases())


if __name__ == "__main__":
    main()
