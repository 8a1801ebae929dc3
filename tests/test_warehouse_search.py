"""Full-text search: French stemming, folded accents, stop words, filters, snippets, the index file and its refresh."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from batchfactory import art, make_batch

from warehouse import db
from warehouse import search as fts
from warehouse.errors import ArchiveBusy, ArchiveError, QueryFailed
from warehouse.load import load_batch
from warehouse.query import run_query

R1, R2, R3 = "20261122T043000Z-aaaaaa", "20261123T043000Z-bbbbbb", "20261124T043000Z-cccccc"
TECHNOPOLE = (
    "La Technopole de Castres-Mazamet accueille trois start-up du numérique. "
    "Le président de l’agglomération salue un projet structurant pour le sud du Tarn."
)
PERISCOPE = "Le Périscope, pôle de l’économie sociale et solidaire d’Innopole, ouvre à Ramonville."
ALES = "Alès Agglomération reçoit le directeur du programme Territoires d'industrie."
FILLER = "Le conseil municipal a voté le budget de la commune pour l'année prochaine. " * 8


def rows(run_id: str) -> list[dict[str, object]]:
    return [
        art("https://www.touleco.fr/technopole", TECHNOPOLE, title="Castres-Mazamet : la technopole grandit"),
        art("https://www.touleco.fr/periscope", PERISCOPE, title="Le Périscope", published_at=datetime(2016, 3, 10)),
        art(
            "https://www.alesagglo.fr/industrie",
            ALES,
            source_id="ales-agglo",
            title="Territoires d'industrie",
            published_at=datetime(2026, 5, 4, 10, 0),
        ),
        art(
            "https://www.touleco.fr/budget",
            FILLER + " La technopole est citée une fois.",
            title="Budget",
            published_at=datetime(2026, 1, 2),
        ),
    ]


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.duckdb"
    result = load_batch(path, make_batch(tmp_path / "staging", R1, rows(R1)))
    assert result.index_seconds is not None
    return path


def ids(hits: list[fts.SearchHit]) -> list[str]:
    return [h.url.rsplit("/", 1)[1] for h in hits]


def test_stemming_accents_and_apostrophes(archive: Path) -> None:
    assert ids(fts.search(archive, "technopoles")) == ["technopole", "budget"]
    assert ids(fts.search(archive, "ALES")) == ["industrie"]
    assert ids(fts.search(archive, "periscope")) == ["periscope"]
    assert ids(fts.search(archive, "économie")) == ["periscope"]  # written l’économie, typographic apostrophe
    assert ids(fts.search(archive, "industriel")) == []  # a different stem: no false friend


def test_stop_words_are_not_indexed(archive: Path) -> None:
    assert fts.search(archive, "la le de des") == []
    with pytest.raises(QueryFailed):
        fts.search(archive, "   ")


def test_ranking_prefers_title_and_density(archive: Path) -> None:
    hits = fts.search(archive, "technopole")
    assert hits[0].score > hits[1].score > 0
    assert hits[0].title == "Castres-Mazamet : la technopole grandit"


def test_hit_fields_and_snippet(archive: Path) -> None:
    (hit,) = fts.search(archive, "Ramonville")
    assert (hit.source_id, hit.outlet, hit.published_at) == ("toulouse-eco", "ToulÉco", datetime(2016, 3, 10))
    assert "**Ramonville**" in hit.snippet and hit.snippet.startswith("…")
    budget = next(h for h in fts.search(archive, "technopole") if h.url.endswith("budget"))
    assert "**technopole**" in budget.snippet and budget.snippet.startswith("… ")


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = " ".join(f"mot{i}" for i in range(100)) + " Les Technopoles du Tarn. " + " ".join(["fin"] * 50)
    out = fts.snippet(text, ["technopol"], before=3, after=4)
    assert out == "… mot98 mot99 Les **Technopoles** du Tarn. fin fin …"
    assert fts.snippet("sans rapport", ["technopol"]) == "sans rapport"


def test_filters(archive: Path) -> None:
    assert ids(fts.search(archive, "technopole industrie", source="ales-agglo")) == ["industrie"]
    assert ids(fts.search(archive, "technopole industrie", since=date(2026, 1, 1))) == ["industrie", "budget"]
    assert ids(fts.search(archive, "technopole industrie", until=date(2026, 5, 3))) == ["technopole", "budget"]
    assert ids(fts.search(archive, "industrie", until=date(2026, 5, 4))) == ["industrie"]  # the whole day
    assert ids(fts.search(archive, "technopole industrie", until=datetime(2026, 5, 4, 9))) == ["technopole", "budget"]
    assert len(fts.search(archive, "technopole industrie", limit=1)) == 1


def test_macro_in_sql(archive: Path) -> None:
    result = run_query(archive, "SELECT outlet, title FROM search_articles('technopole') LIMIT 1")
    assert result.columns == ["outlet", "title"]
    assert result.rows == [("ToulÉco", "Castres-Mazamet : la technopole grandit")]


def test_index_follows_new_articles_and_versions(archive: Path, tmp_path: Path) -> None:
    changed = art(
        "https://www.touleco.fr/periscope", "Le Périscope déménage à Labège.", title="Le Périscope", minutes=60
    )
    new = art("https://www.touleco.fr/labege", "Labège inaugure son parc.", title="Labège", minutes=61)
    result = load_batch(archive, make_batch(tmp_path / "staging", R2, [changed, new]))
    assert result.index_seconds is not None
    assert sorted(ids(fts.search(archive, "Labège"))) == ["labege", "periscope"]
    assert fts.search(archive, "Ramonville") == []  # the old text is in article_versions, not searched
    # A re-crawl that changes no text does not pay for a rebuild.
    again = load_batch(archive, make_batch(tmp_path / "staging", R3, [dict(new, fetched_at=new["fetched_at"])]))
    assert again.unchanged == 1 and again.index_seconds is None
    assert fts.index_status(archive).loads_behind == 0


def test_deferred_rebuild_is_reported_then_repaired(archive: Path, tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "staging", R2, [art("https://www.touleco.fr/albi", "Albi fête le rugby.")])
    assert load_batch(archive, batch, reindex=False).index_seconds is None
    state = fts.index_status(archive)
    assert state.built and state.loads_behind == 1 and state.articles == 4
    assert fts.search(archive, "rugby") == []
    # Loading the same batch again is a no-op for the data but repairs the index.
    again = load_batch(archive, batch)
    assert again.skipped and again.index_seconds is not None
    assert ids(fts.search(archive, "rugby")) == ["albi"]


def test_archive_without_index(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load_batch(path, make_batch(tmp_path / "staging", R1, rows(R1)), reindex=False)
    assert not fts.index_status(path).built
    with pytest.raises(ArchiveError, match="no full-text index"):
        fts.search(path, "technopole")
    fts.rebuild(path)
    assert fts.search(path, "technopole")


# --- the index file beside the archive -------------------------------------------------------------------


def test_index_is_a_separate_file_and_the_archive_keeps_no_fts_schema(archive: Path) -> None:
    assert fts.index_path(archive) == archive.with_name("archive_search.duckdb")
    assert fts.index_path(archive).is_file()
    con = db.connect(archive, read_only=True)
    try:
        schemas = {s for (s,) in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
        macros = con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'search_articles'")
        assert fts.FTS_SCHEMA not in schemas and macros.fetchone() == (0,)
    finally:
        con.close()
    state = fts.index_status(archive)
    assert state.built and state.current and state.loads_behind == 0 and state.articles == 4
    assert not state.refreshing


def test_archive_is_free_while_the_bm25_index_builds(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the copy and the swap the archive is not held: a load-like write opening gets it at once."""
    load_batch(archive, make_batch(tmp_path / "staging", R2, [art("https://www.touleco.fr/albi", "Albi.")]),
               reindex=False)  # fmt: skip
    seen: list[int] = []
    real_load_fts = fts.load_fts

    def during_build(con: object) -> None:
        if not seen:  # the refresh's own call (search() below calls it too)
            seen.append(-1)
            with db.open_archive(archive, wait_seconds=0) as writer:  # ArchiveBusy if the refresh still held it
                row = writer.execute("SELECT count(*) FROM articles").fetchone()
                seen[0] = int(row[0]) if row else -1
            assert fts.search(archive, "technopole")  # the old index still answers meanwhile
        real_load_fts(con)  # type: ignore[arg-type]

    monkeypatch.setattr(fts, "load_fts", during_build)
    assert fts.refresh(archive) is not None
    assert seen == [5]
    assert ids(fts.search(archive, "Albi")) == ["albi"]


def test_a_reader_of_the_old_index_keeps_it_while_a_refresh_replaces_it(archive: Path, tmp_path: Path) -> None:
    old = db.connect(fts.index_path(archive), read_only=True)
    try:
        load_batch(archive, make_batch(tmp_path / "staging", R2, [art("https://www.touleco.fr/albi", "Albi.")]))
        assert old.execute("SELECT count(*) FROM articles").fetchone() == (4,)
    finally:
        old.close()
    assert fts.index_status(archive).articles == 5


def test_refresh_is_a_no_op_when_nothing_indexed_changed(archive: Path) -> None:
    before = fts.index_path(archive).stat().st_ino
    assert fts.refresh(archive) is None
    assert fts.index_path(archive).stat().st_ino == before


def test_a_change_without_a_load_makes_the_index_stale(archive: Path) -> None:
    """Re-extraction rewrites texts without a load: the fingerprint, not the load count, notices."""
    with db.open_archive(archive) as con:
        con.execute("UPDATE articles SET title = 'Castres retitré', text_hash = 'x' WHERE url LIKE '%technopole'")
    state = fts.index_status(archive)
    assert state.built and not state.current and state.loads_behind == 0
    assert fts.refresh(archive) is not None
    assert fts.index_status(archive).current
    assert fts.search(archive, "retitré")[0].title == "Castres retitré"


def test_one_refresh_at_a_time(archive: Path) -> None:
    with fts._refresh_lock(archive, 0) as held:
        assert held and fts.refreshing(archive) and fts.index_status(archive).refreshing
        with pytest.raises(ArchiveBusy, match="another index refresh"):
            fts.refresh(archive, force=True, wait_seconds=0)
    assert not fts.refreshing(archive)
    assert fts.refresh(archive, force=True, wait_seconds=0) is not None


def test_sql_macro_ranks_like_match_bm25(archive: Path) -> None:
    """Beside the archive, search_articles gives DuckDB's own match_bm25 scores, in the same order as search()."""
    con = db.connect(fts.index_path(archive), read_only=True)
    try:
        db.load_fts(con)
        expected = con.execute(
            "SELECT article_id, round(s, 9) FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, "
            "'technopole industrie') AS s FROM articles) WHERE s IS NOT NULL ORDER BY s DESC"
        ).fetchall()
        stored = con.execute("SELECT article_id, round(score, 9) FROM search_articles('technopole industrie')")
        assert stored.fetchall() == expected  # the macro stored in the index file, opened on its own
    finally:
        con.close()
    rows = run_query(archive, "SELECT article_id, round(score, 9) FROM search_articles('technopole industrie')")
    assert rows.rows == expected
    assert [h.article_id for h in fts.search(archive, "technopole industrie")] == [r[0] for r in expected]
    joined = run_query(
        archive,
        "SELECT h.title, a.word_count > 0 FROM search_articles('Ramonville') h JOIN articles a USING (article_id)",
    )
    assert joined.rows == [("Le Périscope", True)]


def test_sql_macro_without_an_index_says_so(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    load_batch(path, make_batch(tmp_path / "staging", R1, rows(R1)), reindex=False)
    with pytest.raises(QueryFailed, match="no full-text index"):
        run_query(path, "SELECT * FROM search_articles('technopole')")
    assert run_query(path, "SELECT count(*) FROM articles").rows == [(4,)]


def test_migration_030_drops_the_old_in_archive_index(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    with db.open_archive(path) as con:  # an archive as the previous version left it
        db.load_fts(con)
        con.execute(fts._CREATE_INDEX)
        con.execute("CREATE MACRO search_articles(q) AS TABLE SELECT 1 AS score")
        con.execute("DELETE FROM schema_migrations WHERE version = 30")
    with db.open_archive(path) as con:
        assert (
            con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [fts.FTS_SCHEMA]).fetchone()[0]
            == 0
        )
        assert con.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'search_articles'"
        ).fetchone() == (0,)


def test_documented_plain_duckdb_paths(archive: Path) -> None:
    """docs/archive.md: open the index file and attach the archive, or attach the index to the archive."""
    con = db.connect(fts.index_path(archive), read_only=True)
    try:
        con.execute(f"ATTACH '{archive}' AS archive (READ_ONLY)")
        rows = con.execute(
            "SELECT h.outlet, a.word_count > 0 FROM search_articles('Ramonville') h "
            "JOIN archive.articles a USING (article_id)"
        ).fetchall()
        assert rows == [("ToulÉco", True)]
    finally:
        con.close()
    con = db.connect(archive, read_only=True)
    try:
        assert fts.attach(con, archive)
        assert con.execute("SELECT title FROM search_articles('Ramonville')").fetchall() == [("Le Périscope",)]
    finally:
        con.close()
