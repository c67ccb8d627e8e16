"""dedup.spark in local[2]: the answer of dedup.find_duplicates and OnDisk,
whatever the partitions and the input's row order.

Needs pyspark (``pip install -e '.[test]'``) and Java 17+; without Java the
tests are skipped, unless DEDUP_REQUIRE_SPARK is set (as .ci/run does).
"""

from __future__ import annotations

import os
import random
import shutil

import pytest

import dedup
from dedup import Config, OnDisk

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    if os.environ.get("DEDUP_REQUIRE_SPARK"):
        pytest.fail("dedup.spark tests need Java 17+ (apt-get install openjdk-17-jre-headless)", pytrace=False)
    pytest.skip("no Java runtime: dedup.spark tests skipped", allow_module_level=True)

import dedup.spark as ds

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    s = ds.session("local[2]", **{"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "2"})
    s.sparkContext.setLogLevel("ERROR")
    yield s


def corpus() -> list[tuple[str, str]]:
    """(id, text): drifting chains, a template shared by two thousand, empty
    texts, code points that need normalising, CJK, and ties."""
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(400)]
    rows: list[str] = []
    for _ in range(6):  # drifting chains: each a word away from the one before
        words = [rng.choice(vocab) for _ in range(100)]
        for _ in range(8):
            rows.append(" ".join(words))
            words[rng.randrange(100)] = rng.choice(vocab)
    template = [rng.choice(vocab) for _ in range(80)]
    for i in range(2000):  # one template: one bucket of thousands of members
        rows.append(" ".join(template[:40] + [f"slot{i}", f"item{i % 7}"] + template[40:]))
    rows += ["", " ", "\n\n", "one", "two words"]
    fi = "the ﬁnal report of the ﬁnance committee was published on monday morning in the capital city today"
    rows += [fi, fi.replace("ﬁ", "fi"), fi.upper(), "ＴＨＥ ＦＩＮＡＬ" + fi[9:], "caf\u00e9 " + fi, "cafe\u0301 " + fi]
    ja = "東京の天気は晴れのち曇りで、夕方から雨が降るでしょう。"
    rows += [ja * 3, ja * 3 + "明日", ja * 2 + "大阪の天気は晴れです。"]
    base = [rng.choice(vocab) for _ in range(60)]
    a, b = list(base), list(base)
    a[5], b[50] = "tieA", "tieB"
    rows += [" ".join(a), " ".join(b), " ".join(base)]  # base ties between a and b
    return [(f"r{i:05d}", t) for i, t in enumerate(rows)]


ROWS = corpus()


def local_answer(rows, cfg: Config, order=None):
    """id -> (cluster, kept, duplicate_of, similarity) from dedup.find_duplicates
    on the texts sorted by (order, id)."""
    srt = sorted(rows, key=(lambda r: r[0]) if order is None else (lambda r: (order[r[0]], r[0])))
    res = dedup.find_duplicates([t for _, t in srt], config=cfg)
    out = {}
    for i, (id_, _) in enumerate(srt):
        m = res.matches.get(i)
        out[id_] = (srt[m.root][0], False, srt[m.matched][0], m.similarity) if m else (id_, True, None, None)
    return out, srt


def spark_answer(result):
    return {r["id"]: (r["cluster"], r["kept"], r["duplicate_of"], r["similarity"]) for r in result.collect()}


@pytest.mark.parametrize(("verify", "partitions", "seed"), [("exact", 3, 1), ("exact", 1, 2), ("signature", 7, 3)])
def test_spark_gives_the_local_answer_whatever_partitions_and_row_order(spark, verify, partitions, seed):
    cfg = Config(verify=verify)
    rows = list(ROWS)
    random.Random(seed).shuffle(rows)
    df = spark.createDataFrame(rows, "id string, text string").repartition(partitions)
    got = spark_answer(ds.find_duplicates(df, config=cfg, partitions=partitions + 2))
    want, srt = local_answer(ROWS, cfg)
    assert got == want
    assert sum(not v[1] for v in want.values()) > 2000  # the template and the chains are found
    # and OnDisk, the out-of-core engine, agrees
    with OnDisk(cfg) as od:
        od.add([t for _, t in srt])
        best, sim, root = od.finish().arrays()
    assert [(srt[r][0], srt[b][0] if b >= 0 else None, s if b >= 0 else None)
            for r, b, s in zip(root.tolist(), best.tolist(), sim.tolist())] == [
        (want[i][0], want[i][2], want[i][3]) for i, _ in srt]


def test_order_decides_which_is_kept_ties_broken_by_id(spark):
    rows = ROWS[:48] + ROWS[-9:]
    rank = {id_: (len(rows) - i) // 3 for i, (id_, _) in enumerate(rows)}  # reversed, with ties
    df = spark.createDataFrame([(i, t, rank[i]) for i, t in rows], "id string, text string, rank int")
    got = spark_answer(ds.find_duplicates(df, order="rank"))
    want, _ = local_answer(rows, Config(), order=rank)
    assert got == want
    assert got != local_answer(rows, Config())[0]  # the order mattered


def test_deduplicate_keeps_the_kept_rows_with_their_columns(spark):
    rows = [(i, t, len(t)) for i, (_, t) in enumerate(ROWS[:60])]
    df = spark.createDataFrame(rows, "key long, body string, size int")
    kept = ds.deduplicate(df, text="body", id="key")
    assert kept.columns == ["key", "body", "size"]
    want = dedup.find_duplicates([t for _, t, _ in rows]).kept
    assert sorted(r["key"] for r in kept.collect()) == want
    assert all((r["key"], r["body"], r["size"]) == rows[r["key"]] for r in kept.collect())


def test_bad_input_is_a_clear_error(spark):
    df = spark.createDataFrame([("a", "x y"), ("a", "z")], "id string, text string")
    with pytest.raises(ValueError, match="id column 'id' holds 'a' in 2 rows; ids must be unique"):
        ds.find_duplicates(df)
    with pytest.raises(ValueError, match=r"text column 'body' is not in the DataFrame \(columns: \['id', 'text'\]\)"):
        ds.find_duplicates(df, text="body")
    df = spark.createDataFrame([("a", None), ("b", "z")], "id string, text string")
    with pytest.raises(ValueError, match="text column 'text' is null in the row with id 'a'"):
        ds.find_duplicates(df)
    df = spark.createDataFrame([("a", 1)], "id string, text int")
    with pytest.raises(ValueError, match="text column 'text' holds integer, not strings"):
        ds.find_duplicates(df)


def test_the_command_runs_on_parquet_and_json_lines(spark, tmp_path, run_dedup):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": i, "text": t, "url": f"https://example.org/{i}"} for i, (_, t) in enumerate(ROWS[:80])]
    want = dedup.find_duplicates([r["text"] for r in rows]).kept
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    for src, out, read in (("in.parquet", "out.parquet", lambda p: pq.read_table(p).to_pylist()),
                           ("in.jsonl", "out.jsonl", lambda p: [json.loads(line) for f in sorted(p.glob("part-*"))
                                                                for line in f.read_text().splitlines()])):
        ran = run_dedup("documents", "--engine", "spark", tmp_path / src, "--out", tmp_path / out, "--master", "local[2]")
        assert ran.returncode == 0, ran.stderr
        assert f"80 records, {80 - len(want)} dropped" in ran.stderr
        got = read(tmp_path / out)
        assert sorted(r["id"] for r in got) == want
        assert all(r == rows[r["id"]] for r in got)  # every field unchanged
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    ran = run_dedup("documents", "--engine", "spark", tmp_path / "in.parquet", "--out", tmp_path / "out.parquet")
    assert ran.returncode == 1
    assert ran.stderr.strip().endswith("exists; dedup never overwrites: remove it or name a new path")
    ran = run_dedup("documents", "--engine", "spark", tmp_path / "in.parquet", "--out", tmp_path / "o2.parquet",
                    "--id-field", "key")
    assert ran.returncode == 1
    assert "--id-field key: no such field" in ran.stderr
