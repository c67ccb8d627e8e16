"""Hypothesis strategies for text that stresses normalisation and tokenising."""

from hypothesis import strategies as st

SPECIAL = (
    "“”‘’«»„…—–\u00a0\u2009\u3000，。、；：！？（）"  # quotes, dashes, spaces, CJK punctuation
    "éÉèçÇñÑüÜöøåßẞİıſﬁﬀ²½ⅫＡｚ０９"  # accents, ligatures, compatibility forms
    "東京タワー한국어ΣσςДжα"  # CJK, kana, Hangul, Greek, Cyrillic
    "\u0301\u0308\u0327\u1161\u11a8\u0b3e\u0b47"  # combining marks, jamo, Oriya signs
    "_-'’ \t\n\r"
)

words = st.text(alphabet=st.sampled_from(list(SPECIAL) + list("abcdeABCDE")), max_size=12)
texts = st.one_of(
    st.text(max_size=80),
    st.lists(words, max_size=15).map(" ".join),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40),
)


def drifting(n, seed, width=40, fresh=0.3):
    """``n`` texts, each the one before with a word replaced (or, with
    probability ``fresh``, a new story): chains A ~ B ~ C with A not ~ C,
    many pairs near the threshold."""
    import random

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(width)]
    out = []
    for _ in range(n):
        if rng.random() < fresh:
            words = [f"w{rng.randrange(10**6)}" for _ in range(width)]
        else:
            words[rng.randrange(width)] = f"x{rng.randrange(10**6)}"
        out.append(" ".join(words))
    return out
