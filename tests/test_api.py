"""The front door: ``dedup.__all__`` is a literal list that agrees with the
lazy loader and the type checkers' imports, and each public name keeps one
meaning (docs/architecture.md, "What a public name means")."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import dedup
from dedup import Config

INIT = Path(dedup.__file__)


def _module_assignments() -> dict[str, ast.expr]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    return {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def _type_checking_names() -> set[str]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                names |= {a.asname or a.name for a in imp.names}
    return names


def test_all_is_a_literal_list_of_strings_that_tools_can_read():
    value = _module_assignments()["__all__"]
    assert isinstance(value, ast.List)
    assert all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)
    assert ast.literal_eval(value) == dedup.__all__
    assert len(set(dedup.__all__)) == len(dedup.__all__)


def test_all_agrees_with_the_loader_and_the_type_checking_imports():
    public = set(dedup.__all__) - {"__version__"}
    assert set(dedup._WHERE) == public
    assert _type_checking_names() == public
    for name in public:
        value = getattr(dedup, name)
        assert value.__module__.startswith("dedup"), name


def test_import_dedup_loads_no_public_module_and_no_numpy():
    code = ("import sys, dedup; print(sorted(m for m in sys.modules "
            "if m.startswith(('dedup.', 'numpy', 'numba'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_public_function_takes_a_flag_that_switches_its_return_type():
    for name in dedup.__all__:
        obj = getattr(dedup, name)
        callables = [obj] + ([m for _, m in inspect.getmembers(obj, inspect.isfunction)]
                             if inspect.isclass(obj) else [])
        for f in callables:
            if callable(f) and not inspect.isclass(f):
                assert "annotate" not in inspect.signature(f).parameters, f


def test_overloads_give_str_for_str_and_list_for_list():
    text = "A paragraph that repeats.\nOther.\nA paragraph that repeats."
    assert isinstance(dedup.remove_repeats(text), str)
    assert isinstance(dedup.remove_repeats([text]), list)
    assert dedup.find_repeats([text]) == [dedup.find_repeats(text)]
    for f in (dedup.find_repeats, dedup.remove_repeats):
        assert len(typing.get_overloads(f)) == 2


def test_keep_means_which_copy_and_keep_first_means_the_first_line_of_a_template():
    assert set(inspect.signature(dedup.find_duplicates).parameters) >= {"keep"}
    for f in (dedup.strip_boilerplate, dedup.Boilerplate.strip, dedup.Boilerplate.find):
        params = inspect.signature(f).parameters
        assert "keep" not in params and params["keep_first"].default is False


def test_kept_is_positions_and_root_is_the_kept_document_of_a_cluster():
    r = dedup.find_duplicates(["a b c d e f g", "x y z w", "A b c d e f g."])
    assert r.kept == [0, 1] and r.matches[2].root == 0
    assert "kept" not in dedup.Duplicate._fields and "root" in dedup.OnDiskResult._fields


def test_on_disk_finish_returns_the_public_result_type():
    with dedup.OnDisk(Config(ngram=2)) as od:
        od.add(["a b c", "a b c"])
        result = od.finish()
    assert type(result) is dedup.OnDiskResult and result.verify == "exact"
    assert inspect.signature(dedup.OnDisk.finish).return_annotation in ("OnDiskResult", dedup.OnDiskResult)


def test_boilerplate_constructor_shows_no_private_field():
    assert all(not p.startswith("_") for p in inspect.signature(dedup.Boilerplate).parameters)


def test_index_contains():
    index = dedup.Index()
    index.add("a", "one two three four five six")
    assert "a" in index and "b" not in index and None not in index


@pytest.mark.parametrize("call, who, fix", [
    (lambda c: dedup.Index(config=c), "an Index keeps no text", "signature"),
    (lambda c: list(dedup.deduplicate(["x"], config=c)), "deduplicate keeps no text", "signature"),
])
def test_consumers_that_keep_no_text_refuse_exact_verification(call, who, fix):
    with pytest.raises(ValueError, match=rf"{who}, so it verifies on signatures; got a Config with "
                                         rf"verify='exact', pass config.replace\(verify='{fix}'\)"):
        call(Config(verify="exact"))
    call(Config(verify="signature"))  # accepted as it is


@pytest.mark.parametrize("call, who", [
    (lambda c: dedup.find_repeats("x", config=c), "find_repeats and remove_repeats"),
    (lambda c: dedup.remove_repeats(["x"], config=c), "find_repeats and remove_repeats"),
    (lambda c: dedup.find_shared_paragraphs(["x"], config=c), "find_shared_paragraphs and remove_shared"),
    (lambda c: dedup.remove_shared_paragraphs(["x"], config=c), "find_shared_paragraphs and remove_shared"),
    (lambda c: dedup.find_boilerplate(["x"], config=c), "find_boilerplate"),
])
def test_consumers_that_compare_texts_refuse_signature_verification(call, who):
    with pytest.raises(ValueError, match=rf"{who}.* verifies every candidate on the exact Jaccard of the texts; "
                                         r"got a Config with verify='signature', pass config.replace\(verify='exact'\)"):
        call(Config(ngram=4, unit="char", threshold=0.6, verify="signature"))
    call(Config(ngram=4, unit="char", threshold=0.6))


def test_find_duplicates_and_on_disk_read_verify_from_the_config_unchanged():
    texts = ["the cat sat on the mat today", "a dog ran in the park", "the cat sat on the mat today!"]
    for verify in ("exact", "signature"):
        cfg = Config(ngram=3, verify=verify)
        assert dedup.find_duplicates(texts, config=cfg).config is cfg
        with dedup.OnDisk(cfg) as od:
            assert od.config is cfg
            od.add(texts)
            assert od.finish().verify == verify
