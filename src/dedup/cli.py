"""The ``dedup`` command: a thin shell over :func:`dedup.find_duplicates`.

    dedup FILE_OR_FOLDER... [--by file|line|paragraph] [--threshold 0.8] [--json]

Each ``.txt`` file (folders are searched for them) is a document, or with
``--by line`` / ``--by paragraph`` each non-blank line / blank-line-separated
paragraph is. Prints the clusters found, or JSON lines with ``--json``.
Exit codes: 0 done, 1 bad data (an unreadable or non-UTF-8 file), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .config import SCHEMES, UNITS, VERIFY, Config


def _documents(paths: list[str], by: str) -> tuple[list[str], list[str]]:
    """(labels, texts): a label says where a document came from (file:line)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.rglob("*.txt")))
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    labels, texts = [], []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"{f}: not UTF-8 text ({e.reason} at byte {e.start})") from None
        if by == "file":
            labels.append(str(f))
            texts.append(text)
            continue
        sep = r"\n" if by == "line" else r"\n[ \t\r\f\v]*\n"
        start = 0
        for m in [*re.finditer(sep, text), None]:
            end = m.start() if m else len(text)
            chunk = text[start:end]
            if chunk.strip():
                labels.append(f"{f}:{text.count(chr(10), 0, start) + 1}")
                texts.append(chunk.strip())
            start = m.end() if m else len(text)
    return labels, texts


def main(argv: list[str] | None = None) -> int:
    from . import __version__
    from .documents import find_duplicates

    d = Config()
    ap = argparse.ArgumentParser(prog="dedup", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help=".txt files or folders holding them")
    ap.add_argument("--by", choices=("file", "line", "paragraph"), default="file",
                    help="what one document is (default: a file)")
    ap.add_argument("--threshold", type=float, default=d.threshold, help="Jaccard threshold (default %(default)s)")
    ap.add_argument("--ngram", type=int, default=d.ngram, help="shingle size (default %(default)s)")
    ap.add_argument("--unit", choices=UNITS, default=d.unit, help="shingle unit (default %(default)s)")
    ap.add_argument("--num-perm", type=int, default=d.num_perm, help="signature length (default %(default)s)")
    ap.add_argument("--scheme", choices=SCHEMES, default=d.scheme, help="signature scheme (default %(default)s)")
    ap.add_argument("--verify", choices=VERIFY, default=d.verify, help="candidate check (default %(default)s)")
    ap.add_argument("--keep", choices=("first", "longest"), default="first", help="which copy to keep")
    ap.add_argument("--seed", type=int, default=d.seed, help="hash seed (default %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per cluster")
    ap.add_argument("--version", action="version", version=f"dedup {__version__}")
    args = ap.parse_args(argv)
    try:
        config = Config(
            threshold=args.threshold, num_perm=args.num_perm, ngram=args.ngram, unit=args.unit,
            scheme=args.scheme, seed=args.seed, verify=args.verify,
        )
    except ValueError as e:
        ap.error(str(e))
    try:
        labels, texts = _documents(args.paths, args.by)
    except (OSError, ValueError) as e:
        print(f"dedup: {e}", file=sys.stderr)
        return 1
    result = find_duplicates(texts, keep=args.keep, config=config)
    if args.json:
        for cid, members in enumerate(result.clusters):
            print(json.dumps({
                "cluster": cid,
                "kept": labels[members[0]],
                "members": [labels[i] for i in members],
                "similarity": {labels[i]: round(result.matches[i].similarity, 4) for i in members[1:]},
            }, ensure_ascii=False))
        return 0
    print(
        f"{len(texts)} documents ({args.by}s), {len(result.clusters)} clusters, "
        f"{len(result.duplicates)} duplicates to drop "
        f"(threshold {config.threshold}, {config.bands} bands x {config.rows} rows)"
    )
    for members in result.clusters:
        head = texts[members[0]]
        print(f"\nkeep {labels[members[0]]}: {head[:70]!r}{'...' if len(head) > 70 else ''}")
        for i in members[1:]:
            print(f"  drop {labels[i]} (similarity {result.matches[i].similarity:.3f})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
