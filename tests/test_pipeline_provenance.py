"""Metadata with provenance: where each date came from, relative French dates, the agency apart."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from pipeline.authors import agency_of, byline_names
from pipeline.dates import relative_date, url_date
from pipeline.extract import extract_article
from pipeline.stage import with_listed_date

FETCHED = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 15:30 in Paris


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("il y a 3 heures", datetime(2026, 3, 10, 12, 30)),
        ("Publié il y a 20 minutes", datetime(2026, 3, 10, 15, 10)),
        ("il y a 2 jours", datetime(2026, 3, 8, 15, 30)),
        ("hier à 18h52", datetime(2026, 3, 9, 18, 52)),
        ("aujourd'hui à 08:05", datetime(2026, 3, 10, 8, 5)),
        ("le 17/09/2020", None),
    ],
)
def test_relative_dates_count_back_from_the_fetch(text: str, expected: datetime | None) -> None:
    assert relative_date(text, FETCHED) == expected


def test_url_dates() -> None:
    assert url_date("https://x.fr/2016/03/10/2341234-slug.html") == datetime(2016, 3, 10)
    assert url_date("https://x.fr/2016/13/40/slug/") is None
    assert url_date("https://x.fr/actualite/5234-slug.html") is None


@pytest.mark.parametrize(
    ("byline", "names", "agency"),
    [
        ("Par Agence Presse Sud avec APS", ["Agence Presse Sud"], "APS"),
        ("Par Jean Dupont (AFP)", ["Jean Dupont"], "AFP"),
        ("Par Marie Curie, journaliste, avec l'AFP", ["Marie Curie"], "AFP"),
        ("Par Paul Martin / Reuters", ["Paul Martin"], "Reuters"),
        ("Par Paul Martin et Léa Roux", ["Paul Martin", "Léa Roux"], None),
    ],
)
def test_agency_is_kept_apart_from_the_authors(byline: str, names: list[str], agency: str | None) -> None:
    assert byline_names(byline) == names
    assert agency_of([byline], names) == agency


def _page(head: str, body: str) -> bytes:
    para = " ".join(["Le conseil municipal a voté le budget de la commune pour l'année à venir."] * 4)
    return (
        f'<html lang="fr"><head><meta charset="utf-8"><title>Le budget voté</title>{head}</head><body>'
        f"<article><h1>Le budget voté</h1>{body}<p>{para}</p><p>{para} Fin.</p></article></body></html>"
    ).encode()


def test_sources_of_dates_and_rejected_future() -> None:
    def extract(head: str, body: str = "", url: str = "https://x.fr/budget.html") -> dict[str, object]:
        result = extract_article(_page(head, body), url=url, content_type="text/html", fetched_at=FETCHED)
        assert result.record is not None
        return result.record

    meta = extract(
        '<meta property="article:published_time" content="2026-03-09T10:00:00+01:00">'
        '<meta property="article:modified_time" content="2026-03-10T09:00:00+01:00">'
    )
    assert (meta["published_source"], meta["modified_source"]) == ("meta", "meta")
    assert meta["published_at"] == datetime(2026, 3, 9, 10, 0)
    text = extract("", '<p class="date">Publié il y a 3 heures</p>')
    assert (text["published_at"], text["published_source"]) == (datetime(2026, 3, 10, 12, 30), "text")
    future = extract(
        '<meta property="article:published_time" content="2027-01-01T10:00:00+01:00">',
        url="https://x.fr/2026/03/01/budget.html",
    )
    assert (future["published_at"], future["published_source"]) == (datetime(2026, 3, 1), "url")
    nothing = extract("")
    assert nothing["published_source"] in (None, "htmldate")
    listed = with_listed_date(
        {**nothing, "published_at": None, "published_source": None},
        {"listed_at": "Tue, 08 Mar 2026 09:00:00 +0100", "discovered_via": "feed"},
    )
    assert (listed["published_at"], listed["published_source"]) == (datetime(2026, 3, 8, 9, 0), "feed")


def test_sandbox_provenance_per_outlet() -> None:
    sandbox = pytest.importorskip("crawlers.sandbox")
    site = sandbox.SandboxSite(seed=7)
    sources: dict[str, Counter[str]] = {}
    agencies = Counter()
    for art in site.truth()["articles"]:
        _status, headers, body = site.render(art["outlet"], urlsplit(art["url"]).path)
        record = extract_article(
            body, url=art["url"], content_type=headers["Content-Type"], fetched_at=datetime(2026, 11, 22, tzinfo=UTC)
        ).record
        assert record is not None
        sources.setdefault(art["outlet"], Counter())[str(record["published_source"])] += 1
        agencies[str(record["agency"])] += 1
    print(f"\npublished_source per outlet: { {k: dict(v) for k, v in sources.items()} }; agencies {dict(agencies)}")
    assert set(sources["voix-du-tarn"]) == {"jsonld"}
    assert set(sources["echo-cevennes"]) == {"text"}
    assert all("None" not in counts for counts in sources.values())
    assert agencies["None"] == sum(agencies.values()) - 3, "only the three dispatch copies credit an agency"
