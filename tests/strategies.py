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
