"""The re-capture rule: what makes a later paragraph the same paragraph captured again."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.recapture import is_recapture, words

LONG = (
    "Officials said on Monday that the talks would resume in Geneva next week, after a pause of several "
    "months over the summer and a dispute about the agenda."
)


@pytest.mark.parametrize("later", [
    LONG,
    LONG.upper(),
    LONG.replace(" ", "  "),
    LONG.replace("Geneva", "Lausanne"),  # one word in 27
    LONG.replace("talks would", "talks would probably"),  # one word inserted
    LONG.replace("the agenda", "the host’s agenda"),  # one word with an apostrophe inserted
    LONG + " (Reuters)",
    LONG + " — AP",
    LONG.replace("Monday", "Tuesday") + " (Reuters)",
])
def test_recaptures(later):
    assert is_recapture(LONG, later)


@pytest.mark.parametrize("earlier, later", [
    ("ARG1 >= ARG2", "ARG1 <= ARG2"),  # an operator
    ("-4, --ipv4  Use IPv4 addresses only.", "-6, --ipv6  Use IPv6 addresses only."),  # a flag
    ("--createdb The new user will be allowed to create databases.",
     "--no-createdb The new user will not be allowed to create databases."),  # a negation
    (("RWF_DSYNC Provide a per-write equivalent of the O_DSYNC open(2) flag. This flag is meaningful only for "
      "pwritev2(), and its effect applies only to the data range written by the system call."),
     ("RWF_SYNC Provide a per-write equivalent of the O_SYNC open(2) flag. This flag is meaningful only for "
      "pwritev2(), and its effect applies only to the data range written by the system call.")),  # identifiers
    (LONG, LONG.replace("Monday", "Tuesday").replace("Geneva", "Vienna")),  # two places
    (LONG, LONG.replace("would", "would not")),  # a negation in a long paragraph
    (LONG, LONG.replace("would", "wouldn’t")),  # a negation with an apostrophe
    (LONG, LONG.replace("next week", "in 2 weeks")),  # a number
    ("Get an IAM policy on a Cloud Bigtable Backup.", "Set an IAM policy on a Cloud Bigtable Backup."),  # short
    ("Thousands lost power overnight, officials said.", "Thousands lost power overnight, officials said!"),
    ('\\"     literal "', "\\'     literal '"),  # a single quote is not a double one (bash escapes)
    (LONG, LONG + " This option is deprecated."),  # an added sentence, no attribution
    (("If host is a valid hostname or Internet address, and port is an integer port number or service name, "
      "bash attempts to open the corresponding TCP socket."),
     ("If host is a valid hostname or Internet address, and port is an integer port number or service name, "
      "bash attempts to open the corresponding UDP socket.")),  # one acronym for another
])
def test_siblings_and_other_paragraphs(earlier, later):
    assert not is_recapture(earlier, later)


def test_a_short_line_with_an_attribution():
    assert is_recapture("int fsync(int fd);", "int fsync(int fd); (Reuters)")
    assert not is_recapture("int fsync(int fd);", "int fsync(int fd); (deprecated in 2.1)")  # a number


TEXT = st.lists(st.sampled_from(list("ab cé東\u00a0\t.,;-—\"'“”«»") + ["word", "Ünï", "42", " "]),
                max_size=40).map("".join)


@given(TEXT)
def test_a_paragraph_is_a_recapture_of_itself(text):
    assert is_recapture(text, text)


@given(TEXT, st.sampled_from([str.upper, str.lower]))
def test_case_is_not_a_difference_in_a_long_paragraph(text, case):
    long = f"{text} {LONG}"
    assert len(case(long)) == len(long)  # (ß, ﬁ would change length once cased: not in TEXT)
    assert is_recapture(long, case(long))


def test_case_tells_short_lines_apart():
    assert not is_recapture("-v", "-V") and not is_recapture("Q [exit-code]", "q [exit-code]")
    assert is_recapture("-v  verbose", "-v verbose")  # spacing is no difference


@pytest.mark.parametrize("earlier, later, same", [
    ("* Bump debhelper and standards versions.", "* bump debhelper and standards versions.", True),
    ("Run $ gcloud help for details.", "run $ gcloud help for details.", True),
    ("AUTHOR\n       Written by Ulrich Drepper.", "AUTHOR\n       WRITTEN BY ULRICH DREPPER.", True),
    (">>> q.clear()\n>>> len(q)", ">>> Q.CLEAR()\n>>> LEN(Q)", True),
    ("ls -l", "LS -L", False),  # one word of two letters: not evidence that the whole line was recased
    ("NAME", "Name", False),  # a line of one word
    ("Press q to quit", "Press Q to quit", False),  # case changed inside the line
    ("-v, --verbose", "-V, --verbose", False),
    ("Tcp port", "TCP port", False),  # not the whole line
])
def test_a_short_line_recased_as_a_capture_recases_it(earlier, later, same):
    assert is_recapture(earlier, later) is same


@given(TEXT)
def test_spacing_and_quote_style_are_not_a_difference(text):
    respaced = re.sub(r"[ \t\u00a0]+", "  ", text)
    quoted = text.replace("\"", "“").replace("'", "’")  # a double mark for a double, a single for a single
    assert is_recapture(text, respaced) and is_recapture(text, quoted)
    assert words(text) == words(quoted)


@given(TEXT, TEXT)
def test_the_rule_is_symmetric(a, b):
    assert is_recapture(a, b) == is_recapture(b, a)
