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
  NFKC and case folding, every double quote mark made one, every single
  one made one, every dash made one): a re-capture; in a paragraph of
  fewer than :data:`LONG` words case counts (``-v`` is not ``-V``) unless
  the whole line changed case or only its first word was capitalised;
- a paragraph of fewer than :data:`LONG` words on either side: only an
  attribution added at its end (see below), nothing else;
- otherwise their :func:`words` (white-space separated) may differ in one
  place, what stands between their common start and their common end, by
  at most one word in :data:`PER_WORD` (one word in a paragraph of 20
  words, two in one of 40), and besides by an attribution of at most
  :data:`EDGE` words added at the end that opens with a bracket or a dash.
  A differing word must not carry meaning by itself: not a negation
  ("not", "never", ...), and nothing but letters once sentence marks are
  stripped (no number, flag, identifier, operator or path: ``IPv4``,
  ``--zone``, ``RWF_SYNC``, ``>=``), and not one word in capitals for
  another (``TCP`` for ``UDP``).

Paragraph matchers add one more condition for near copies (not the same
tokens, nor one with an attribution added): the two must be near no other
paragraph, since siblings come in families ("C integers", "C long
integers", "C short integers", ...).
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

LONG = 8  # words: a paragraph shorter than this on either side must repeat token for token
PER_WORD = 20  # words of paragraph for each word that may differ inside it
EDGE = 4  # words: an attribution added or dropped at the end of a paragraph
ATTRIBUTION_BYTES = 96  # the most an attribution adds to a paragraph (UTF-8 bytes)
_MARK_OF = {**dict.fromkeys("“”„‟«»″〝〞＂", '"'), **dict.fromkeys("´‘’‚‛‹›′＇", "'"),
            **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-")}
_MARKS = re.compile("[" + "".join(_MARK_OF) + "]")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_SENTENCE_MARKS = ".,;:!?()[]{}\"'"
_PLAIN_WORD = re.compile(r"[^\W\d_]+")
_OPENERS = ("(", "[", "-", "|")
NEGATIONS = frozenset({
    "not", "no", "nor", "never", "none", "nothing", "neither", "without", "cannot", "cant", "dont", "doesnt",
    "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "hasnt", "havent",
    "hadnt", "mustnt", "neednt", "non",
})


class _Forms:
    """A paragraph's text after NFKC, with every double quote mark made
    ``"``, every single one ``'`` and every dash ``-``: as it is
    (``kept``) and case folded (``folded``), each computed once."""

    __slots__ = ("folded", "kept")

    def __init__(self, text: str) -> None:
        if not text.isascii():
            text = _MARKS.sub(lambda m: _MARK_OF[m.group()], unicodedata.normalize("NFKC", text))
        self.kept = text
        self.folded = text.casefold()

    def of(self, fold: bool) -> str:
        return self.folded if fold else self.kept


def tokens(text: str, fold: bool = True) -> list[str]:
    """The tokens two captures of a paragraph are compared on: ``\\w+``
    runs and single punctuation marks, after NFKC and (with ``fold``) case
    folding, with every double quote mark made ``"``, every single one
    ``'`` and every dash ``-``.

    >>> tokens("“Don’t” — she said…")
    ['"', 'don', "'", 't', '"', '-', 'she', 'said', '.', '.', '.']
    """
    return _TOKEN.findall(_Forms(text).of(fold))


def words(text: str, fold: bool = True) -> list[str]:
    """The white-space separated words of the normalised text (see :func:`tokens`).

    >>> words("Use --zone=“us”, not IPv4.")
    ['use', '--zone="us",', 'not', 'ipv4.']
    """
    return _Forms(text).of(fold).split()


def same_tokens(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` have the same tokens: case folded in
    paragraphs of :data:`LONG` words or more, kept in shorter ones, where
    case can be all that tells two lines apart (``-v`` and ``-V``, ``q``
    and ``Q``)."""
    return _same_tokens(_Forms(a), _Forms(b))


def _same_tokens(fa: _Forms, fb: _Forms) -> bool:
    ta = _TOKEN.findall(fa.folded)
    if ta != _TOKEN.findall(fb.folded):
        return False
    if sum(1 for t in ta if _WORD.match(t)) >= LONG:
        return True
    ka, kb = _TOKEN.findall(fa.kept), _TOKEN.findall(fb.kept)
    return ka == kb or _recased(ka, kb)


def _recased(ka: list[str], kb: list[str]) -> bool:
    """Whether a short line's tokens ``kb`` are ``ka`` (the same tokens but
    for case) with their case changed as a capture changes it: the whole
    line put in capitals or small letters, or its first word capitalised.
    A change of case elsewhere is a sibling (``-v`` and ``-V``, ``ls -l``
    and ``ls -L``): the whole line changed needs two words of two letters or
    more changed, and a first word capitalised needs two letters or more.

    >>> _recased(tokens("Run the tests.", fold=False), tokens("run the tests.", fold=False))
    True
    >>> _recased(tokens("ls -l", fold=False), tokens("LS -L", fold=False))
    False
    """
    diff = [i for i, (x, y) in enumerate(zip(ka, kb)) if x != y]
    words = [i for i in diff if sum(c.isalpha() for c in ka[i]) >= 2]
    if len(words) >= 2 and (ka == [t.upper() for t in kb] or kb == [t.upper() for t in ka]
                            or ka == [t.lower() for t in kb] or kb == [t.lower() for t in ka]):
        return True
    first = next((i for i, t in enumerate(ka) if _WORD.match(t)), -1)
    return diff == words == [first] and ka[first][1:] == kb[first][1:]


def _meaningful(chunk: list[str]) -> bool:
    """Whether a differing word carries meaning by itself: a negation, or
    anything but letters once sentence marks are stripped (a number, a
    flag, an identifier, an operator, a path)."""
    for w in chunk:
        core = w.strip(_SENTENCE_MARKS).replace("'", "")  # "don't" is "dont", "company's" plain
        if core in NEGATIONS or (core and not _PLAIN_WORD.fullmatch(core)):
            return True
    return False


def _attribution(added: list[str]) -> bool:
    """Whether words added at the end of a paragraph are an attribution:
    at most :data:`EDGE` plain words opening with a bracket or a dash."""
    return (0 < len(added) <= EDGE and added[0].startswith(_OPENERS)
            and not _meaningful([added[0].lstrip("".join(_OPENERS)), *added[1:]]))


def _one_place(wa: list[str], wb: list[str], ca: list[str], cb: list[str]) -> bool:
    """Whether the words ``wa`` and ``wb`` (``ca`` and ``cb``: the same,
    case kept) differ in at most one place (what stands between their
    common start and their common end) by at most one word in
    :data:`PER_WORD`, none of which carries meaning, and not from one word
    in capitals to another (an acronym or a constant: ``TCP``, ``UDP``)."""
    m = min(len(wa), len(wb))
    head = 0
    while head < m and wa[head] == wb[head]:
        head += 1
    tail = 0
    while tail < m - head and wa[-1 - tail] == wb[-1 - tail]:
        tail += 1
    da, db = wa[head : len(wa) - tail], wb[head : len(wb) - tail]
    if PER_WORD * max(len(da), len(db)) > m or _meaningful(da) or _meaningful(db):
        return False
    return not (_capitals(ca[head : len(ca) - tail]) and _capitals(cb[head : len(cb) - tail]))


def _capitals(chunk: list[str]) -> bool:
    return any(len(core) > 1 and core.isupper() for core in (w.strip(_SENTENCE_MARKS) for w in chunk))


def is_recapture(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` captured again (see the module's rule)."""
    return check(a, b)


def near_recapture(a: str, b: str) -> bool:
    """:func:`is_recapture` for two paragraphs whose tokens differ (as they
    do when their shingle sets differ)."""
    return check(a, b, same=False)


def check(a: str, b: str, same: bool = True, near: bool = True) -> bool:
    """:func:`is_recapture` by its parts: the same tokens (with ``same``),
    an attribution added at the end (always), or another near copy (with
    ``near``); each text normalised once."""
    fa, fb = _Forms(a), _Forms(b)
    return (same and _same_tokens(fa, fb)) or (_grown(a, b) and _attributed(fa, fb)) or (near and _near(fa, fb))


def _grown(a: str, b: str) -> bool:
    """Whether the UTF-8 sizes of ``a`` and ``b`` differ by 3 to
    :data:`ATTRIBUTION_BYTES` bytes, as with an attribution added."""
    return 3 <= abs(len(a.encode("utf-8", "surrogatepass")) - len(b.encode("utf-8", "surrogatepass"))) \
        <= ATTRIBUTION_BYTES


def _attributed(fa: _Forms, fb: _Forms) -> bool:
    """Whether one is the other with an attribution added at its end (words and case kept)."""
    ca, cb = fa.kept.split(), fb.kept.split()
    longer, shorter = (ca, cb) if len(ca) > len(cb) else (cb, ca)
    return longer[: len(shorter)] == shorter and _attribution(longer[len(shorter) :])


def _near(fa: _Forms, fb: _Forms) -> bool:
    wa, wb = fa.folded.split(), fb.folded.split()
    ca, cb = fa.kept.split(), fb.kept.split()
    if min(len(wa), len(wb)) < LONG:  # a short paragraph: only an attribution added at its end
        return False
    if _one_place(wa, wb, ca, cb):
        return True
    # an attribution added at the end of either, and one place inside
    return any(
        _attribution(y[len(y) - k :]) and _one_place(x, y[: len(y) - k], cx, cy[: len(cy) - k])
        for x, y, cx, cy in ((wa, wb, ca, cb), (wb, wa, cb, ca))
        for k in range(1, min(EDGE, len(y) - LONG) + 1)
    )
