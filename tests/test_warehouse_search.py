"""Full-text search: French stemming, folded accents, stop words, filters, snippets, refresh after loads."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from batchfactory import art, make_batch

from warehouse import search as fts
from warehouse.errors import ArchiveError, QueryFailed
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
