"""Opening the archive: migrations, the offline FTS extension, the bounded wait on the lock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from batchfactory import hold_archive

from warehouse import db, migrations
from warehouse.errors import ArchiveBusy, ArchiveError

TABLES = {
    "sources",
    "crawl_runs",
    "fetches",
    "articles",
    "article_versions",
    "article_urls",
    "loaded_batches",
    "schema_migrations",
    "search_stopwords",
    "search_index_state",
}


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    with db.open_archive(path) as con:
        rows = con.execute("SELECT version, name FROM schema_migrations").fetchall()
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert rows == [(m.version, m.name) for m in migrations.available()]
    assert rows[:2] == [(1, "initial"), (2, "search")]
    assert tables >= TABLES
    assert {"coverage_daily", "stories"} <= views
    with db.open_archive(path) as con:
        assert migrations.migrate(con) == []
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(rows),)


def test_migrations_are_numbered_and_ordered() -> None:
    found = migrations.available()
    assert [m.version for m in found] == sorted(m.version for m in found)
    assert found[0].version == 1 and "CREATE TABLE articles" in found[0].sql


def test_archive_from_a_newer_pressarchive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    with db.open_archive(path) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    with pytest.raises(ArchiveError, match="upgrade pressarchive"), db.open_archive(path):
        pass


def test_fts_loads_offline_with_french_stemming(tmp_path: Path) -> None:
    assert db.extension_directory() is not None, "duckdb-ext-fts wheel not installed"
    con = db.connect(tmp_path / "fts.duckdb")
    try:
        db.load_fts(con)
        con.execute("CREATE TABLE docs (id VARCHAR, title VARCHAR, body VARCHAR)")
        con.execute(
            "INSERT INTO docs VALUES "
            "('periscope', 'Le Périscope', 'Le cluster de l''économie sociale à Ramonville'),"
            "('ales', 'Alès Agglomération', 'Visite du directeur de Territoires d''industrie'),"
            "('castres', 'Technopole', 'La technopole de Castres-Mazamet accueille des start-up')"
        )
        con.execute("PRAGMA create_fts_index('docs', 'id', 'title', 'body', stemmer = 'french')")
        hits = con.execute(
            "SELECT id FROM (SELECT id, fts_main_docs.match_bm25(id, 'industries') AS score "
            "FROM docs) WHERE score IS NOT NULL ORDER BY score DESC"
        ).fetchall()
    finally:
        con.close()
    assert hits == [("ales",)]


def test_open_waits_for_a_writer_then_gives_up_with_archive_busy(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    with db.open_archive(path):
        pass
    with hold_archive(path, 1.5):
        start = time.monotonic()
        with pytest.raises(ArchiveBusy) as caught:
            db.connect_waiting(path, read_only=False, wait_seconds=0.5)
        assert time.monotonic() - start >= 0.5
    message = str(caught.value)
    assert str(path) in message and "load is probably running" in message and "Retry" in message
