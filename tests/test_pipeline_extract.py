"""Extraction on hand-written French pages, one per template family.

Each test says what must be in the text (first and last sentences) and what
must not (menus, "À lire aussi", comment counters and forms, newsletter boxes),
in the manner of trafilatura's realworld tests.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.extract import EXTRACTOR, extract_article
from pipeline.fingerprint import text_hash

FETCHED = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)

MENU = """
<header><a class="logo" href="/">Le Courrier du Tarn</a>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/politique">Politique</a></li>
<li><a href="/economie">Économie</a></li><li><a href="/sports">Sports</a></li>
<li><a href="/contact">Nous contacter</a></li></ul></nav></header>
"""
FOOTER = """
<footer><ul><li><a href="/mentions">Mentions légales</a></li><li><a href="/plan">Plan du site</a></li>
</ul><p>© 2024 Le Courrier du Tarn — tous droits réservés</p></footer>
"""

JSONLD_PAGE = f"""<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="utf-8">
<title>Le Périscope fédère l'économie sociale à Ramonville | ToulÉco</title>
<meta name="description" content="Un pôle de coopération s'installe à Ramonville.">
<link rel="canonical" href="https://www.touleco.fr/le-periscope-federe-l-economie-sociale,18750">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@graph": [
 {{"@type": "Organization", "name": "ToulÉco"}},
 {{"@type": "NewsArticle", "headline": "Le Périscope fédère l'économie sociale à Ramonville",
  "datePublished": "2016-03-10T17:52:00Z", "dateModified": "2016-03-11T09:05:00+01:00",
  "author": [{{"@type": "Person", "name": "Aurélie de Varax"}}],
  "articleSection": "Économie sociale", "keywords": "ESS, Innopole, Ramonville",
  "image": {{"@type": "ImageObject", "url": "/images/periscope.jpg"}},
  "publisher": {{"@type": "Organization", "name": "ToulÉco"}}}}]}}
</script></head><body>{MENU}
<main><article>
<h1>Le Périscope fédère l'économie sociale à Ramonville</h1>
<div class="byline">Par <a rel="author" href="/auteur/varax">Aurélie de Varax</a>
 · <time datetime="2016-03-10T18:52:00+01:00">10 mars 2016</time></div>
<div class="share-bar"><a>Partager sur Facebook</a> <a>Twitter</a> <a>LinkedIn</a></div>
<p class="chapo">Le pôle territorial de coopération économique d'Innopole s'installe dans un bâtiment neuf.</p>
<p>Le Périscope réunit une vingtaine de structures de l'économie sociale et solidaire, des
associations aux coopératives, sur le site de la technopole de Ramonville.</p>
<h2>Un lieu pour coopérer</h2>
<p>« Nous voulons mutualiser les moyens », explique sa directrice, qui compte accueillir dix
nouvelles structures d'ici la fin de l'année.</p>
<ul><li>un espace de coworking de trois cents mètres carrés</li><li>une salle de réunion partagée</li></ul>
<p><strong>À lire aussi :</strong> <a href="/x">L'économie sociale recrute à Toulouse</a></p>
<blockquote><p>Le territoire a besoin de ces lieux hybrides.</p></blockquote>
<p>L'inauguration officielle est prévue au printemps, en présence des élus de l'agglomération.</p>
<aside class="related"><h3>À lire aussi</h3><ul><li><a href="/a">Toulouse : un nouveau tiers-lieu</a></li>
<li><a href="/b">Labège mise sur l'innovation</a></li></ul></aside>
<div class="newsletter"><p>Inscrivez-vous à notre newsletter pour recevoir l'actualité économique.</p>
<form><input type="email"><button>S'inscrire</button></form></div>
<section id="comments"><h3>1 Commentaire</h3><div class="comment"><p>Bravo pour ce beau projet
collectif, il était temps que la technopole accueille ce type de structure !</p></div>
<a href="#respond">Répondre à cet article</a></section>
</article></main>{FOOTER}</body></html>"""

OPENGRAPH_PAGE = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Alès : le directeur de Territoires d'industrie en visite - Alès Agglo</title>
<meta property="og:site_name" content="Alès Agglo">
<meta property="og:title" content="Alès : le directeur de Territoires d'industrie en visite - Alès Agglo">
<meta property="og:description" content="Le programme national s'intéresse au bassin alésien.">
<meta property="og:image" content="/medias/visite.jpg">
<meta property="og:locale" content="fr_FR">
<meta property="article:published_time" content="2021-09-17T08:15:00+02:00">
<meta property="article:modified_time" content="2021-09-17T10:00:00+02:00">
<meta property="article:author" content="https://www.facebook.com/alesagglo">
<meta name="author" content="Alès Agglo">
<meta property="article:section" content="Communiqués">
<meta property="article:tag" content="Industrie"><meta property="article:tag" content="Emploi">
<link rel="canonical" href="/communiques/visite-territoires-industrie?utm_source=twitter&amp;xtor=RSS-3">
<link rel="amphtml" href="/amp/communiques/visite-territoires-industrie">
</head><body>{MENU}
<div id="page"><div class="entry">
<h1 class="entry-title">Alès : le directeur de Territoires d'industrie en visite</h1>
<div class="entry-meta">Publié le 17/09/2021 à 08h15</div>
<div class="entry-content">
<p>Le directeur du programme Territoires d'industrie est attendu lundi à Alès pour une journée
de rencontres avec les entreprises du bassin.</p>
<p>Il visitera trois sites industriels et échangera avec les élus sur les projets de
réindustrialisation portés par l'agglomération.</p>
<p>Lire aussi : Le pôle mécanique d'Alès accueille deux nouvelles entreprises</p>
<p>La visite se conclura par une conférence de presse à l'hôtel de l'agglomération en fin
d'après-midi.</p>
</div>
<div class="sharedaddy"><h3>Partager :</h3><a>Facebook</a><a>Twitter</a></div>
<div class="comments-area"><h3 class="comments-title">3 commentaires</h3>
<p>Très bonne nouvelle pour l'emploi local et pour toute la région cévenole, bravo à l'agglo.</p>
<div id="respond"><h3>Laisser un commentaire</h3><form><textarea></textarea></form></div></div>
</div></div>{FOOTER}</body></html>"""

VISIBLE_PAGE = f"""<html><head><title>La Technopole de Castres-Mazamet accueille une école - Le blog du député</title>
</head><body>{MENU}
<div class="contenu"><div class="article">
<h1>La Technopole de Castres-Mazamet accueille une école</h1>
<div class="infos">Publié le jeudi 10 mars 2016 à 18h52min par Aurélie Martin et Jean Dupont</div>
<div class="texte">
<p>La Technopole de Castres-Mazamet accueillera dès la rentrée une école d'ingénieurs consacrée
au numérique.</p>
<p>Les premiers étudiants sont attendus en septembre dans les locaux rénovés du parc
technologique du Causse.</p>
<p>Par ailleurs, la communauté d'agglomération finance une partie des équipements
pédagogiques et des logements.</p>
<p>Le député salue un projet structurant pour tout le sud du Tarn.</p>
</div>
<div class="reactions"><p>1 Commentaire</p><p><a href="#r">Répondre à cet article</a></p></div>
<div class="lettre"><p>Recevez notre newsletter chaque semaine</p></div>
</div></div>{FOOTER}</body></html>"""

LATIN1_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>Fête de la châtaigne à Mazamet : un succès | La Dépêche du Thoré</title>
<meta property="og:title" content="Fête de la châtaigne à Mazamet : un succès">
</head><body>
<article><h1>Fête de la châtaigne à Mazamet : un succès</h1>
<p class="date">Le 17 octobre 2022</p><p class="auteur">Par Élodie Brûlé</p>
<p>Près de cinq mille visiteurs se sont pressés dimanche à la fête de la châtaigne, malgré
une météo capricieuse en matinée.</p>
<p>Les producteurs de l'Hérépian et du Thoré ont écoulé plusieurs tonnes de marrons grillés
et de crème de châtaigne.</p>
<p>Rendez-vous est déjà pris pour l'édition de l'année prochaine, qui fêtera ses trente ans.</p>
</article></body></html>"""


def _extract(page: str | bytes, url: str, content_type: str | None = "text/html; charset=utf-8"):
    body = page.encode("utf-8") if isinstance(page, str) else page
    result = extract_article(body, url=url, content_type=content_type, fetched_at=FETCHED)
    assert result.ok, result.reason
    assert result.record is not None
    return result.record


BOILERPLATE = (
    "À lire aussi", "Lire aussi", "commentaire", "Commentaire", "Répondre à cet article",
    "newsletter", "Accueil", "Nous contacter", "Mentions légales", "Partager", "Bravo",
    "Laisser un commentaire", "tous droits réservés",
)  # fmt: skip


def _assert_clean(text: str) -> None:
    for fragment in BOILERPLATE:
        assert fragment not in text, fragment


def test_jsonld_page() -> None:
    record = _extract(JSONLD_PAGE, "https://www.touleco.fr/le-periscope,18750?xtor=RSS-3")
    text = record["text"]
    assert text.startswith("Le pôle territorial de coopération économique d'Innopole")
    assert text.endswith("en présence des élus de l'agglomération.")
    assert "Un lieu pour coopérer" in text  # intertitle
    assert "une salle de réunion partagée" in text  # list item
    assert "Le territoire a besoin de ces lieux hybrides." in text  # quote
    _assert_clean(text)
    assert "Aurélie de Varax" not in text  # the byline is a field, not text
    assert record["title"] == "Le Périscope fédère l'économie sociale à Ramonville"
    assert record["authors"] == ["Aurélie de Varax"]
    assert record["published_at"] == datetime(2016, 3, 10, 18, 52)  # 17:52Z is 18:52 in Paris
    assert record["modified_at"] == datetime(2016, 3, 11, 9, 5)
    assert record["section"] == "Économie sociale"
    assert record["tags"] == ["ESS", "Innopole", "Ramonville"]
    assert record["language"] == "fr"
    assert record["image"] == "https://www.touleco.fr/images/periscope.jpg"
    assert record["description"] == "Un pôle de coopération s'installe à Ramonville."
    assert record["canonical_url"] == ("https://www.touleco.fr/le-periscope-federe-l-economie-sociale,18750")
    assert record["text_hash"] == text_hash(text)
    assert record["word_count"] == len(text.split())
    assert record["extractor"] == EXTRACTOR
    assert record["fetched_at"] == FETCHED


def test_opengraph_page() -> None:
    url = "https://www.ales.fr/communiques/visite-territoires-industrie?fbclid=abc"
    record = _extract(OPENGRAPH_PAGE, url)
    text = record["text"]
    assert text.startswith("Le directeur du programme Territoires d'industrie est attendu lundi")
    assert text.endswith("à l'hôtel de l'agglomération en fin d'après-midi.")
    _assert_clean(text)
    assert "Publié le" not in text
    assert record["title"] == "Alès : le directeur de Territoires d'industrie en visite"
    assert record["authors"] == []  # a URL and the site name are not people
    assert record["published_at"] == datetime(2021, 9, 17, 8, 15)
    assert record["modified_at"] == datetime(2021, 9, 17, 10, 0)
    assert record["section"] == "Communiqués"
    assert record["tags"] == ["Industrie", "Emploi"]
    assert record["language"] == "fr"
    assert record["image"] == "https://www.ales.fr/medias/visite.jpg"
    assert record["canonical_url"] == "https://www.ales.fr/communiques/visite-territoires-industrie"


def test_visible_text_only_page() -> None:
    record = _extract(VISIBLE_PAGE, "https://blog.depute.fr/2016/03/technopole-ecole/")
    text = record["text"]
    assert text.startswith("La Technopole de Castres-Mazamet accueillera dès la rentrée")
    assert text.endswith("Le député salue un projet structurant pour tout le sud du Tarn.")
    assert "Par ailleurs, la communauté d'agglomération" in text  # not a byline
    _assert_clean(text)
    assert "Publié le" not in text
    assert record["title"] == "La Technopole de Castres-Mazamet accueille une école"
    assert record["authors"] == ["Aurélie Martin", "Jean Dupont"]
    assert record["published_at"] == datetime(2016, 3, 10, 18, 52)
    assert record["language"] is None
    assert record["canonical_url"] == "https://blog.depute.fr/2016/03/technopole-ecole/"


@pytest.mark.parametrize(
    ("content_type", "page"),
    [
        ("text/html", LATIN1_PAGE),  # charset in <meta http-equiv> only
        ("text/html; charset=ISO-8859-1", LATIN1_PAGE),  # in HTTP
        (None, LATIN1_PAGE.replace("charset=iso-8859-1", "")),  # nowhere: UTF-8 fails, latin-1
    ],
)
def test_latin1_page(content_type: str | None, page: str) -> None:
    record = _extract(page.encode("latin-1"), "http://www.depeche-thore.fr/a/12", content_type)
    assert record["title"] == "Fête de la châtaigne à Mazamet : un succès"
    assert record["text"].startswith("Près de cinq mille visiteurs se sont pressés dimanche")
    assert record["text"].endswith("qui fêtera ses trente ans.")
    assert record["authors"] == ["Élodie Brûlé"]
    assert record["published_at"] == datetime(2022, 10, 17)
    assert "Ã" not in record["text"]


def test_rejections() -> None:
    def reason(body: bytes, content_type: str | None = "text/html") -> str | None:
        return extract_article(body, url="https://x.fr/a", content_type=content_type,
                               fetched_at=FETCHED).reason  # fmt: skip

    assert reason(b"%PDF-1.7 ...", "application/pdf") == "not_html"
    assert reason(b"", "text/html") == "empty"
    assert reason(b"<html><body><h1>Titre</h1><p>Trop court.</p></body></html>") == "too_short"
    untitled = "<html><body>" + "<p>" + "Une phrase sans titre ni intertitre. " * 12 + "</p>" * 3
    assert reason((untitled + "</body></html>").encode()) == "no_title"


def test_future_dates_are_rejected() -> None:
    page = OPENGRAPH_PAGE.replace("2021-09-17T08:15:00+02:00", "2031-01-01T08:00:00+01:00")
    page = page.replace("Publié le 17/09/2021 à 08h15", "Publié le 16/09/2021 à 07h00")
    record = _extract(page, "https://www.ales.fr/communiques/visite")
    # the declared date is after the fetch: the visible dateline is used instead
    assert record["published_at"] == datetime(2021, 9, 16, 7, 0)


def test_same_text_same_hash_across_templates() -> None:
    a = _extract(JSONLD_PAGE, "https://a.fr/x")
    b = _extract(JSONLD_PAGE.replace("« Nous", '"Nous').replace("moyens »", 'moyens"'), "https://a.fr/y")
    assert a["text"] != b["text"]
    assert a["text_hash"] == b["text_hash"]


def test_body_wrapper_with_a_boilerplate_class_is_kept() -> None:
    """A short article inside <div class="entry-content share-enabled"> must survive the prune."""
    paragraphs = [
        "La mairie de Lavaur annonce la réouverture de la piscine municipale dès lundi matin.",
        "Les travaux de rénovation du bassin ont duré huit mois et coûté près de deux millions.",
        "Les horaires d'ouverture restent inchangés pendant toute la saison estivale à venir.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = (
        "<html><head><title>Lavaur : la piscine rouvre - Le Tarn libre</title></head><body>"
        f'<div class="entry-content share-enabled comments-open"><h1>Lavaur : la piscine rouvre</h1>{body}</div>'
        '<div class="share"><a>Partager</a></div></body></html>'
    )
    record = _extract(page, "https://tarnlibre.fr/lavaur-piscine")
    assert record["text"] == "\n".join(paragraphs)
    assert record["title"] == "Lavaur : la piscine rouvre"


def test_prebuilt_trafilatura_options_equal_fresh_ones() -> None:
    """The body is extracted with a copy of one prebuilt Extractor: it must be the one trafilatura builds."""
    from trafilatura.settings import Extractor

    from pipeline.bodytext import _TRAFILATURA_ARGS, trafilatura_options

    for url in (None, "https://www.touleco.fr/le-periscope,18750", "https://x.fr/caf\udce9"):
        fresh, built = Extractor(url=url, **_TRAFILATURA_ARGS), trafilatura_options(url)
        for name in Extractor.__slots__:
            assert getattr(built, name) == getattr(fresh, name), name


@pytest.mark.parametrize("page", [JSONLD_PAGE, OPENGRAPH_PAGE, VISIBLE_PAGE])
def test_one_parse_pipeline_equals_the_copying_one(page: str) -> None:
    """extract_article parses once and prunes in place; the pieces on fresh parses and copies agree."""
    from pipeline.bodytext import body_text, prune_boilerplate
    from pipeline.extract import parse_page
    from pipeline.gate import non_article_reason, page_shape, paywall_marked
    from pipeline.metadata import page_metadata

    url = "https://www.touleco.fr/2016/03/10/le-periscope.html"
    tree = parse_page(page.encode(), "text/html; charset=utf-8")
    assert not isinstance(tree, str)
    meta = page_metadata(tree, url, FETCHED)
    pruned = prune_boilerplate(tree)
    shape = page_shape(tree, pruned)
    text = body_text(pruned, url, meta.title, meta.authors, pruned=True)
    assert non_article_reason(shape, meta.title, text, url, paywall=paywall_marked(tree)) is None
    record = _extract(page, url)
    assert (record["text"], record["title"], record["authors"]) == (text, meta.title, meta.authors)
    assert (record["published_at"], record["text_hash"]) == (meta.published, text_hash(text))
