"""Loading staged batches: exactly once, dedup rules 1 and 2, versions, refusal of bad batches."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from batchfactory import SOURCE, art, describe, hold_archive, make_batch

from warehouse import db
from warehouse.errors import ArchiveBusy, BatchInvalid
from warehouse.load import LoadResult, load_batch
from warehouse.merge import article_id

A = "https://www.touleco.fr/2016/03/10/le-periscope"
B = "https://www.touleco.fr/2016/03/11/innopole"
R1, R2, R3 = "20261122T043000Z-aaaaaa", "20261123T043000Z-bbbbbb", "20261124T043000Z-cccccc"


def q(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    tables = [f"{s}.{t}" for s, t in q(path, "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2")]
    return {t: sorted(q(path, f"SELECT * FROM {t}"), key=repr) for t in tables}


def load(tmp_path: Path, run_id: str, rows: list[dict[str, Any]], **kw: Any) -> LoadResult:
    return load_batch(tmp_path / "archive.duckdb", make_batch(tmp_path / "staging", run_id, rows, **kw))


def test_load_then_reload_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    batch = make_batch(tmp_path / "staging", R1, [art(A, "un"), art(B, "deux")])
    first = load_batch(path, batch)
    assert (first.new_articles, first.fetches, first.skipped) == (2, 2, False)
    before = dump(path)
    again = load_batch(path, batch)
    assert again.skipped and again.run_id == R1
    assert dump(path) == before
    assert q(path, "SELECT run_id, fetches_rows, articles_rows FROM loaded_batches") == [(R1, 2, 2)]


def test_article_id_is_stable(tmp_path: Path) -> None:
    load(tmp_path, R1, [art(A, "un")])
    assert q(tmp_path / "archive.duckdb", "SELECT article_id, story_id FROM articles") == [
        (article_id("toulouse-eco", A), article_id("toulouse-eco", A))
    ]


def test_rule1_same_url_changed_text_is_a_new_version(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "première version", title="Titre 1")])
    result = load(tmp_path, R2, [art(A, "seconde version corrigée", title="Titre 2", minutes=60)])
    assert (result.new_articles, result.new_versions) == (0, 1)
    assert q(path, "SELECT version, title, text, fetch_id FROM articles") == [
        (2, "Titre 2", "seconde version corrigée", f"{R2}-000000")
    ]
    assert q(path, "SELECT version, title, text, fetch_id FROM article_versions") == [
        (1, "Titre 1", "première version", f"{R1}-000000")
    ]
    assert q(path, f"SELECT new_versions FROM crawl_runs WHERE run_id = '{R2}'") == [(1,)]


def test_rule1_same_url_same_text_only_moves_last_seen(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "texte")])
    before = q(path, "SELECT article_id, version, text, fetch_id, first_seen_at, last_seen_at FROM articles")
    result = load(tmp_path, R2, [art(A + "?utm_source=rss", "texte", canonical_url=A, minutes=90)])
    assert (result.new_articles, result.new_versions, result.unchanged, result.duplicates) == (0, 0, 1, 0)
    after = q(path, "SELECT article_id, version, text, fetch_id, first_seen_at, last_seen_at FROM articles")
    assert after[0][:5] == before[0][:5] and after[0][5] > before[0][5]
    assert q(path, "SELECT count(*) FROM article_versions") == [(0,)]
    assert sorted(u for (u,) in q(path, "SELECT url FROM article_urls")) == [A, A + "?utm_source=rss"]


def test_rule2_same_text_other_url_same_source_is_one_article(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "le même texte")])
    result = load(tmp_path, R2, [art(B, "le  même texte", minutes=60)])
    assert (result.new_articles, result.duplicates) == (0, 1)
    assert q(path, "SELECT count(*), any_value(url) FROM articles") == [(1, A)]
    ids = q(path, "SELECT url, article_id FROM article_urls ORDER BY url")
    assert [u for u, _ in ids] == sorted([A, B]) and len({i for _, i in ids}) == 1


def test_different_sources_never_merge(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    other = dict(SOURCE, id="ales-agglo", homepage="https://www.ales.fr/", allowed_domains=[])
    result = load(
        tmp_path,
        R1,
        [art(A, "communiqué repris"), art("https://www.ales.fr/c", "communiqué repris", source_id="ales-agglo")],
        sources=[SOURCE, other],
    )
    assert result.new_articles == 2
    rows = q(path, "SELECT source_id, article_id = story_id FROM articles ORDER BY 1")
    assert rows == [("ales-agglo", True), ("toulouse-eco", True)]
    assert q(path, "SELECT count(*) FROM sources") == [(2,)]


def test_within_batch_duplicates_are_archived_once(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    result = load(
        tmp_path,
        R1,
        [
            art(A, "un texte", minutes=1),
            art(A + "?amp=1", "un texte", canonical_url=A, minutes=2),  # same canonical URL
            art(B, "un texte", minutes=3),  # same text, other URL
        ],
    )
    assert (result.new_articles, result.unchanged, result.duplicates) == (1, 1, 1)
    assert q(path, "SELECT article_id, url FROM articles") == [(article_id("toulouse-eco", A), A)]
    assert q(path, "SELECT count(DISTINCT article_id), count(*) FROM article_urls") == [(1, 3)]


def test_in_batch_text_chain_and_change_make_versions(tmp_path: Path) -> None:
    """A changes text inside the batch; B carries A's new text: one article, two versions."""
    path = tmp_path / "archive.duckdb"
    result = load(
        tmp_path,
        R1,
        [art(A, "v1", minutes=1), art(A, "v2", minutes=2), art(B, "v2", minutes=3)],
    )
    assert (result.new_articles, result.new_versions, result.duplicates) == (1, 1, 1)
    assert q(path, "SELECT version, text FROM articles") == [(2, "v2")]
    assert q(path, "SELECT version, text FROM article_versions") == [(1, "v1")]


def test_late_batch_never_hides_the_newest_text(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R2, [art(A, "nouveau", minutes=600)])
    result = load(tmp_path, R1, [art(A, "ancien", minutes=0)])  # older crawl loaded later
    assert result.new_versions == 1
    assert q(path, "SELECT version, text FROM articles") == [(2, "nouveau")]
    assert q(path, "SELECT version, text FROM article_versions") == [(1, "ancien")]
    first, last = q(path, "SELECT first_seen_at, last_seen_at FROM articles")[0]
    assert first < last


def test_counts_recorded_in_crawl_runs(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(
        tmp_path,
        R1,
        [art(A, "un"), art(B, "deux")],
        extra_fetches=[
            {"status": 404, "url": "https://www.touleco.fr/gone"},
            {"status": None, "error": "DNSLookupError"},
            {"status": 200, "extract_status": "error:boom"},
        ],
    )
    assert q(path, "SELECT pages_fetched, new_articles, errors, extract_errors, status FROM crawl_runs") == [
        (4, 2, 2, 1, "completed")
    ]


def test_sources_are_upserted(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "un")])
    load(tmp_path, R2, [art(B, "deux")], sources=[dict(SOURCE, name="ToulÉco (nouveau)")])
    assert q(path, "SELECT id, name, run_id, feeds FROM sources") == [
        ("toulouse-eco", "ToulÉco (nouveau)", R2, ["https://www.touleco.fr/rss"])
    ]


def test_views(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "un"), art(B, "deux")])
    assert q(path, "SELECT source_id, CAST(day AS VARCHAR), articles FROM coverage_daily") == [
        ("toulouse-eco", "2016-03-10", 2)
    ]
    assert q(path, "SELECT count(*), max(articles), any_value(outlets) FROM stories") == [(2, 1, ["toulouse-eco"])]
    # the shape of the CLI's example query: sources keeps the registry's field names
    assert q(path, "SELECT s.name, count(*) FROM articles a JOIN sources s ON s.id = a.source_id GROUP BY 1") == [
        ("ToulÉco", 2)
    ]


def test_load_order_does_not_change_what_is_shown(tmp_path: Path) -> None:
    runs = [
        (R1, [art(A, "v1"), art(B, "x")]),
        (R2, [art(A, "v2", minutes=60)]),
        (R3, [art(A, "v3", minutes=120), art(B + "?p=1", "x", canonical_url=B, minutes=121)]),
    ]
    shown = []
    for order in (runs, runs[::-1]):
        home = tmp_path / str(len(shown))
        for run_id, rows in order:
            load(home, run_id, rows)
        path = home / "archive.duckdb"
        shown.append(
            (
                q(path, "SELECT article_id, text, version FROM articles ORDER BY 1"),
                q(path, "SELECT article_id, text FROM article_versions ORDER BY 1, 2"),
                q(path, "SELECT url, article_id FROM article_urls ORDER BY 1"),
            )
        )
    assert shown[0] == shown[1]


def _break(batch: Path, name: str, how: str) -> None:
    target = batch / name
    data = target.read_bytes()
    if how == "sha":
        target.write_bytes(data[:-10] + bytes(10))
    else:  # truncated, and batch.json rewritten to match so only the Parquet check can catch it
        target.write_bytes(data[: len(data) // 2])
        manifest = json.loads((batch / "batch.json").read_text())
        manifest["files"][name] = {"sha256": hashlib.sha256(target.read_bytes()).hexdigest(), "rows": 1}
        (batch / "batch.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", ["articles.parquet", "fetches.parquet"])
@pytest.mark.parametrize("how", ["sha", "truncated"])
def test_corrupt_batch_is_refused_and_nothing_loaded(tmp_path: Path, name: str, how: str) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "un")])
    before = dump(path)
    batch = make_batch(tmp_path / "staging", R2, [art(B, "deux", minutes=5)])
    _break(batch, name, how)
    with pytest.raises(BatchInvalid) as caught:
        load_batch(path, batch)
    assert name in str(caught.value)
    assert dump(path) == before


def test_batch_with_foreign_rows_is_refused_atomically(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "un")])
    before = dump(path)
    batch = make_batch(tmp_path / "staging", R2, [art(B, "deux", run_id="somebody-else")])
    with pytest.raises(BatchInvalid, match=r"articles\.parquet.*run_id"):
        load_batch(path, batch)
    assert dump(path) == before


def test_incomplete_batch_is_refused(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "staging", R1, [art(A, "un")])
    (batch / "batch.json").unlink()
    with pytest.raises(BatchInvalid, match=r"batch\.json"):
        load_batch(tmp_path / "archive.duckdb", batch)
    assert not (tmp_path / "archive.duckdb").exists()


def test_bad_run_manifest_is_refused(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "staging", R1, [art(A, "un")])
    manifest = json.loads((batch / "batch.json").read_text())
    manifest["run"]["started_at"] = "yesterday"
    (batch / "batch.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchInvalid, match=r"batch\.json: run\.started_at"):
        load_batch(tmp_path / "archive.duckdb", batch)


def test_row_count_mismatch_is_refused(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "staging", R1, [art(A, "un")])
    manifest = json.loads((batch / "batch.json").read_text())
    manifest["files"]["articles.parquet"] = dict(describe(batch / "articles.parquet"), rows=7)
    (batch / "batch.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchInvalid, match=r"articles\.parquet: has 1 rows, batch.json says 7"):
        load_batch(tmp_path / "archive.duckdb", batch)


def test_load_waits_for_the_file_then_raises_archive_busy(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load(tmp_path, R1, [art(A, "un")])
    batch = make_batch(tmp_path / "staging", R2, [art(B, "deux")])
    with hold_archive(path, 1.5), pytest.raises(ArchiveBusy, match="load is probably running"):
        load_batch(path, batch, wait_seconds=0.3)
    with hold_archive(path, 1.0):
        assert load_batch(path, batch, wait_seconds=30).new_articles == 1


def test_batch_folder_can_move(tmp_path: Path) -> None:
    """The load reads what batch.json lists relative to the folder, wherever the folder is."""
    batch = make_batch(tmp_path / "staging", R1, [art(A, "un")])
    moved = shutil.move(str(batch), str(tmp_path / "elsewhere"))
    assert load_batch(tmp_path / "archive.duckdb", moved).new_articles == 1


def test_batch_staged_without_story_signatures_still_loads(tmp_path: Path) -> None:
    """A batch staged before ``shingles``/``story_bands`` existed: the load signs its texts itself."""
    import pyarrow.parquet as pq

    text = " ".join(f"La technopole de Castres-Mazamet accueille sa {n}e jeune entreprise." for n in range(7))
    from pipeline.storysig import signature

    shingles, bands = signature(text)
    assert bands is not None, "long enough to be indexed"
    rows = [art(A, text), art(B, text, source_id="ladepeche")]
    signed = load(tmp_path / "signed", R1, [{**r, "shingles": shingles, "story_bands": bands} for r in rows])
    batch = make_batch(tmp_path / "staging", R1, rows)
    path = batch / "articles.parquet"
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["shingles", "story_bands"]), path)
    manifest = json.loads((batch / "batch.json").read_text(encoding="utf-8"))
    manifest["files"]["articles.parquet"] = describe(path)
    (batch / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    old = load_batch(tmp_path / "archive.duckdb", batch)
    assert (old.new_articles, signed.new_articles) == (2, 2)
    stories = "SELECT count(DISTINCT story_id), count(*) FROM articles"
    assert q(tmp_path / "archive.duckdb", stories) == q(tmp_path / "signed" / "archive.duckdb", stories) == [(1, 2)]
