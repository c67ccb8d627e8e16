"""The persistent index: dedup on SQLite vs datasketch's MinHashLSH on Redis.

    pip install -e '.[bench]' redis && apt-get install redis-server
    python benchmarks/index.py --docs 100000 --big 1000000

One process, one core. Synthetic pages (about 80 words, 10% near-copies of
an earlier page with the last word changed) arrive in batches of 1,000; each
page is checked and added, as a crawler does. dedup: ``Index(path=...)``
with ``add_many`` (one transaction per batch, durable on return).
datasketch: ``MinHash.bulk`` on the same shingles, then per page
``MinHashLSH.query`` and, if new or not, ``insert`` through an insertion
session, on a redis-server started on 127.0.0.1 (no persistence configured,
which favours it). Then query latency (single pages, p50/p99) and bytes per
document (dedup: the database file; Redis: used_memory).
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import dedup  # noqa: E402
from dedup.shingling import shingles  # noqa: E402

BATCH = 1000
HERE = Path(__file__).resolve().parent


def pages(n: int, seed: int = 0):
    """Batches of (key, text): ~80 words from 20,000, 10% near-copies."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}é" if i % 7 == 0 else f"w{i}" for i in range(20000)], dtype=object)
    made: list[np.ndarray] = []
    for lo in range(0, n, BATCH):
        batch = []
        for i in range(lo, min(lo + BATCH, n)):
            if made and rng.random() < 0.1:
                words = made[int(rng.integers(len(made)))].copy()
                words[-1] = "updated"
            else:
                words = vocab[rng.integers(0, len(vocab), 80)]
                if len(made) < 5000:
                    made.append(words)
                else:
                    made[int(rng.integers(len(made)))] = words
            batch.append((f"https://example.org/{i}", " ".join(words)))
        yield batch


def run_dedup(n: int, folder: Path):
    path = folder / "index.db"
    rates, new = [], 0
    t_all = time.perf_counter()
    with dedup.Index(path=path) as ix:
        seg, t_seg, done = max(1, n // 10), time.perf_counter(), 0
        for batch in pages(n):
            new += sum(m is None for m in ix.add_many(batch))
            done += len(batch)
            if done % seg == 0:
                rates.append(seg / (time.perf_counter() - t_seg))
                t_seg = time.perf_counter()
        total = time.perf_counter() - t_all
        lat = []
        probe = next(pages(2000, seed=1))
        for _, text in probe[:1000]:
            t = time.perf_counter()
            ix.query(text)
            lat.append(time.perf_counter() - t)
        size = ix.nbytes
    return {"docs_per_s": n / total, "rates": rates, "new": new, "lat": lat, "bytes_per_doc": size / n}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_datasketch(n: int, folder: Path):
    from datasketch import MinHash, MinHashLSH
    import redis

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        lsh = MinHashLSH(
            threshold=0.8, num_perm=128,
            storage_config={"type": "redis", "basename": b"bench", "redis": {"host": "127.0.0.1", "port": port}},
        )
        new = 0
        t_all = time.perf_counter()
        for batch in pages(n):
            mhs = MinHash.bulk(
                [[" ".join(s).encode("utf-8") for s in shingles(text)] for _, text in batch], num_perm=128
            )
            with lsh.insertion_session() as session:
                for (key, _), m in zip(batch, mhs):
                    if not lsh.query(m):
                        new += 1
                    session.insert(key, m)
        total = time.perf_counter() - t_all
        lat = []
        probe = next(pages(2000, seed=1))
        for _, text in probe[:1000]:
            t = time.perf_counter()
            m = MinHash(num_perm=128)
            m.update_batch([" ".join(s).encode("utf-8") for s in shingles(text)])
            lsh.query(m)
            lat.append(time.perf_counter() - t)
        used = int(client.info("memory")["used_memory"])
    finally:
        server.terminate()
        server.wait()
    return {"docs_per_s": n / total, "new": new, "lat": lat, "bytes_per_doc": used / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100000)
    ap.add_argument("--big", type=int, default=1000000, help="documents for dedup alone (0 to skip)")
    args = ap.parse_args()
    dedup.Index(path=Path(tempfile.mkdtemp()) / "warm.db").add("k", "warm up the kernels")
    rows = {}
    for name, fn in (("dedup (SQLite)", run_dedup), ("datasketch (Redis)", run_datasketch)):
        folder = Path(tempfile.mkdtemp())
        try:
            rows[name] = fn(args.docs, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    base = rows["dedup (SQLite)"]["docs_per_s"]
    lines = [
        f"`python benchmarks/index.py --docs {args.docs} --big {args.big}`: one core, pages of ~80 words, "
        f"10% near-copies, batches of {BATCH}",
        "",
        "| index | add docs/s | dedup speed-up | accepted as new | query p50 ms | query p99 ms | bytes/doc |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        lat = np.array(r["lat"]) * 1000
        lines.append(
            f"| {name} | {r['docs_per_s']:.0f} | {base / r['docs_per_s']:.1f}x | {r['new']} | "
            f"{np.percentile(lat, 50):.2f} | {np.percentile(lat, 99):.2f} | {r['bytes_per_doc']:.0f} |"
        )
    if args.big:
        folder = Path(tempfile.mkdtemp())
        try:
            big = run_dedup(args.big, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        r = big["rates"]
        lines += [
            "",
            f"dedup alone, {args.big} documents: {big['docs_per_s']:.0f} docs/s overall; per tenth: "
            + ", ".join(f"{x:.0f}" for x in r)
            + f"; last tenth / first tenth = {r[-1] / r[0]:.2f}; {big['bytes_per_doc']:.0f} bytes/doc on disk",
        ]
    print("\n".join(lines))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"index-{args.docs}-{args.big}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
