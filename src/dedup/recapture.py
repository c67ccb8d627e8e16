"""Re-captures: when a later paragraph is the same paragraph captured again.

Character 4-grams at Jaccard >= 0.6 find paragraphs that look alike, but
reference text is full of *siblings*, paragraphs written on one pattern
whose few differing words carry the meaning: ``-4 ... IPv4 addresses`` and
``-6 ... IPv6 addresses``, ``ARG1 >= ARG2`` and ``ARG1 <= ARG2``,
``--createdb`` and ``--no-createdb``, the paragraphs on ``readv()`` and
``writev()``, "the major version" and "the minor version". A scraper's
re-capture of a paragraph differs in another way: in white space, quotes or
case, in one word of a paragraph long enough that one word is a small part
of it, or by an attribution added at its end ("(Reuters)").
:func:`is_recapture` is that rule, in plain Python; every paragraph matcher
(repeats, paragraphs shared across documents, boilerplate learning and
stripping) confirms its matches with it.

With the earlier paragraph ``a`` and the later ``b``:

- the same :func:`tokens` (``\\w+`` runs and punctuation marks, after
  NFKC and case folding, every quote mark made one, every dash made one): a
  re-capture, whatever its length;
- a paragraph of fewer than :data:`LONG` words on either side: only an
  attribution added at its end (see below), nothing else;
- otherwise their
  :func:`words` (white-space separated) may differ in one place inside, by
  at most one word in :data:`PER_WORD` (one word in a paragraph of 20
  words, two in one of 40), and at the end by an attribution of at most
  :data:`EDGE` words that opens with a bracket or a dash. A differing word
  must not carry meaning by itself: not a negation ("not", "never", ...),
  and nothing but letters once sentence marks are stripped (no number,
  flag, identifier, operator or path: ``IPv4``, ``--zone``, ``RWF_SYNC``,
  ``>=``).

Paragraph matchers add one more condition for near (not token-identical)
copies: the two must be near no other paragraph, since siblings come in
families ("C integers", "C long integers", "C short integers", ...).
The measurements behind the rule are in docs/paragraphs.md.

>>> is_recapture("Officials said on Monday that the talks would resume in Geneva next week, after a pause of "
...              "several months over the summer.",
...              "Officials said on Tuesday that the talks would resume in Geneva next week, after a pause of "
...              "several months over the summer. (Reuters)")
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
PER_WORD = 20  # words of paragraph for each word that may differ inside it
EDGE = 4  # words: an attribution added or dropped at the end of a paragraph
_QUOTES = dict.fromkeys(map(ord, "'`´‘’‚‛“”„‟«»‹›′″〝〞＂＇"), '"')
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－"), "-")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_SENTENCE_MARKS = ".,;:!?()[]{}\""
_PLAIN_WORD = re.compile(r"[^\W\d_]+")
_OPENERS = ("(", "[", "-", "|")
NEGATIONS = frozenset(
    ["not", "no", "nor", "never", "none", "nothing", "neither", "without", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "hasnt", "havent", "hadnt", "mustnt", "neednt", "non"]
)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES).translate(_DASHES)


def tokens(text: str) -> list[str]:
    """The tokens two captures of a paragraph are compared on: ``\\w+``
    runs and single punctuation marks, after NFKC and case folding, with
    every quote mark made ``"`` and every dash ``-``.

    >>> tokens("“Don’t” — she said…")
    ['"', 'don', '"', 't', '"', '-', 'she', 'said', '.', '.', '.']
    """
    return _TOKEN.findall(_normal(text))


def words(text: str) -> list[str]:
    """The white-space separated words of the normalised text (see :func:`tokens`).

    >>> words("Use --zone=“us”, not IPv4.")
    ['use', '--zone="us",', 'not', 'ipv4.']
    """
    return _normal(text).split()


def _meaningful(chunk: list[str]) -> bool:
    """Whether a differing word carries meaning by itself: a negation, or
    anything but letters once sentence marks are stripped (a number, a
    flag, an identifier, an operator, a path)."""
    for w in chunk:
        core = w.strip(_SENTENCE_MARKS)
        if core in NEGATIONS or (core and not _PLAIN_WORD.fullmatch(core)):
            return True
    return False


def _attribution(added: list[str]) -> bool:
    """Whether words added at the end of a paragraph are an attribution:
    at most :data:`EDGE` plain words opening with a bracket or a dash."""
    return (0 < len(added) <= EDGE and added[0].startswith(_OPENERS)
            and not _meaningful([added[0].lstrip("".join(_OPENERS)), *added[1:]]))


def is_recapture(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` captured again (see the module's rule)."""
    if tokens(a) == tokens(b):
        return True
    wa, wb = words(a), words(b)
    n = min(len(wa), len(wb))
    if n < LONG:
        # a short paragraph: only an attribution added at its end
        longer, shorter = (wa, wb) if len(wa) > len(wb) else (wb, wa)
        return longer[: len(shorter)] == shorter and _attribution(longer[len(shorter) :])
    inside = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 == len(wa) and j2 == len(wb) and (i1 == i2 or j1 == j2):
            # added or dropped at the end: an attribution, "(Reuters)", "- AP"
            if _attribution(wa[i1:i2] or wb[j1:j2]):
                continue
            return False
        inside += 1
        if inside > 1 or _meaningful(wa[i1:i2]) or _meaningful(wb[j1:j2]) or \
                PER_WORD * max(i2 - i1, j2 - j1) > n:
            return False
    return True
