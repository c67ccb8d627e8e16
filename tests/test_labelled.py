"""Labelled pairs kept as data (tests/data/pairs.json)."""

import json
from pathlib import Path

import pytest

import dedup

DATA = json.loads((Path(__file__).parent / "data" / "pairs.json").read_text(encoding="utf-8"))


def matched(case, verify):
    r = dedup.find_duplicates([case["a"], case["b"]], threshold=DATA["threshold"], verify=verify)
    return r.duplicates == [1]


@pytest.mark.parametrize("verify", ["exact", "signature"])
@pytest.mark.parametrize("case", DATA["must_match"], ids=lambda c: c["why"])
def test_must_match(case, verify):
    assert matched(case, verify)


@pytest.mark.parametrize("verify", ["exact", "signature"])
@pytest.mark.parametrize("case", DATA["must_not_match"], ids=lambda c: c["why"])
def test_must_not_match(case, verify):
    assert not matched(case, verify)


@pytest.mark.xfail(strict=True, reason="word 5-gram Jaccard of a short text with a word changed is ~0.23")
@pytest.mark.parametrize("case", DATA["known_misses"], ids=lambda c: c["why"])
def test_known_misses(case):
    assert matched(case, "exact")


@pytest.mark.parametrize("case", DATA["known_misses"], ids=lambda c: c["why"])
def test_known_misses_are_found_with_char_3grams_at_0_75(case):
    r = dedup.find_duplicates([case["a"], case["b"]], threshold=0.75, unit="char", ngram=3)
    assert r.duplicates == [1]
