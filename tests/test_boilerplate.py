import json
from pathlib import Path

import pytest

import dedup

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_ef7bace14a8e43ce.txt").read_text(encoding="utf-8")
STORIES = [
    "The president met the prime minister to discuss trade and energy policy.",
    "Officials said the new bridge would open to traffic next spring after delays.",
    "Heavy rain flooded several roads in the north of the country overnight.",
    "The central bank kept interest rates unchanged at its meeting on Thursday.",
    "Scientists reported a new species of frog found in the rainforest.",
]


def corpus():
    """Ten stories from one source (its own credit line on most, an agency's
    on three) and the seed."""
    docs = []
    for i in range(10):
        agency = ["Reuters", "AP", "AFP"][i // 4] if i % 4 == 0 else "The White House"
        docs.append(f"Mandatory credit: {agency}\nStory {i}: {STORIES[i % 5]}\n"
                    f"© {2019 + i // 4} Example News. All rights reserved.")
    return docs + [SEED]


def test_credit_line_of_the_seed_is_reported_as_one_template():
    docs = corpus()
    bp = dedup.find_boilerplate(docs, min_docs=3)
    texts = {t.text: t for t in bp.templates}
    credit = texts["Mandatory credit: *"]
    assert credit.docs == 11
    assert {v for v, _ in credit.variants} == {
        "Mandatory credit: The White House", "Mandatory credit: Reuters", "Mandatory credit: AP", "Mandatory credit: AFP",
    }
    assert dict(credit.variants)["Mandatory credit: The White House"] == 8  # seven stories and the seed
    assert [d for d, _, _ in credit.examples] == [0, 1, 2, 3, 4]  # where it was seen, in corpus order
    # a number is meaning: each year's footer is a line of its own, boilerplate where it recurs
    footer = sorted((t.text[2:6], t.docs) for t in bp.templates if "All rights reserved" in t.text)
    assert footer == [("2019", 4), ("2020", 4)]  # 2021 is on two documents only
    # no story line is boilerplate: the credit line and the two footers are all there is
    assert len(bp.templates) == 3
    assert not any(s in v for t in bp.templates for v, _ in t.variants for s in STORIES)


def test_strip_policies_and_annotations():
    bp = dedup.find_boilerplate(corpus(), min_docs=3)
    stripped = dedup.strip_boilerplate(SEED, bp)
    assert "Mandatory credit" not in stripped and stripped.startswith("White House National Security")
    (cuts,) = bp.find([SEED])
    assert [SEED[c.start : c.end] for c in cuts] == ["Mandatory credit: The White House"] * 2
    assert all(c.kind == "boilerplate" and c.match == "Mandatory credit: *" and c.exact for c in cuts)
    first = dedup.strip_boilerplate(SEED, bp, keep_first=True)
    assert first.count("Mandatory credit") == 1 and first.startswith("Mandatory credit")
    seen = set()
    a = dedup.strip_boilerplate("Mandatory credit: AP\nOne.", bp, keep_first=True, seen=seen)
    b = dedup.strip_boilerplate("Mandatory credit: Getty Images\nTwo.", bp, keep_first=True, seen=seen)
    assert (a, b) == ("Mandatory credit: AP\nOne.", "Two.")  # a new variant of the template goes too
    assert list(bp.strip(["Mandatory credit: AP\nOne.", "Mandatory credit: AP\nTwo."], keep_first=True)) == [
        "Mandatory credit: AP\nOne.", "Two."
    ]
    # find reports what strip takes out, for a text or across a stream
    stream = [SEED, "Mandatory credit: AP\nOne.", "Mandatory credit: AP\nTwo."]
    for keep_first in (False, True):
        found = list(bp.find(stream, keep_first=keep_first))
        assert [dedup.apply_cuts(t, c) for t, c in zip(stream, found)] == list(bp.strip(stream, keep_first=keep_first))
    assert [len(c) for c in bp.find(stream, keep_first=True)] == [1, 1, 1]
    seen = set()
    assert [len(next(bp.find([t], keep_first=True, seen=seen))) for t in stream] == [1, 1, 1]


def test_save_and_load(tmp_path):
    bp = dedup.find_boilerplate(corpus(), min_docs=3)
    path = tmp_path / "boilerplate.json"
    bp.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["boilerplate.json"]  # no temporary left
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "dedup-boilerplate" and data["config"]["unit"] == "char"
    loaded = dedup.Boilerplate.load(path)
    assert loaded.templates == bp.templates and loaded.config == bp.config
    assert dedup.strip_boilerplate(SEED, loaded) == dedup.strip_boilerplate(SEED, bp)


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a dedup boilerplate file"),
        ('{"format": "other"}', "not a dedup boilerplate file"),
        ('{"format": "dedup-boilerplate", "version": 9}', "format version 9"),
        ('{"format": "dedup-boilerplate", "version": 2, "templates": []}', "malformed boilerplate file"),
    ],
)
def test_bad_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "bp.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as e:
        dedup.Boilerplate.load(path)
    assert "bp.json" in str(e.value)
    assert path.read_text(encoding="utf-8") == content  # nothing overwritten


def test_errors():
    bp = dedup.find_boilerplate(corpus(), min_docs=3)
    with pytest.raises(TypeError, match="keep_first must be True .* got 'first'"):
        dedup.strip_boilerplate("x", bp, keep_first="first")
    with pytest.raises(TypeError, match="keep_first must be True"):
        next(bp.find(["x"], keep_first=None))
    with pytest.raises(ValueError, match=r"find_boilerplate verifies every candidate on the exact Jaccard.*"
                                         r"verify='signature'.*config.replace\(verify='exact'\)"):
        dedup.find_boilerplate(corpus(), config=bp.config.replace(verify="signature"))
    with pytest.raises(TypeError, match="boilerplate must be a dedup.Boilerplate"):
        dedup.strip_boilerplate("x", {"templates": []})
    with pytest.raises(ValueError, match="min_docs must be a positive integer or None, got 0"):
        dedup.find_boilerplate(["a"], min_docs=0)
    with pytest.raises(TypeError, match="text at position 0 is bytes"):
        dedup.find_boilerplate([b"a"])
    assert dedup.find_boilerplate([]).templates == []
    assert dedup.strip_boilerplate("", bp) == ""
    # a bad item deep in a stream is named by its place in the stream, not in its batch
    stream = ["A story."] * (dedup.boilerplate.BATCH + 5) + [None]
    with pytest.raises(TypeError, match=f"text at position {len(stream) - 1} is NoneType"):
        list(bp.strip(stream))


def test_sentences_on_a_common_pattern_are_not_a_template():
    # 400 articles, each with one sentence on a pattern whose slots often
    # coincide (exact copies across articles) and a credit line
    import itertools
    import random

    rng = random.Random(5)
    slots = list(itertools.product(["Initech", "Globex", "Hooli", "Vandelay"], ["Monday", "Tuesday", "Friday"],
                                   ["Hanoi", "Lima", "Quito", "Berlin", "Oslo"], ["March", "April", "June", "May"]))
    docs = []
    for i in range(400):
        c, d, city, m = rng.choice(slots)
        docs.append(f"Mandatory credit: Reuters\nStory number {i} is about {STORIES[i % 5].lower()}\n"
                    f"The {c} minister said on {d} that talks with {city} would resume in {m}.")
    bp = dedup.find_boilerplate(docs, min_docs=3)
    assert [t.text for t in bp.templates] == ["Mandatory credit: Reuters"]


def test_stripping_a_stream_equals_applying_its_cuts():
    """The batch remover strip uses gives what apply_cuts gives with the annotated cuts."""
    bp = dedup.find_boilerplate(corpus(), min_docs=3)
    stream = corpus() + ["  Mandatory credit: Getty\r\n\r\nA story.\n© 2031 Example News. All rights reserved.\n", ""]
    cuts = list(bp.find(stream))
    assert any(cuts)
    assert list(bp.strip(stream)) == [dedup.apply_cuts(t, c) for t, c in zip(stream, cuts)]


def test_lines_equal_to_a_variant_skip_verification_without_changing_the_result():
    """A line with the content key of variants goes to the first of them it
    is a re-capture of at 1.0 without LSH; the cuts are the same as with
    every line verified, including variants that share a key (other case)."""
    docs = corpus() + [f"Subscribe to our newsletter\nStory {i}." for i in range(3)]
    docs += [f"SUBSCRIBE TO OUR NEWSLETTER!\nOther story {i}." for i in range(3)]
    bp = dedup.find_boilerplate(docs, min_docs=3)
    stream = docs + ["MANDATORY CREDIT: AP\nx", "Mandatory credit: AP!!\ny", "subscribe to our newsletter\nz"]
    fast = list(bp.find(stream))
    prep = bp._prepare()
    assert len(prep.keyed) == sum(len(t.variants) for t in bp.templates)
    assert len(set(map(tuple, prep.keys.tolist()))) < len(prep.keys)  # some variants share a key
    bp._prepared = prep._replace(keys=prep.keys[:0], keyed=prep.keyed[:0])  # every line verified
    assert fast == list(bp.find(stream)) and sum(map(len, fast)) > 10


def test_long_lines_skipped_by_their_prefix_do_not_change_the_result():
    """Strip does not sketch a line whose prefix already has more distinct
    shingles than any variant allows; a long line that repeats a variant
    (few distinct shingles) is still matched and cut."""
    from dedup._engine.hashsets import prefix_exceeds
    from dedup._engine.scanner import Scanner

    docs = corpus() + [f"Subscribe to our newsletter\nStory {i}." for i in range(3)]
    bp = dedup.find_boilerplate(docs, min_docs=3)
    long_story = " ".join(STORIES * 3)
    # more distinct shingles than any variant (40 vs 34), yet at 0.68 with the footer
    echo = "© 2023 Example News. All rights reserved, Example News. " * 8
    stream = docs + [f"{long_story}\n{echo}\nMandatory credit: AP\n{long_story}é"]
    prep = bp._prepare()
    assert prep.limit > 0 and len(long_story.encode()) > prep.limit and len(echo.encode()) > prep.limit
    assert prefix_exceeds(Scanner([long_story, echo]), prep.limit, prep.bound, 4).tolist() == [True, False]
    fast = list(bp.find(stream))
    # the echo reaches the footer's Jaccard but is no re-capture of it: kept
    assert [c.end - c.start for c in fast[-1]] == [len("Mandatory credit: AP")]
    bp._prepared = prep._replace(limit=0)  # every line sketched
    assert fast == list(bp.find(stream))
