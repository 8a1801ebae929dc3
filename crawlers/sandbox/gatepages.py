"""Pages that look like articles to a crawler but are not: what the article gate must reject.

Real outlets serve tag pages, section fronts, a second home page, contact and legal pages,
photo galleries, event agendas and paywalled teasers at URLs that match their own article
pattern (a dated slug, a SPIP ``Title-Case.html``), so a crawl fetches them with role
``article``. Each outlet gets one page of each kind here, drawn with the outlet's own skin,
at a URL its ``article_pattern`` accepts, and linked from its home page. ``truth["pages"]``
lists them with their ``kind`` and ``article_like: true``; none of them is an article.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from .compose import Block
from .html_common import Ctx, Listing, esc
from .world import slugify

if TYPE_CHECKING:
    from .site import Route
    from .world import Article, Outlet

KINDS = ("tag", "section", "home", "contact", "legal", "gallery", "agenda", "paywall")
_MARK = "GATEPAGEBODY"
_SLUGS = {
    "tag": ("mot-cle-zone-d-activite", "Mot-clé : zone d'activité"),
    "section": ("rubrique-vie-economique", "Rubrique : vie économique"),
    "home": ("accueil-edition-du-jour", "À la une aujourd'hui"),
    "contact": ("nous-contacter", "Nous contacter"),
    "legal": ("conditions-generales-d-utilisation", "Conditions générales d'utilisation"),
    "gallery": ("en-images-la-foire-de-printemps", "En images : la foire de printemps"),
    "agenda": ("agenda-des-sorties-du-week-end", "Agenda : les sorties du week-end"),
    "paywall": ("", ""),  # the teaser keeps the headline of the article it cuts
}
DAY = datetime(2026, 10, 20, 9, 0)


def gate_path(outlet_id: str, index: int, slug: str) -> str:
    """A path the outlet's article_pattern accepts (see listings.SCHEMES)."""
    number = 9900000 + index
    if outlet_id == "voix-du-tarn":
        return f"{DAY:/%Y/%m/%d}/{number}-{slug}.html"
    if outlet_id == "echo-cevennes":
        return f"/actualite/{number}-{slug}.html"
    if outlet_id == "occitanie-eco":
        return "/" + "-".join(w.capitalize() for w in slug.split("-")) + ".html"
    if outlet_id == "cevennes-agglo":
        return f"/fr/communiques/{DAY:%Y}/{slug}"
    return f"{DAY:/%Y/%m/%d}/{slug}/"


def _gallery(outlet: Outlet) -> str:
    captions = ["Les exposants installent leurs stands dès l'aube", "La foule dans l'allée centrale",
                "Démonstration de tonte", "Le stand des producteurs locaux", "Les enfants au manège",
                "Remise des prix du concours", "Le marché aux fleurs", "Fin de journée sur le parvis"]
    figures = "".join(
        f'<figure class="diaporama__item"><img src="/images/foire-{i}.jpg" alt="Photo {i}">'
        f"<figcaption>Photo {i}/{len(captions)} : {esc(c)}. © {esc(outlet.name)}</figcaption></figure>"
        for i, c in enumerate(captions, 1))
    return f'<div class="diaporama">{figures}</div>'


def _agenda() -> str:
    events = [("Samedi 24 octobre, 20h30", "Concert de l'harmonie municipale, salle des fêtes"),
              ("Samedi 24 octobre, 10h", "Marché aux livres anciens, place de la mairie"),
              ("Samedi 24 octobre, 14h", "Atelier de réparation de vélos, maison des associations"),
              ("Dimanche 25 octobre, 9h", "Randonnée des châtaignes, départ du stade"),
              ("Dimanche 25 octobre, 15h", "Thé dansant du club des aînés, foyer rural"),
              ("Dimanche 25 octobre, 17h", "Projection du film documentaire, cinéma le Rex"),
              ("Lundi 26 octobre, 18h30", "Conférence sur l'histoire de la filature, médiathèque")]
    items = "".join(f'<li class="agenda__event"><time>{esc(w)}</time> – {esc(e)}.</li>'
                    for w, e in events)
    return f'<ul class="agenda">{items}</ul>'


def _teaser(art: Article, path: str) -> Article:
    notice = Block("p", "Cet article est réservé aux abonnés. Il vous reste 80 % de l'article à lire. "
                        "Abonnez-vous pour lire la suite : 1 € le premier mois. Déjà abonné ? Se connecter.")
    alt = ["/?p=9900008"] if art.outlet == "blog-helene-cabrol" else []  # the blog skin prints a shortlink
    return replace(art, blocks=[art.blocks[0], notice], n=9900000, path=path, alt_paths=alt, comments=0)


def add_gate_pages(routes: dict[str, Route], outlet: Outlet, ctx: Ctx, arts: list[Article],
                   skin: tuple[Callable[..., str], Callable[..., str], Callable[..., str]],
                   encode: Callable[[Callable[[], str]], Callable[[], bytes]],
                   route_type: type[Route], html: str) -> None:
    """Add the eight kinds of non-article pages to ``routes`` and link them from the home page."""
    article_page, listing_page, plain_page = skin
    newest = list(reversed(arts))
    links: list[tuple[str, str]] = []
    for index, kind in enumerate(KINDS, 1):
        slug, heading = _SLUGS[kind]
        if kind == "paywall":
            source = newest[3]
            slug, heading = "abonnes-" + slugify(source.title, words=6), source.title
        path = gate_path(outlet.id, index, slug.lower())
        url = ctx.base + path
        render: Callable[[], str]
        if kind in ("tag", "section", "home"):
            items = newest[:12] if kind == "home" else [a for a in newest if a.section == arts[0].section][:6]
            page = Listing(heading, kind, items, url)
            render = lambda p=page: listing_page(ctx, p)  # noqa: E731
        elif kind in ("contact", "legal"):
            paras = ([f"La rédaction de {outlet.name} est joignable du lundi au vendredi.",
                      "Écrivez-nous à l'aide du formulaire : nous répondons sous 48 heures."]
                     if kind == "contact" else
                     [f"L'utilisation du site {outlet.name} vaut acceptation des présentes conditions.",
                      "Toute reproduction des contenus est interdite sans autorisation écrite."])
            render = lambda h=heading, p=paras, u=url: plain_page(ctx, h, p, u)  # noqa: E731
        elif kind == "paywall":
            teaser = _teaser(newest[3], path)
            own = replace(ctx, articles=[*ctx.articles, teaser])  # skins that link previous/next look it up
            render = lambda t=teaser, c=own: article_page(c, t)  # noqa: E731
        else:
            raw = _gallery(outlet) if kind == "gallery" else _agenda()
            render = lambda h=heading, r=raw, u=url: _with_raw(plain_page(ctx, h, [_MARK], u), r)  # noqa: E731
        routes[path] = route_type(kind, html, encode(render), DAY)
        links.append((url, heading))
    home = routes.get("/")
    if home is not None:
        block = "".join(f'<li><a href="{u}">{esc(t)}</a></li>' for u, t in links)
        inner = home.make
        routes["/"] = replace(home, make=lambda: _inject(inner(), block))


def _with_raw(page: str, raw: str) -> str:
    return page.replace(f"<p>{_MARK}</p>", raw)


def _inject(page: bytes, block: str) -> bytes:
    """The home page gets a 'Services' box of links before </body> (same encoding as the page)."""
    charset = "iso-8859-1" if b"iso-8859-1" in page[:600].lower() else "utf-8"
    html = f'<div class="services"><ul>{block}</ul></div>'.encode(charset, "xmlcharrefreplace")
    return page.replace(b"</body>", html + b"</body>", 1)


# Lines an outlet prints inside the article body of every article (top, bottom), which a
# generic extractor keeps because they sit between the body's paragraphs; the archive must
# learn them per source and drop them. None is in the truth's paragraphs.
RECURRING = {
    "voix-du-tarn": ("L'essentiel de l'actualité tarnaise, chaque matin sur votre mobile",
                     "Retrouvez La Voix du Tarn dans notre édition papier du jour"),
    "echo-cevennes": ("Vie locale en Cévennes", "Vie locale en Cévennes"),
    "occitanie-eco": ("Autres magazines", "Occitanie Éco, le magazine des entreprises de la région"),
    "cevennes-agglo": ("Direction de la communication de l'Agglomération",
                       "Téléchargez ce communiqué au format PDF"),
    "blog-helene-cabrol": ("Mon blog Vidéo", "Hélène Cabrol, députée de la circonscription"),
}


def add_recurring_lines(routes: dict[str, Route], outlet: Outlet, arts: list[Article]) -> None:
    """Wrap every article route so its body opens and closes with the outlet's recurring lines."""
    top, bottom = RECURRING[outlet.id]
    by_path = {a.path: a for a in arts} | {p: a for a in arts for p in a.alt_paths}
    for key, route in list(routes.items()):
        art = by_path.get(key)
        if route.kind != "article" or art is None:
            continue
        routes[key] = replace(route, make=lambda m=route.make, a=art: _frame(m(), a, top, bottom, outlet.encoding))


def _frame(page: bytes, art: Article, top: str, bottom: str, encoding: str) -> bytes:
    html = page.decode(encoding)
    body = html.find("<body")  # the lead is also in the description meta tags of <head>
    first = html.find(esc(art.blocks[0].text), body)
    last = html.find(esc(art.blocks[-1].text), first)
    start = html.rfind("<p", body, first)
    if min(body, first, last, start) < 0:
        return page
    end = html.find("\n", last)
    if html.startswith("</ul>", end + 1):
        end = html.find("\n", end + 1)
    html = (html[:start] + f"<p>{esc(top)}</p>\n" + html[start : end + 1]
            + f"<p>{esc(bottom)}</p>\n" + html[end + 1 :])
    return html.encode(encoding, "xmlcharrefreplace")
