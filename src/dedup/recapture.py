"""Re-captures: when a later paragraph is the same paragraph captured again.

Character 4-grams at Jaccard >= 0.6 find paragraphs that look alike, but
reference text is full of *siblings*, paragraphs written on one pattern
whose few differing tokens carry the meaning: ``-4 ... IPv4 addresses`` and
``-6 ... IPv6 addresses``, ``ARG1 >= ARG2`` and ``ARG1 <= ARG2``,
``--createdb`` and ``--no-createdb``, the paragraphs on ``readv()`` and
``writev()``. A scraper's re-capture of a paragraph differs in another way:
in white space, quotes or case, in punctuation, in one word of a paragraph
long enough that one word is a small part of it, or by a short attribution
added at an edge ("(Reuters)"). :func:`is_recapture` is that rule, in plain
Python; every paragraph matcher (repeats, paragraphs shared across
documents, boilerplate learning and stripping) confirms its matches with it.

Tokens are the ``\\w+`` runs and the single punctuation characters of the
text after NFKC and case folding, with quote marks dropped and dashes made
one (:func:`tokens`). Then, with the earlier paragraph ``a`` and the later
``b``:

- the same tokens: a re-capture;
- a short paragraph (fewer than :data:`LONG` words on either side): only
  the same tokens count, so an operator, a sign or a flag that differs
  keeps it;
- a longer one: its words (punctuation aside) may differ in at most one
  place inside, by at most one word in :data:`LONG` of it (so one word, or
  two in a paragraph of 16 words or more), and by a run of at most
  :data:`EDGE` words added or dropped at its start or end. A word that
  differs must not carry meaning on its own: no negation ("not",
  "never", ...) and no identifier (a word holding a digit next to a letter,
  or an underscore: ``IPv4``, ``RWF_SYNC``).

The measurements behind the rule are in docs/paragraphs.md.

>>> is_recapture("He said the talks would resume on Monday in Geneva, officials confirmed.",
...              "He said the talks would resume on Tuesday in Geneva, officials confirmed. (Reuters)")
True
>>> is_recapture("ARG1 >= ARG2", "ARG1 <= ARG2")
False
>>> is_recapture("The readv() system call reads iovcnt buffers from the file into the buffers described by iov.",
...              "The writev() system call writes iovcnt buffers described by iov to the file.")
False
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

LONG = 8  # words: a paragraph shorter than this on either side must repeat token for token
EDGE = 4  # words: an attribution added or dropped at the start or end of a long paragraph
_QUOTES = dict.fromkeys(map(ord, "'\"`´‘’‚‛“”„‟«»‹›′″〝〞＂＇"))
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－"), "-")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_IDENTIFIER = re.compile(r"_|\d[^\W\d_]|[^\W\d_]\d")
NEGATIONS = frozenset(
    "not no nor never none nothing neither without cannot cant dont doesnt didnt isnt arent wasnt werent wont "
    "wouldnt shouldnt couldnt hasnt havent hadnt mustnt neednt non".split()
)


def tokens(text: str) -> list[str]:
    """The tokens two captures of a paragraph are compared on.

    >>> tokens("“Don’t” — she said…")
    ['dont', '-', 'she', 'said', '.', '.', '.']
    """
    norm = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES).translate(_DASHES)
    return _TOKEN.findall(norm)


def _meaningful(words: list[str]) -> bool:
    """Whether a differing word carries meaning on its own."""
    return any(w in NEGATIONS or _IDENTIFIER.search(w) for w in words)


def is_recapture(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` captured again (see the module's rule)."""
    ta, tb = tokens(a), tokens(b)
    if ta == tb:
        return True
    wa = [t for t in ta if _WORD.match(t)]
    wb = [t for t in tb if _WORD.match(t)]
    if min(len(wa), len(wb)) < LONG:
        return False
    inside = edge = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if _meaningful(wa[i1:i2]) or _meaningful(wb[j1:j2]):
            return False
        at_edge = (i1 == 0 and j1 == 0) or (i2 == len(wa) and j2 == len(wb))
        if at_edge and (i1 == i2 or j1 == j2) and max(i2 - i1, j2 - j1) <= EDGE:
            edge += 1
            continue
        inside += 1
        if inside > 1 or LONG * max(i2 - i1, j2 - j1) > min(len(wa), len(wb)):
            return False
    return edge <= 2
