"""The kernel that keys "Label: value" lines equals its regex spec."""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from dedup._engine.tables import tables
from dedup._kernels.labels import ASK, NO, YES, key_hash, key_hashes, label_key_of
from dedup._kernels.labels import line_label_keys as _label_keys

PIECES = list("aZkK q\t:|–—_09/é\u00a0\x0b\x1c\u212aＭ.“²٣ßǅﬀ\u0301\ufdfa東\u1100\u1161") + ["Mandatory", "credit", "Photo", "by", "  ", "2024", "x" * 30]
LINES = st.lists(st.sampled_from(PIECES), max_size=40).map(lambda p: "".join(p).strip())


def kernel(fn, line):
    buf = np.frombuffer(line.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    verdict, hashes = fn(buf, np.zeros(1, np.int64), np.array([len(buf)], np.int64), np.zeros(1, np.int64), *tables())
    return int(verdict[0]), int(hashes[0])


@given(LINES)
@example("Mandatory credit: The White House")
@example("Mandatory  Credit —  Reuters")
@example("Photo by: " + "x" * 62)
@example("Photo by: " + "x" * 61)
@example("Photo by: " + "x" * 60)
@example("One two three four: x")
@example("Label:\x0bvalue")
@example("Label: \u00a0value")
@example("std::fmt")
@example("http://example.com/a")
@example("Never — a type")
@example("Never –x")
@example("mailto:someone@example.com")
@example("Label:value")
def test_label_kernel_equals_the_regex(line):
    verdict, h = kernel(_label_keys, line)
    key = label_key_of(line)
    if verdict == ASK:
        assert not line.isascii()
        assert any(c in "\u1100\u1161\ufdfa" for c in line), line  # only unsafe labels are asked
    elif verdict == YES:
        assert key is not None and h == key_hash(key)
    else:
        assert verdict == NO and key is None


@given(st.lists(LINES, max_size=5))
def test_batch_key_hashes_equal_the_spec(keys):
    assert key_hashes(keys).tolist() == [key_hash(k) for k in keys]


def test_labels_are_decided_by_the_kernel_unless_unsafe():
    assert kernel(_label_keys, "Mandatory credit — Getty Images")[0] == YES
    assert kernel(_label_keys, "He said: yes")[0] == YES
    assert kernel(_label_keys, "Crédit: AFP")[0] == YES
    assert kernel(_label_keys, "Cre\u0301dit: AFP")[0] == NO  # a combining accent is not a letter
    assert kernel(_label_keys, "\u1100\u1161: x")[0] == ASK  # Hangul jamo compose: CPython normalises
    assert kernel(_label_keys, "“Quoted”: no label")[0] == NO
    assert kernel(_label_keys, "2024: a year")[0] == NO
