"""Why two documents matched, and a self-contained HTML report of a run."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from ._engine.checks import banding
from ._kernels.lsh import candidate_probability
from ._kernels.sets import common_count
from .config import Config

_TOKEN = re.compile(r"\w+")


def _token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised token) for each ``\\w+`` run of ``text``.

    Normalisation is per token here (for display); the shingles themselves
    follow :func:`dedup.shingling.shingles`.
    """
    from ._kernels.shingling import normalize

    return [(m.start(), m.end(), normalize(m.group())) for m in _TOKEN.finditer(text)]


SHOWN_CHARS = 3000  # of each text of a pair, in the report
EXPLAIN_CHARS = 20_000  # of each text, shown by explain
DIFF_WORDS = 1500  # words of each text compared in the diff view
DIFF_CHARS = 10_000  # characters of each text those words are taken from
ID_CHARS = 200  # of a document id, in the report


def explain(a: str, b: str, config: Config | None = None, shown: int = EXPLAIN_CHARS) -> dict[str, Any]:
    """Why ``a`` and ``b`` match, or not.

    Returns the exact Jaccard similarity of their shingle sets, the signature
    estimate, how many LSH bands they share (and the probability of sharing
    one at their similarity), and for each text the character spans covered
    by shared shingles within its first ``shown`` characters (``"shown"``;
    word shingles only; empty for ``unit="char"``): show ``text[:shown]``
    with them, as :func:`excerpt` does.
    ``match`` is the verdict :func:`dedup.find_duplicates` (and the command)
    gives on the two with this config: ``b`` is dropped as a near-duplicate
    of ``a``. It takes LSH (a shared band), the prefilter and the config's
    ``verify`` (exact Jaccard, or the signature estimate) into account;
    ``verify`` says which decided.

    Memory is bounded by the texts' shingle hashes (sorted ``uint64``
    arrays, 8 bytes per distinct shingle), whatever their size: no Python
    set of shingles, and only the shown characters are tokenised.

    >>> r = explain("the cat sat on the mat today", "The cat sat on the mat, yesterday")
    >>> round(r["jaccard"], 2), r["shared_shingles"], r["spans_a"], r["match"], r["verify"]
    (0.5, 2, [(0, 22)], False, 'exact')
    """
    cfg = config or Config()
    if isinstance(shown, bool) or not isinstance(shown, int) or shown < 0:
        raise ValueError(f"shown must be a number of characters (an int >= 0), got {shown!r}")
    ha, hb = _hashes(a, cfg), _hashes(b, cfg)
    f = _facts(ha, hb, cfg)
    out = {
        "jaccard": f["jaccard"],
        "estimate": f["estimate"],
        "shared_shingles": f["shared"],
        "shingles_a": len(ha),
        "shingles_b": len(hb),
        "bands_shared": f["bands_shared"],
        "bands": cfg.bands,
        "candidate_probability": candidate_probability(f["jaccard"], *banding(cfg)),
        "match": f["match"],
        "verify": cfg.verify,
        "threshold": cfg.threshold,
        "shown": shown,
        "spans_a": [],
        "spans_b": [],
    }
    if cfg.unit == "word":
        out["spans_a"] = _window_spans(a[:shown], len(a) <= shown, hb, cfg.ngram)
        out["spans_b"] = _window_spans(b[:shown], len(b) <= shown, ha, cfg.ngram)
    return out


def _hashes(text: str, cfg: Config) -> np.ndarray:
    """The sorted distinct shingle hashes of ``text`` (uint64), in a buffer of their own."""
    from ._engine.hashsets import hash_sets
    from ._engine.scanner import Scanner

    flat, offs = hash_sets(Scanner([text]), cfg.ngram, cfg.unit, sort=True)
    return flat[offs[0] : offs[1]].copy()


def _facts(ha: np.ndarray, hb: np.ndarray, cfg: Config) -> dict[str, Any]:
    """Exact Jaccard, signature estimate, shared bands and the run's verdict
    (``b`` dropped as a near-duplicate of ``a``) of two sorted hash sets,
    as :func:`dedup.find_duplicates` decides it on the two texts."""
    from ._engine import signatures
    from ._engine.candidates import candidate_pairs
    from ._engine.clusters import best_matches
    from ._engine.verify import signature_similarity

    shared = int(common_count(ha, hb))
    union = len(ha) + len(hb) - shared
    jac = shared / union if union else 0.0
    offs = np.array([0, len(ha), len(ha) + len(hb)], dtype=np.int64)
    sig = signatures.from_hashes(np.concatenate([ha, hb]), offs, cfg)
    counts = np.diff(offs)
    nbands, r = banding(cfg)
    bands = int(sum((sig[0][i * r : (i + 1) * r] == sig[1][i * r : (i + 1) * r]).all() for i in range(nbands)))
    doc, other = candidate_pairs(sig, counts, cfg, filtered=cfg.verify == "exact")
    sim = np.full(len(doc), jac) if cfg.verify == "exact" else signature_similarity(sig[doc], sig[other])
    match = 1 in best_matches(doc, other, sim, cfg.threshold)
    return {"jaccard": jac, "estimate": float((sig[0] == sig[1]).mean()), "bands_shared": bands,
            "shared": shared, "match": match}


def pair_facts(a: str, b: str, config: Config) -> dict[str, Any]:
    """Exact Jaccard, signature estimate and shared bands of two texts of any
    size (memory: the two texts' shingle hashes, 8 bytes per distinct shingle)."""
    f = _facts(_hashes(a, config), _hashes(b, config), config)
    return {"jaccard": f["jaccard"], "estimate": f["estimate"], "bands_shared": f["bands_shared"]}


def _words(text: str, words: int, chars: int) -> tuple[list[str], bool]:
    """The first ``words`` whitespace-separated words of ``text[:chars]``, and
    whether anything of ``text`` was left out."""
    part = text[:chars]
    found = part.split(None, words)
    cut = len(found) > words or len(part) < len(text)
    return found[:words], cut


def diff_html(a: str, b: str, words: int = DIFF_WORDS, chars: int = DIFF_CHARS) -> str:
    """Where two texts differ, word by word (``difflib``): text only in ``a``
    struck through, only in ``b`` underlined, runs of equal words elided.
    Only the first ``words`` words within the first ``chars`` characters of
    each are compared (bounded time, memory and output), and a note says so."""
    import difflib

    (wa, cut_a), (wb, cut_b) = _words(a, words, chars), _words(b, words, chars)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            run = wa[i1:i2]
            text = " ".join(run) if len(run) <= 12 else " ".join(run[:5]) + " … " + " ".join(run[-5:])
            out.append(html.escape(text))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(wa[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(' '.join(wb[j1:j2]))}</ins>")
    note = f" <i>(only the first {words:,} words within {chars:,} characters compared)</i>" if cut_a or cut_b else ""
    return " ".join(out) + note


def _window_spans(window: str, whole: bool, other: np.ndarray, n: int) -> list[tuple[int, int]]:
    """Spans of ``window`` (the start of a text; ``whole`` when it is all of
    it) covered by its word shingles whose hash is in ``other`` (sorted)."""
    from ._kernels.shingling import shingle_hash

    toks = _token_spans(window)
    words = [t for _, _, t in toks]
    if len(words) < n:
        grams = [(0, tuple(words))] if whole and words else []
    else:
        grams = [(i, tuple(words[i : i + n])) for i in range(len(words) - n + 1)]
    covered = [False] * len(toks)
    if grams and len(other):
        h = np.fromiter((shingle_hash(g) for _, g in grams), np.uint64, len(grams))
        at = np.minimum(np.searchsorted(other, h), len(other) - 1)
        for (i, g), hit in zip(grams, (other[at] == h).tolist()):
            if hit:
                for j in range(i, i + len(g)):
                    covered[j] = True
    return _merge_spans(window, toks, covered)


def _merge_spans(text: str, toks: list[tuple[int, int, str]], covered: list[bool]) -> list[tuple[int, int]]:
    """The covered tokens' spans, neighbours joined across spaces and punctuation."""
    spans: list[tuple[int, int]] = []
    for (s, e, _), c in zip(toks, covered):
        if not c:
            continue
        if spans and not text[spans[-1][1] : s].strip(" \t\r\n.,;:!?\"'“”‘’«»—–-()"):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def excerpt(text: str, spans: list[tuple[int, int]], before: str, after: str, shown: int,
            escape=lambda s: s) -> str:
    """``text[:shown]`` with ``spans`` marked, and a line saying how many
    characters were left out, if any."""
    more = f"\n… ({len(text) - shown:,} more characters not shown)" if len(text) > shown else ""
    return marked(text[:shown], spans, before, after, escape) + escape(more)


def marked(text: str, spans: list[tuple[int, int]], before: str, after: str, escape=lambda s: s) -> str:
    out, pos = [], 0
    for s, e in spans:
        out += [escape(text[pos:s]), before, escape(text[s:e]), after]
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


# ------------------------------------------------------------------ HTML


def _svg_bars(counts: list[tuple[str, int]], title: str, xlabel: str, ylabel: str, width: int = 560,
              height: int = 220) -> str:
    if not counts:
        return f"<p><b>{html.escape(title)}</b>: nothing to plot</p>"
    top = max(c for _, c in counts) or 1
    left, bottom = 50, 40  # room for the y axis and its label, the x labels and the x axis label
    bw = (width - left - 10) / len(counts)
    bars = []
    for i, (label, c) in enumerate(counts):
        h = (height - bottom - 20) * c / top
        x = left + i * bw
        bars.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bw * 0.85:.1f}" height="{h:.1f}" fill="#4a78b5">'
            f"<title>{html.escape(label)}: {c}</title></rect>"
            f'<text x="{x + bw * 0.42:.1f}" y="{height - bottom + 12}" font-size="9" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
    return (
        f'<figure><svg width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">'
        f'<line x1="{left - 2}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#888"/>'
        f'<line x1="{left - 2}" y1="20" x2="{left - 2}" y2="{height - bottom}" stroke="#888"/>'
        f'<text x="{left - 5}" y="24" font-size="9" text-anchor="end">{top:,}</text>'
        f'<text x="{left - 5}" y="{height - bottom}" font-size="9" text-anchor="end">0</text>'
        + "".join(bars)
        + f'<text class="xlabel" x="{left + (width - left) / 2:.0f}" y="{height - 6}" font-size="11" '
        f'text-anchor="middle">{html.escape(xlabel)}</text>'
        f'<text class="ylabel" x="12" y="{(height - bottom) / 2:.0f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {(height - bottom) / 2:.0f})">{html.escape(ylabel)}</text>'
        f"</svg><figcaption>{html.escape(title)}</figcaption></figure>"
    )


def _svg_curve(config: Config, width: int = 560, height: int = 220) -> str:
    xs = np.linspace(0, 1, 101)
    ys = [candidate_probability(float(x), *banding(config)) for x in xs]
    pts = " ".join(f"{30 + x * (width - 40):.1f},{height - 20 - y * (height - 40):.1f}" for x, y in zip(xs, ys))
    tx = 30 + config.threshold * (width - 40)
    return (
        f'<figure><svg width="{width}" height="{height}" role="img" aria-label="LSH probability curve">'
        f'<line x1="30" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" stroke="#888"/>'
        f'<line x1="30" y1="20" x2="30" y2="{height - 20}" stroke="#888"/>'
        f'<polyline points="{pts}" fill="none" stroke="#b54a4a" stroke-width="2"/>'
        f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="{height - 20}" stroke="#333" stroke-dasharray="4 3"/>'
        f'<text x="{tx + 4:.1f}" y="32" font-size="11">threshold {config.threshold}</text>'
        f'<text x="30" y="{height - 8}" font-size="10">0</text>'
        f'<text x="{width - 14}" y="{height - 8}" font-size="10">1</text>'
        f'<text x="26" y="24" font-size="10" text-anchor="end">1</text>'
        f'<text class="xlabel" x="{width / 2:.0f}" y="{height - 4}" font-size="11" text-anchor="middle">'
        f"Jaccard similarity of a pair</text>"
        f'<text class="ylabel" x="12" y="{height / 2:.0f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {height / 2:.0f})">P[candidate]</text>'
        f"</svg><figcaption>P[candidate] = 1 - (1 - J^{config.rows})^{config.bands}: "
        f"{config.bands} bands x {config.rows} rows</figcaption></figure>"
    )


def _id(value: Any) -> str:
    """A document id for the page, escaped and cut to ID_CHARS characters."""
    s = str(value)
    return html.escape(s if len(s) <= ID_CHARS else s[:ID_CHARS] + "…")


def _pair_html(p: dict[str, Any], config: Config) -> tuple[str, bool]:
    """One sample pair: its similarities, a flag when its exact Jaccard is
    under the threshold, the diff, and the two texts (cut to SHOWN_CHARS)
    with their shared shingles highlighted. Returns (html, flagged).

    Whatever the texts' size, the facts cost their shingle hashes and the
    section is at most a few hundred KB (SHOWN_CHARS of each text, the diff
    of DIFF_WORDS words within DIFF_CHARS characters, ids cut to ID_CHARS)."""
    ta, tb = p["kept_text"], p["text"]
    ha, hb = _hashes(ta, config), _hashes(tb, config)
    f = _facts(ha, hb, config)
    below = f["jaccard"] < config.threshold
    spans_a: list[tuple[int, int]] = []
    spans_b: list[tuple[int, int]] = []
    if config.unit == "word":
        spans_a = _window_spans(ta[:SHOWN_CHARS], len(ta) <= SHOWN_CHARS, hb, config.ngram)
        spans_b = _window_spans(tb[:SHOWN_CHARS], len(tb) <= SHOWN_CHARS, ha, config.ngram)
    del ha, hb
    flag = (f'<p class=flag>Exact Jaccard {f["jaccard"]:.3f} is below the threshold {config.threshold}: '
            f"dropped on the signature estimate ({f['estimate']:.3f}).</p>" if below else "")
    page = (
        f"<section class=pair{' flagged' if below else ''}><h3>{_id(p['id'])} dropped as a duplicate of "
        f"{_id(p['kept'])}</h3>{flag}"
        f"<p>exact Jaccard {f['jaccard']:.3f}, signature estimate {f['estimate']:.3f} "
        f"(decided on {'exact Jaccard' if config.verify == 'exact' else 'the estimate'}: {p['similarity']:.3f}); "
        f"{f['bands_shared']} of {config.bands} bands shared</p>"
        f"<p class=diff><b>Where they differ</b> (<del>only in the kept text</del>, <ins>only in the dropped "
        f"text</ins>): {diff_html(ta, tb)}</p><div class=side>"
        f"<pre>{excerpt(ta, spans_a, '<mark>', '</mark>', SHOWN_CHARS, html.escape)}</pre>"
        f"<pre>{excerpt(tb, spans_b, '<mark>', '</mark>', SHOWN_CHARS, html.escape)}</pre></div></section>"
    )
    return page, below


def html_report(
    stats: dict[str, int],
    clusters: list[dict[str, Any]],
    similarities: list[float],
    pairs: list[dict[str, Any]],
    config: Config,
    sizes: dict[int, int] | None = None,
    histogram: bool = False,
) -> str:
    """A self-contained page: summary, plots, largest clusters, sample pairs.

    ``pairs`` are dicts with ``kept`` and ``id`` (the kept and the dropped
    document's ids), ``kept_text``, ``text`` and ``similarity`` (what the run
    decided on), in the order to show them. ``sizes`` (cluster size ->
    clusters), when given, is the whole histogram and ``clusters`` need only
    hold the largest ones (with ``"size"`` set when ``"members"`` is cut
    short); with ``histogram``, ``similarities`` are the counts of the ten
    bins from the threshold to 1."""
    if sizes is None:
        sizes = {}
        for c in clusters:
            sizes[len(c["members"])] = sizes.get(len(c["members"]), 0) + 1
    for c in clusters:
        c.setdefault("size", len(c["members"]))
    size_bars = [(str(k), v) for k, v in sorted(sizes.items())]
    edges = np.linspace(config.threshold, 1.0, 11)
    if histogram:  # already counted, over these ten bins
        sim_hist = [int(c) for c in similarities] if sum(similarities) else []
    else:
        sim_hist = np.histogram(similarities, bins=edges)[0].tolist() if len(similarities) else []
    sim_bars = [(f"{edges[i]:.2f}", c) for i, c in enumerate(sim_hist)]
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v if isinstance(v, str) else format(v, ',')}</td></tr>"
        for k, v in stats.items()
    )
    biggest = sorted(clusters, key=lambda c: -c["size"])[:20]
    cl_rows = "".join(
        f"<tr><td>{_id(c['kept'])}</td><td>{c['size']}</td>"
        f"<td>{', '.join(map(_id, c['members'][1:6]))}{' ...' if c['size'] > 6 else ''}</td></tr>"
        for c in biggest
    )
    shown = [_pair_html(p, config) for p in pairs]
    flagged = sum(f for _, f in shown)
    decided = "exact Jaccard of the shingle sets" if config.verify == "exact" else "the signature estimate"
    flag_note = (
        f"<p class=flag>{flagged} of the {len(shown)} pairs shown have an exact Jaccard below the threshold: "
        "the signature estimate let them through. Rerun with <code>--verify exact</code> to decide exactly.</p>"
        if flagged else ""
    )
    sim_axis = "exact Jaccard" if config.verify == "exact" else "signature estimate"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dedup report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }}
pre {{ white-space: pre-wrap; background: #f7f7f7; padding: .6em; max-height: 30em; overflow: auto; }}
mark {{ background: #ffe08a; }} figure {{ display: inline-block; margin: 1em; }}
del {{ background: #fbd3d3; }} ins {{ background: #cdeccd; }} .flag {{ color: #a00; font-weight: bold; }}
.flagged {{ border-left: 4px solid #a00; padding-left: .8em; }}
</style></head><body>
<h1>dedup report</h1>
<h2>Summary</h2><table>{rows}</table>
<p>threshold {config.threshold}, {config.ngram}-gram {config.unit} shingles, {config.num_perm} values ({config.scheme}),
{config.bands} bands x {config.rows} rows, verification on {config.verify}: a candidate pair is a near-duplicate
when {decided} is at least the threshold.</p>
<h2>Plots</h2>
{_svg_bars(size_bars, "Cluster sizes", "documents in the cluster", "clusters")}
{_svg_bars(sim_bars, f"Similarity of each dropped document to its match ({sim_axis})", f"{sim_axis} (bin start)",
           "dropped documents")}
{_svg_curve(config)}
<h2>Largest clusters</h2><table><tr><th>kept</th><th>size</th><th>dropped (first five)</th></tr>{cl_rows}</table>
<h2>Sample pairs, borderline first</h2>
<p>Pairs drawn across the similarity range, those closest to the threshold first. Shared word shingles are
highlighted.</p>{flag_note}
{''.join(h for h, _ in shown) or '<p>No pairs.</p>'}
</body></html>
"""
