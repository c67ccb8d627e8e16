"""Why two documents matched, and a self-contained HTML report of a run."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from .config import Config
from .lsh import candidate_probability

_TOKEN = re.compile(r"\w+")


def _token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised token) for each ``\\w+`` run of ``text``.

    Normalisation is per token here (for display); the shingles themselves
    follow :func:`dedup.shingling.shingles`.
    """
    from .shingling import normalize

    return [(m.start(), m.end(), normalize(m.group())) for m in _TOKEN.finditer(text)]


def explain(a: str, b: str, config: Config | None = None) -> dict[str, Any]:
    """Why ``a`` and ``b`` match, or not.

    Returns the exact Jaccard similarity of their shingle sets, the signature
    estimate, how many LSH bands they share (and the probability of sharing
    one at their similarity), and for each text the character spans covered
    by shared shingles (word shingles only; empty for ``unit="char"``).

    >>> r = explain("the cat sat on the mat today", "The cat sat on the mat, yesterday")
    >>> round(r["jaccard"], 2), r["shared_shingles"], r["spans_a"]
    (0.5, 2, [(0, 22)])
    """
    from . import signatures
    from .shingling import shingles

    cfg = config or Config()
    sa, sb = shingles(a, cfg.ngram, cfg.unit), shingles(b, cfg.ngram, cfg.unit)
    shared = sa & sb
    union = sa | sb
    jac = len(shared) / len(union) if union else 0.0
    sig, _ = signatures.compute([a, b], cfg)
    est = float((sig[0] == sig[1]).mean())
    r = cfg.rows
    bands = int(sum((sig[0][i * r : (i + 1) * r] == sig[1][i * r : (i + 1) * r]).all() for i in range(cfg.bands)))
    out = {
        "jaccard": jac,
        "estimate": est,
        "shared_shingles": len(shared),
        "shingles_a": len(sa),
        "shingles_b": len(sb),
        "bands_shared": bands,
        "bands": cfg.bands,
        "candidate_probability": candidate_probability(jac, cfg.bands, cfg.rows),
        "match": jac >= cfg.threshold,
        "threshold": cfg.threshold,
        "spans_a": [],
        "spans_b": [],
    }
    if cfg.unit == "word":
        out["spans_a"] = _shared_spans(a, shared, cfg.ngram)
        out["spans_b"] = _shared_spans(b, shared, cfg.ngram)
    return out


def _shared_spans(text: str, shared: set, n: int) -> list[tuple[int, int]]:
    toks = _token_spans(text)
    words = [t for _, _, t in toks]
    covered = [False] * len(toks)
    if len(words) < n:
        if tuple(words) in shared:
            covered = [True] * len(toks)
    else:
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) in shared:
                for j in range(i, i + n):
                    covered[j] = True
    spans: list[tuple[int, int]] = []
    for (s, e, _), c in zip(toks, covered):
        if not c:
            continue
        if spans and not text[spans[-1][1] : s].strip(" \t\r\n.,;:!?\"'“”‘’«»—–-()"):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def marked(text: str, spans: list[tuple[int, int]], before: str, after: str, escape=lambda s: s) -> str:
    out, pos = [], 0
    for s, e in spans:
        out += [escape(text[pos:s]), before, escape(text[s:e]), after]
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


# ------------------------------------------------------------------ HTML


def _svg_bars(counts: list[tuple[str, int]], title: str, width: int = 520, height: int = 180) -> str:
    if not counts:
        return f"<p><b>{html.escape(title)}</b>: nothing to plot</p>"
    top = max(c for _, c in counts) or 1
    bw = (width - 40) / len(counts)
    bars = []
    for i, (label, c) in enumerate(counts):
        h = (height - 40) * c / top
        x = 30 + i * bw
        bars.append(
            f'<rect x="{x:.1f}" y="{height - 20 - h:.1f}" width="{bw * 0.85:.1f}" height="{h:.1f}" fill="#4a78b5">'
            f"<title>{html.escape(label)}: {c}</title></rect>"
            f'<text x="{x + bw * 0.42:.1f}" y="{height - 6}" font-size="9" text-anchor="middle">{html.escape(label)}</text>'
        )
    return (
        f'<figure><svg width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">'
        f'<line x1="28" y1="{height - 20}" x2="{width}" y2="{height - 20}" stroke="#888"/>'
        + "".join(bars)
        + f"</svg><figcaption>{html.escape(title)} (highest bar: {top})</figcaption></figure>"
    )


def _svg_curve(config: Config, width: int = 520, height: int = 200) -> str:
    xs = np.linspace(0, 1, 101)
    ys = [candidate_probability(float(x), config.bands, config.rows) for x in xs]
    pts = " ".join(f"{30 + x * (width - 40):.1f},{height - 20 - y * (height - 40):.1f}" for x, y in zip(xs, ys))
    tx = 30 + config.threshold * (width - 40)
    return (
        f'<figure><svg width="{width}" height="{height}" role="img" aria-label="LSH probability curve">'
        f'<line x1="30" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" stroke="#888"/>'
        f'<line x1="30" y1="20" x2="30" y2="{height - 20}" stroke="#888"/>'
        f'<polyline points="{pts}" fill="none" stroke="#b54a4a" stroke-width="2"/>'
        f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="{height - 20}" stroke="#333" stroke-dasharray="4 3"/>'
        f'<text x="{tx + 4:.1f}" y="32" font-size="11">threshold {config.threshold}</text>'
        f'<text x="30" y="{height - 4}" font-size="10">Jaccard 0</text>'
        f'<text x="{width - 60}" y="{height - 4}" font-size="10">1</text>'
        f"</svg><figcaption>P[candidate] = 1 - (1 - J^{config.rows})^{config.bands}: "
        f"{config.bands} bands x {config.rows} rows</figcaption></figure>"
    )


def html_report(
    stats: dict[str, int],
    clusters: list[dict[str, Any]],
    similarities: list[float],
    pairs: list[tuple[Any, str, Any, str]],
    config: Config,
    sizes: dict[int, int] | None = None,
    histogram: bool = False,
) -> str:
    """A self-contained page: summary, plots, largest clusters, highlighted pairs.

    ``sizes`` (cluster size -> clusters), when given, is the whole histogram
    and ``clusters`` need only hold the largest ones (with ``"size"`` set when
    ``"members"`` is cut short); with ``histogram``, ``similarities`` are the
    counts of the ten bins from the threshold to 1."""
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
        f"<tr><td>{html.escape(k)}</td><td>{v:,}</td></tr>" for k, v in stats.items()
    )
    biggest = sorted(clusters, key=lambda c: -c["size"])[:20]
    cl_rows = "".join(
        f"<tr><td>{html.escape(str(c['kept']))}</td><td>{c['size']}</td>"
        f"<td>{html.escape(', '.join(map(str, c['members'][1:6])))}{' ...' if c['size'] > 6 else ''}</td></tr>"
        for c in biggest
    )
    pair_html = []
    for ka, ta, kb, tb in pairs:
        r = explain(ta, tb, config)
        pair_html.append(
            f"<section class=pair><h3>{html.escape(str(kb))} duplicates {html.escape(str(ka))}</h3>"
            f"<p>Jaccard {r['jaccard']:.3f} (estimate {r['estimate']:.3f}); {r['shared_shingles']} shared shingles; "
            f"{r['bands_shared']} of {r['bands']} bands shared</p><div class=side>"
            f"<pre>{marked(ta, r['spans_a'], '<mark>', '</mark>', html.escape)}</pre>"
            f"<pre>{marked(tb, r['spans_b'], '<mark>', '</mark>', html.escape)}</pre></div></section>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dedup report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }}
pre {{ white-space: pre-wrap; background: #f7f7f7; padding: .6em; max-height: 30em; overflow: auto; }}
mark {{ background: #ffe08a; }} figure {{ display: inline-block; margin: 1em; }}
</style></head><body>
<h1>dedup report</h1>
<h2>Summary</h2><table>{rows}</table>
<p>threshold {config.threshold}, {config.ngram}-gram {config.unit} shingles, {config.num_perm} values ({config.scheme}),
{config.bands} bands x {config.rows} rows, verification on {config.verify}</p>
<h2>Plots</h2>
{_svg_bars(size_bars, "Cluster sizes (documents per cluster)")}
{_svg_bars(sim_bars, "Similarity of matched pairs")}
{_svg_curve(config)}
<h2>Largest clusters</h2><table><tr><th>kept</th><th>size</th><th>dropped (first five)</th></tr>{cl_rows}</table>
<h2>Why they matched</h2><p>Shared word shingles are highlighted.</p>
{''.join(pair_html) or '<p>No pairs.</p>'}
</body></html>
"""
