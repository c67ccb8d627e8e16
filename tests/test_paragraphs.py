from hypothesis import given
from hypothesis import strategies as st
from naive import spec_lines
from strategies import texts

from dedup._kernels.spaces import is_space as _is_space
from dedup.paragraphs import split_paragraphs as paragraphs

LINEISH = st.text(alphabet=st.sampled_from(list("ab é東 \t\u00a0\u3000\r\n\u2028.")), max_size=60)


def spec_blank(text):
    """Join lines that have no blank line between them."""
    lines = spec_lines(text)
    out = []
    for s, e in lines:
        if out and text[out[-1][1] : s].count("\n") + text[out[-1][1] : s].replace("\r\n", "\n").count("\r") <= 1:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


@given(st.one_of(texts, LINEISH))
def test_line_split_equals_spec(text):
    got = paragraphs(text, split="line")
    assert [(p.start, p.end) for p in got] == spec_lines(text)
    assert all(text[p.start : p.end] == p.text for p in got)


@given(st.one_of(texts, LINEISH))
def test_blank_split_equals_spec(text):
    assert [(p.start, p.end) for p in paragraphs(text, split="blank")] == spec_blank(text)


def test_space_table_is_str_isspace():
    mine = [cp for cp in range(0x110000) if _is_space(cp)]
    assert mine == [cp for cp in range(0x110000) if chr(cp).isspace()]


def test_auto_joins_hard_wrapped_text_only():
    wrapped = "First paragraph runs\nover two lines.\n\nSecond one also\nruns over two."
    assert [p.text for p in paragraphs(wrapped)] == [
        "First paragraph runs\nover two lines.", "Second one also\nruns over two."
    ]
    scraped = "Credit: X\nPara one.\n\nPara two.\n\nPara three."
    assert [p.text for p in paragraphs(scraped)] == ["Credit: X", "Para one.", "Para two.", "Para three."]


def test_edge_inputs():
    assert paragraphs("") == [] and paragraphs(" \n\t\r\n ") == []
    big = "word " * 2_000_000
    (p,) = paragraphs(big)
    assert (p.start, p.end) == (0, len(big) - 1)
    assert [p.text for p in paragraphs("a\r\nb\rc\n")] == ["a", "b", "c"]
