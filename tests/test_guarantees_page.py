"""docs/guarantees.md: every promise names a test, and every test it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "guarantees.md"


def test_every_test_the_guarantees_page_names_exists():
    ids = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", PAGE.read_text(encoding="utf-8"))
    assert len(ids) > 50
    missing = [f"{path}::{name}" for path, name in ids
               if not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.MULTILINE)]
    assert missing == []


def test_every_promise_names_a_test():
    text = PAGE.read_text(encoding="utf-8")
    bullets = re.split(r"\n(?=- )", text)
    untested = [b.splitlines()[0] for b in bullets[1:] if b.startswith("- ") and "`tests/" not in b
                and "Outputs are renamed" not in b]
    assert untested == []
