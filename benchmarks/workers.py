"""dedup on several workers: the speed-up over one worker, end to end and
per stage, and how the mechanisms compare.

    python benchmarks/workers.py                       # every stage, workers 1 and 2
    python benchmarks/workers.py --workers 1 2 3 4     # a scaling curve
    python benchmarks/workers.py --texts FILE.json     # documents from a JSON list of texts (or {"texts": [...]})
    python benchmarks/workers.py --mechanisms          # threads against processes and numba's parallel=True

Documents: ``benchmarks/run.py``'s synthetic corpus (``--docs``, seed 0),
or the texts of ``--texts``. Paragraph passes: ``benchmarks/scraped.py``'s
articles (``--articles``, seed 3). Each figure is the best wall time of
``--runs`` rounds, the worker counts interleaved in each round so that a
slow spell of a shared machine hits all alike (the garbage collector off
while timed, as timeit does), with the CPU time of that run (user + system,
all threads: it shows whether the threads ran at once) and the load average
of the machine when it ran. Every run's output is checked to be identical
to one worker's.

``--mechanisms`` times the signature stage (encode the texts, then shingle
and sign) and the repeated-paragraph pass three ways: threads over the
kernels that release the GIL (what dedup does), processes (``fork``, the
cheapest start: workers inherit the texts, pieces travel as indices and
results come back pickled; with ``spawn``, the default on macOS and
Windows, each would also pickle its texts and start an interpreter), and a
numba ``parallel=True`` kernel with ``prange`` over the pieces (the texts
encoded first, on one core); with the first-call compile time of that
kernel against the plain one, in a fresh numba cache.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CORES = os.sched_getaffinity(0)  # run.py and paragraphs.py pin their process to one core when imported

import dedup
from dedup._engine import signatures
from dedup._engine.candidates import candidate_pairs
from dedup._engine.verify import exact_for_texts
from dedup._engine.workers import available_cores, run, text_pieces
from dedup.config import Config
from dedup.documents import BATCH_CHARS, BATCH_DOCS

CFG = Config()


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def timed(fn):
    gc.collect()
    gc.disable()
    try:
        w, c = time.perf_counter(), cpu()
        out = fn()
        return time.perf_counter() - w, cpu() - c, out
    finally:
        gc.enable()


def best_of(fns: dict, runs: int, same=lambda a, b: a == b) -> dict:
    """{key: (wall, cpu, load)} of the fastest of ``runs`` runs of each
    function, runs interleaved; every output equal to the first key's."""
    best: dict = {}
    ref = None
    for _ in range(runs):
        for key, fn in fns.items():
            wall, c, out = timed(fn)
            if ref is None:
                ref = out
            elif not same(out, ref):
                raise AssertionError(f"{key}: output differs from {next(iter(fns))}'s")
            del out
            if key not in best or wall < best[key][0]:
                best[key] = (wall, c, os.getloadavg()[0])
    return best


def row(label: str, mb: float, best: dict, keys: list) -> str:
    base = best[keys[0]][0]
    cells = [f"{mb / best[k][0]:.1f} MB/s ({best[k][0]:.2f} s, CPU {best[k][1]:.2f} s, load {best[k][2]:.1f})"
             + ("" if k == keys[0] else f", **{base / best[k][0]:.2f}x**") for k in keys]
    return f"| {label} | " + " | ".join(cells) + " |"


def header(first: str, keys: list) -> list[str]:
    return [f"| {first} | " + " | ".join(str(k) for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]


def result_of(r: dedup.DedupResult):
    return r.clusters, r.duplicates, {k: tuple(v) for k, v in r.matches.items()}


def mb_of(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6


# ------------------------------------------------------------------ corpora


def load_documents(args) -> tuple[str, list[str]]:
    if args.texts:
        data = json.loads(Path(args.texts).read_text(encoding="utf-8"))
        return f"the texts of {args.texts}", data["texts"] if isinstance(data, dict) else data
    from run import load_corpus

    os.sched_setaffinity(0, CORES)
    return f"benchmarks/run.py's synthetic corpus ({args.docs} documents, seed 0)", load_corpus(args.docs, 0).texts


def load_articles(n: int) -> list[str]:
    cache = HERE / ".cache" / f"articles-{n}-3.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from scraped import make_articles

    texts = [a.text for a in make_articles(n, 3)]
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(pickle.dumps(texts))
    return texts


# ------------------------------------------------------------------ stages


def sign(texts: list[str], w: int):
    """The signature stage of find_duplicates (encode, shingle, sign)."""
    sig = np.empty((len(texts), CFG.num_perm), dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int64)

    def one(lo: int, hi: int) -> None:
        sig[lo:hi], counts[lo:hi] = signatures.compute(texts[lo:hi], CFG)

    run(one, text_pieces(texts, w, BATCH_DOCS, BATCH_CHARS), w)
    return sig, counts


def same_arrays(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def documents(texts: list[str], ws: list[int], runs: int) -> list[str]:
    mb = mb_of(texts)
    sig, counts = sign(texts, 1)
    doc, other = candidate_pairs(sig, counts, CFG, filtered=True)
    del sig, counts
    lines = header("stage", ws)
    for label, make, same in [
        ("find_duplicates, end to end (exact verification)",
         lambda w: lambda: result_of(dedup.find_duplicates(texts, workers=w)), None),
        ("find_duplicates, end to end (verify=\"signature\")",
         lambda w: lambda: result_of(dedup.find_duplicates(texts, verify="signature", workers=w)), None),
        ("shingling and signatures", lambda w: lambda: sign(texts, w), same_arrays),
        (f"exact verification ({len(doc)} candidate pairs)",
         lambda w: lambda: exact_for_texts(texts, doc, other, CFG.ngram, CFG.unit, w), np.array_equal),
        ("OnDisk (the command's path): add by 1,024, finish", lambda w: lambda: ondisk(texts, w), same_arrays),
        ("Index.add_many, by 1,024", lambda w: lambda: index(texts, w), None),
    ]:
        kw = {} if same is None else {"same": same}
        best = best_of({w: make(w) for w in ws}, runs, **kw)
        lines.append(row(label, mb, best, ws))
        print(lines[-1], flush=True)
    return lines


def ondisk(texts: list[str], w: int):
    with dedup.OnDisk(CFG, workers=w) as od:
        for lo in range(0, len(texts), 1024):
            od.add(texts[lo : lo + 1024])
        return od.finish().arrays()


def index(texts: list[str], w: int):
    ix = dedup.Index()
    out = []
    for lo in range(0, len(texts), 1024):
        out += ix.add_many(((i, texts[i]) for i in range(lo, min(lo + 1024, len(texts)))), workers=w)
    return out


def paragraphs(texts: list[str], ws: list[int], runs: int) -> list[str]:
    mb = mb_of(texts)
    bp = dedup.find_boilerplate(texts, min_docs=3)
    lines = header("pass", ws)
    for label, make in [
        ("repeated paragraphs (find_repeats)", lambda w: lambda: dedup.find_repeats(texts, workers=w)),
        ("boilerplate: learn (find_boilerplate)",
         lambda w: lambda: dedup.find_boilerplate(texts, min_docs=3, workers=w).templates),
        ("boilerplate: strip (Boilerplate.strip)", lambda w: lambda: list(bp.strip(texts, workers=w))),
        ("paragraphs seen in an earlier document (find_shared_paragraphs)",
         lambda w: lambda: dedup.find_shared_paragraphs(texts, workers=w)),
    ]:
        best = best_of({w: make(w) for w in ws}, runs)
        lines.append(row(label, mb, best, ws))
        print(lines[-1], flush=True)
    return lines


# ------------------------------------------------------------------ mechanisms

_TEXTS: list[str] = []


def _sign_piece(lo: int, hi: int):
    return signatures.compute(_TEXTS[lo:hi], CFG)


def _repeats_piece(lo: int, hi: int):
    return dedup.find_repeats(_TEXTS[lo:hi], workers=1)


def by_processes(texts: list[str], w: int, piece, pieces):
    """``piece(lo, hi)`` of each piece on ``w`` forked processes (started and
    stopped in the call, as a call of the library would have to)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _TEXTS
    _TEXTS = texts
    with ProcessPoolExecutor(w, mp_context=multiprocessing.get_context("fork")) as ex:
        return list(ex.map(piece, [lo for lo, _ in pieces], [hi for _, hi in pieces]))


PRANGE = '''
from numba import njit, prange
from dedup._kernels.signatures import signatures_nb

@njit(parallel=True, cache=True)
def sign_prange(buf, starts, ends, flags, moff, mlen, mdata, amap, raw, n, char_mode, scheme, seed, a, b, bounds,
                sig, counts):
    for p in prange(bounds.shape[0] - 1):
        lo, hi = bounds[p], bounds[p + 1]
        signatures_nb(buf, starts[lo:hi], ends[lo:hi], flags, moff, mlen, mdata, amap, raw, n, char_mode, scheme,
                      seed, a, b, sig[lo:hi], counts[lo:hi])
'''


def prange_kernel(folder: Path):
    (folder / "prange_sign.py").write_text(PRANGE)
    sys.path.insert(0, str(folder))
    import prange_sign

    return prange_sign.sign_prange


def by_prange(kernel, texts: list[str], w: int, pieces):
    import numba

    from dedup._engine.scanner import Scanner
    from dedup._kernels.signatures import permutations

    numba.set_num_threads(w)
    scanner = Scanner(texts)  # one buffer: encoded on one core
    sig = np.empty((len(texts), CFG.num_perm), dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int64)
    bounds = np.array([lo for lo, _ in pieces] + [len(texts)], dtype=np.int64)
    a, b = permutations(CFG)
    kernel(*scanner.args(), CFG.ngram, CFG.unit == "char", 0, CFG.seed, a, b, bounds, sig, counts)
    return sig, counts


COMPILE = '''
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from dedup._engine.scanner import Scanner
from dedup._kernels.signatures import permutations, signatures_nb
from dedup.config import Config
cfg = Config()
scanner = Scanner(["a few words to sign here and there"])
a, b = permutations(cfg)
sig, counts = np.empty((1, 128), np.uint32), np.zeros(1, np.int64)
t = time.perf_counter()
signatures_nb(*scanner.args(), 5, False, 0, 1, a, b, sig, counts)
plain = time.perf_counter() - t
from prange_sign import sign_prange
t = time.perf_counter()
sign_prange(*scanner.args(), 5, False, 0, 1, a, b, np.array([0, 1]), sig, counts)
print(plain, time.perf_counter() - t)
'''


def mechanisms(texts: list[str], articles: list[str], ws: list[int], runs: int) -> list[str]:
    out = []
    many = max(ws)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        kernel = prange_kernel(folder)
        (folder / "compile.py").write_text(COMPILE)
        plain, parallel = map(float, subprocess.run(
            [sys.executable, str(folder / "compile.py"), str(folder)], capture_output=True, text=True, check=True,
            env={**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}).stdout.split())
        kernel(*_tiny_args(), np.array([0, 1]), np.empty((1, CFG.num_perm), np.uint32), np.zeros(1, np.int64))

        def joined_sigs(parts):
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

        def joined_cuts(parts):
            return [c for part in parts for c in part]

        sign_pieces = text_pieces(texts, many, BATCH_DOCS, BATCH_CHARS)
        para_pieces = text_pieces(articles, many, max(1, len(articles)), sys.maxsize)
        for label, data, fns, same in [
            ("shingling and signatures", texts, {
                "one worker": lambda: sign(texts, 1),
                f"threads ({many})": lambda: sign(texts, many),
                f"processes, fork ({many})": lambda: joined_sigs(by_processes(texts, many, _sign_piece, sign_pieces)),
                f"numba parallel=True ({many})": lambda: by_prange(kernel, texts, many, sign_pieces),
            }, same_arrays),
            ("repeated paragraphs (find_repeats)", articles, {
                "one worker": lambda: dedup.find_repeats(articles, workers=1),
                f"threads ({many})": lambda: dedup.find_repeats(articles, workers=many),
                f"processes, fork ({many})": lambda: joined_cuts(
                    by_processes(articles, many, _repeats_piece, para_pieces)),
            }, None),
        ]:
            best = best_of(fns, runs, **({} if same is None else {"same": same}))
            keys = list(fns)
            out += [*header("mechanism", keys), row(label, mb_of(data), best, keys), ""]
            print("\n".join(out[-4:-1]), flush=True)
        out.append(f"First call in a fresh numba cache: the plain signature kernel {plain:.2f} s; "
                   f"the parallel=True kernel over it, {parallel:.2f} s more.")
    return out


def _tiny_args():
    from dedup._engine.scanner import Scanner
    from dedup._kernels.signatures import permutations

    a, b = permutations(CFG)
    return (*Scanner(["warm up"]).args(), CFG.ngram, False, 0, CFG.seed, a, b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--texts", help="a JSON file: a list of texts, or an object whose 'texts' is one")
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=["documents", "paragraphs"])
    ap.add_argument("--mechanisms", action="store_true")
    args = ap.parse_args()
    ws = sorted(set(args.workers))
    what, texts = load_documents(args)
    articles = load_articles(args.articles)
    dedup.find_duplicates(texts[:200])  # load the kernels
    dedup.find_boilerplate(articles[:200])
    cmd = "python benchmarks/workers.py " + " ".join(sys.argv[1:])
    lines = [(f"`{cmd}`: {os.cpu_count()} cores ({available_cores()} available), best of {args.runs} runs "
              "interleaved; wall time, CPU time of all threads, load average"), ""]
    if args.only != "paragraphs":
        lines += [f"Documents: {what}, {mb_of(texts):.1f} MB.", "", *documents(texts, ws, args.runs), ""]
    if args.only != "documents":
        lines += [(f"Paragraph passes: {len(articles)} scraped articles (benchmarks/scraped.py, seed 3), "
                   f"{mb_of(articles):.1f} MB."), "", *paragraphs(articles, ws, args.runs), ""]
    if args.mechanisms:
        lines += ["Mechanisms:", "", *mechanisms(texts, articles, ws, args.runs)]
    print("\n".join(lines))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "workers.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
