"""The article gate: pages that only look like articles are rejected, with their kind as the reason.

Sandbox pages of every kind (served at URLs the outlet's article pattern accepts),
then hand-made pages, and the other side: no sandbox article and no article
that merely mentions subscribers or lists a few dates is rejected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipeline.extract import extract_article
from pipeline.gate import REASONS

sandbox = pytest.importorskip("crawlers.sandbox")

FETCHED_AT = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)
EXPECTED = {
    "tag": "tag_page",
    "section": "section_page",
    "home": "home_page",
    "contact": "contact_page",
    "legal": "legal_page",
    "gallery": "gallery",
    "agenda": "agenda",
    "paywall": "paywall_teaser",
}
LOREM = (
    "Le conseil communautaire a voté mardi soir le budget de la zone d'activité, après un long débat "
    "sur les subventions accordées aux entreprises qui s'installent dans la vallée. "
)


@pytest.fixture(scope="module")
def site() -> Any:
    return sandbox.SandboxSite(seed=7)


def _extract(site: Any, outlet: str, url: str) -> Any:
    parts = urlsplit(url)
    status, headers, body = site.render(outlet, parts.path + (f"?{parts.query}" if parts.query else ""))
    assert status == 200, url
    return extract_article(body, url=url, content_type=headers["Content-Type"], fetched_at=FETCHED_AT)


def test_every_sandbox_non_article_is_rejected_with_its_kind(site: Any) -> None:
    pages = [p for p in site.truth()["pages"] if p["article_like"]]
    assert {p["kind"] for p in pages} == set(EXPECTED) and len(pages) == 5 * len(EXPECTED)
    wrong = []
    for page in pages:
        result = _extract(site, page["outlet"], page["url"])
        if result.status != f"rejected:{EXPECTED[page['kind']]}":
            wrong.append((page["url"], page["kind"], result.status))
    assert not wrong, wrong


def test_listing_and_plain_pages_are_never_articles(site: Any) -> None:
    """Every listed non-article page, article-like URL or not, is rejected (whatever the reason)."""
    for page in site.truth()["pages"]:
        if page["kind"] in ("feed", "sitemap", "robots"):
            continue
        assert not _extract(site, page["outlet"], page["url"]).ok, page["url"]


def test_no_sandbox_article_is_gated(site: Any) -> None:
    gated = []
    for art in site.truth()["articles"]:
        result = _extract(site, art["outlet"], art["url"])
        if result.reason in REASONS:
            gated.append((art["id"], result.reason))
    assert not gated, gated


def _page(title: str, main: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><nav><a href="/">Accueil</a></nav><main><h1>{title}</h1>{main}</main>'
        f"<footer><a href='/contact'>Contact</a></footer></body></html>"
    ).encode()


def _reason(title: str, main: str, url: str = "https://example.fr/2024/05/02/page.html") -> str:
    return extract_article(_page(title, main), url=url, content_type="text/html", fetched_at=FETCHED_AT).status


HAND_MADE = {
    "rejected:tag_page": (
        "Tag : piscine",
        "".join(
            f'<div class="item"><h2><a href="/2024/05/0{i}/x{i}.html">Nouvel article numéro {i} sur la piscine</a></h2>'
            f"<p>{LOREM}</p></div>"
            for i in range(1, 5)
        ),
    ),
    "rejected:section_page": (
        "Économie",
        "".join(
            f'<article><h3><a href="/eco/{i}.html">Une entreprise de la vallée recrute {i}</a></h3>'
            f"<p>{LOREM}</p></article>"
            for i in range(1, 7)
        ),
    ),
    "rejected:contact_page": ("Contactez-nous", f"<p>{LOREM * 2}</p><form><textarea></textarea></form>"),
    "rejected:legal_page": ("Politique de confidentialité", f"<p>{LOREM * 3}</p>"),
    "rejected:gallery": (
        "Le carnaval en 10 photos",
        "".join(
            f'<figure><img src="/p{i}.jpg"><figcaption>Les chars du carnaval défilent, photo {i}</figcaption></figure>'
            for i in range(10)
        ),
    ),
    "rejected:agenda": (
        "Les rendez-vous de la semaine",
        "<ul>"
        + "".join(
            f"<li>{day} {n} mai à 20h : concert à la salle polyvalente de la commune, entrée libre</li>"
            for n, day in enumerate(("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi"), 4)
        )
        + "</ul>",
    ),
    "rejected:paywall_teaser": (
        "Le budget de la zone d'activité voté",
        f"<p>{LOREM}</p><div class='paywall-box'>"
        "<p>Cet article est réservé aux abonnés.</p><a href='/abo'>Je m'abonne</a></div>",
    ),
}


@pytest.mark.parametrize("expected", sorted(HAND_MADE))
def test_hand_made_non_articles(expected: str) -> None:
    title, main = HAND_MADE[expected]
    assert _reason(title, main) == expected


def test_articles_that_resemble_non_articles_pass() -> None:
    long_text = "".join(f"<p>Point {i} : {LOREM}</p>" for i in range(6))
    quoting = "<p>Le contenu réservé aux abonnés du club de sport a été débattu en séance.</p>" + long_text
    assert _reason("Le budget de la zone d'activité voté", quoting) == "article"
    program = long_text + "<ul><li>Samedi 4 mai : ouverture</li><li>Dimanche 5 mai : clôture</li></ul>"
    assert _reason("La fête du village revient en mai", program) == "article"
    one_photo = '<figure><img src="/a.jpg"><figcaption>Le maire</figcaption></figure>' + long_text
    assert _reason("Un nouveau maire à Anduze", one_photo) == "article"
