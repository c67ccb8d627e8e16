"""The dedup command's I/O overhead: the console script vs the library, same data.

    python benchmarks/cli.py --docs 20000 --seed 0

Writes the benchmark corpus (benchmarks/corpus.py) as JSON Lines, then times
``dedup documents in.jsonl --out out.jsonl --quiet --verify signature`` (a subprocess: start-up,
reading, JSON parsing, writing) against the shortest script a user would
write with the library for the same job (also a subprocess: read with
orjson, ``dedup.deduplicate``, write the kept lines), and against
``dedup.deduplicate`` on texts already in memory; and reports the command's
peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import load_corpus  # noqa: E402

import dedup  # noqa: E402


SCRIPT = """
import sys
import orjson
import dedup

src, out = sys.argv[1:3]
with open(src, "rb") as f, open(out, "wb") as g:
    lines = iter(f)
    rows = ((line, orjson.loads(line)) for line in lines if line.strip())
    for line, row in dedup.deduplicate(rows, text=lambda r: r[1]["text"]):
        g.write(line)
"""


SCRIPT_ON_DISK = """
import sys
import orjson
import dedup
src, out = sys.argv[1:3]
with dedup.OnDisk(dedup.Config(verify="signature")) as od:  # deduplicate's verification
    batch = []
    with open(src, "rb") as f:
        for line in f:
            if line.strip():
                batch.append(orjson.loads(line)["text"])
                if len(batch) == 1024:
                    od.add(batch)
                    batch = []
    od.add(batch)
    best = (b for _, chunk, _, _ in od.finish().chunks() for b in chunk.tolist())
    with open(src, "rb") as f, open(out, "wb") as g:
        for line in f:
            if line.strip() and next(best) < 0:
                g.write(line)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    texts = load_corpus(args.docs, args.seed).texts
    folder = Path(tempfile.mkdtemp())
    src = folder / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t, "source": "bench"}, ensure_ascii=False) + "\n")
    mb = src.stat().st_size / 1e6
    exe = shutil.which("dedup") or str(Path(sys.executable).parent / "dedup")
    cpu = str(min(os.sched_getaffinity(0)))
    subprocess.run(["taskset", "-c", cpu, exe, "documents", str(src), "--out", str(folder / "w.jsonl"), "--quiet", "--verify", "signature"], check=True)
    best_cli = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(["taskset", "-c", cpu, exe, "documents", str(src), "--out", str(folder / "out.jsonl"), "--quiet", "--verify", "signature"], check=True)
        best_cli = min(best_cli, time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3
    best_script = by_hand(SCRIPT, folder, src, cpu)
    best_disk = by_hand(SCRIPT_ON_DISK, folder, src, cpu)
    same = (folder / "hand.jsonl").read_bytes() == (folder / "out.jsonl").read_bytes()
    os.sched_setaffinity(0, {int(cpu)})
    list(dedup.deduplicate(texts[:100]))
    best_lib = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        kept = sum(1 for _ in dedup.deduplicate(texts))
        best_lib = min(best_lib, time.perf_counter() - t)
    out_rows = sum(1 for _ in open(folder / "out.jsonl", encoding="utf-8"))
    shutil.rmtree(folder)
    print(f"`python benchmarks/cli.py --docs {args.docs} --seed {args.seed}`: {mb:.1f} MB of JSON Lines, one core, best of 3")
    print()
    print("| run | seconds | MB/s | kept |")
    print("|---|---|---|---|")
    print(f"| `dedup documents in.jsonl --out out.jsonl --verify signature` | {best_cli:.2f} | {mb / best_cli:.1f} | {out_rows} |")
    print(f"| the same with the library by hand, in memory (`SCRIPT`) | {best_script:.2f} | {mb / best_script:.1f} | {kept} |")
    print(f"| the same with the library by hand, out of core (`SCRIPT_ON_DISK`) | {best_disk:.2f} | {mb / best_disk:.1f} "
          f"| {kept} |")
    print(f"| `dedup.deduplicate(texts)`, texts already in memory | {best_lib:.2f} | {mb / best_lib:.1f} | {kept} |")
    print()
    print(
        f"command / library-by-hand time: {best_cli / best_script:.2f} (in memory), {best_cli / best_disk:.2f} "
        f"(out of core, same output: {same}); command / in-memory library on texts: {best_cli / best_lib:.2f}; "
        f"peak RSS of the command: {peak:.0f} MB"
    )


def by_hand(script: str, folder: Path, src: Path, cpu: str) -> float:
    path = folder / "by_hand.py"
    path.write_text(script, encoding="utf-8")
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(["taskset", "-c", cpu, sys.executable, str(path), str(src), str(folder / "hand.jsonl")], check=True)
        best = min(best, time.perf_counter() - t)
    return best


if __name__ == "__main__":
    main()
