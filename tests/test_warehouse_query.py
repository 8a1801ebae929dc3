"""The read-only query path: refuses writes by statement type, waits for a load, never creates."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from batchfactory import art, hold_archive, make_batch

from warehouse.errors import ArchiveBusy, ArchiveMissing, QueryFailed, WriteRefused
from warehouse.load import load_batch
from warehouse.query import run_query, table_counts


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.duckdb"
    batch = make_batch(
        tmp_path / "staging",
        "20261122T043000Z-aaaaaa",
        [art("https://www.touleco.fr/a", "un"), art("https://www.touleco.fr/b", "deux")],
    )
    load_batch(path, batch)
    return path


def test_select_returns_columns_and_rows(archive: Path) -> None:
    result = run_query(archive, "SELECT url, version FROM articles ORDER BY url")
    assert result.columns == ["url", "version"]
    assert result.rows == [("https://www.touleco.fr/a", 1), ("https://www.touleco.fr/b", 1)]
    assert not result.truncated


def test_reads_of_every_kind_are_allowed(archive: Path) -> None:
    for sql in (
        "FROM stories",
        "WITH x AS (SELECT * FROM articles) SELECT count(*) FROM x",
        "DESCRIBE articles",
        "SHOW TABLES",
        "PRAGMA table_info('articles')",
        "EXPLAIN SELECT * FROM articles",
        "SELECT 1; SELECT 2",
    ):
        assert run_query(archive, sql).columns, sql


def test_max_rows_truncates(archive: Path) -> None:
    result = run_query(archive, "SELECT * FROM articles", max_rows=1)
    assert len(result.rows) == 1 and result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO sources (source_id, loaded_at) VALUES ('x', now())",
        "DROP TABLE articles",
        "CREATE TABLE t AS SELECT 1",
        "COPY articles TO 'out.csv'",
        "UPDATE articles SET title = 'x'",
        "DELETE FROM articles",
        "ATTACH 'other.duckdb' AS other",
        "SELECT 1; DROP TABLE articles",
        "/* harmless */ drop   TABLE articles",
        "EXPLAIN ANALYZE DELETE FROM articles",
        "EXPORT DATABASE 'dump'",
        "CHECKPOINT",
        "PRAGMA create_fts_index('articles', 'article_id', 'text')",
        "PRAGMA create_fts_index('articles', 'article_id', 'text', overwrite = 1)",
        "pragma drop_fts_index('articles')",
        "SET threads = 1",
        "LOAD fts",
    ],
)
def test_writes_are_refused(archive: Path, sql: str) -> None:
    with pytest.raises(WriteRefused):
        run_query(archive, sql)
    assert run_query(archive, "SELECT count(*) FROM articles").rows == [(2,)]


def test_bad_sql_is_a_query_failure(archive: Path) -> None:
    with pytest.raises(QueryFailed):
        run_query(archive, "SELEC oops")
    with pytest.raises(QueryFailed):
        run_query(archive, "SELECT * FROM no_such_table")


def test_missing_archive(tmp_path: Path) -> None:
    path = tmp_path / "nothing.duckdb"
    with pytest.raises(ArchiveMissing, match="pressarchive demo"):
        run_query(path, "SELECT 1")
    assert not path.exists()


def test_query_waits_while_another_process_writes(archive: Path) -> None:
    with hold_archive(archive, 2.0):
        start = time.monotonic()
        result = run_query(archive, "SELECT count(*) FROM articles", wait_seconds=30)
        waited = time.monotonic() - start
    assert result.rows == [(2,)]
    assert waited >= 1.0


def test_query_gives_up_after_its_wait(archive: Path) -> None:
    with hold_archive(archive, 1.5), pytest.raises(ArchiveBusy, match=str(archive)):
        run_query(archive, "SELECT 1", wait_seconds=0.3)


def test_table_counts(archive: Path) -> None:
    counts = table_counts(archive)
    assert counts["articles"] == 2 and counts["fetches"] == 2 and counts["schema_migrations"] >= 2
    assert list(counts) == sorted(counts)


def test_search_works_through_the_query_path(archive: Path) -> None:
    """The load built the index file: search_articles and the attached index work read-only."""
    rows = run_query(archive, "SELECT url FROM search_articles('deux')").rows
    assert rows == [("https://www.touleco.fr/b",)]
    assert run_query(archive, "SELECT url FROM search_index.articles WHERE url LIKE '%/b'").rows == rows
