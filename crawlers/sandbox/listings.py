"""URL shapes of each outlet and the machine-readable pages: feeds, sitemaps, robots.txt.

The shapes differ per outlet on purpose (query pagination vs /page/2/, SPIP rubriques, a
feed behind spip.php?page=backend, tracking parameters on feed links) because the crawler
must cope with all of them.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xesc

from .html_common import iso_offset, rfc822
from .world import Article, Outlet, slugify

PER_PAGE = 10
FEED_SIZE = 20


@dataclass(frozen=True)
class Scheme:
    section: str  # path of page 1, with {slug}
    page: str  # path of page n > 1, with {slug} and {n}
    tag: str
    contact: str
    legal: str
    feed: str
    disallow: tuple[str, ...]
    article_pattern: str
    tracking: str = ""  # query added to feed links
    home_pages: str = ""  # blog: the home page paginates every post


SCHEMES = {
    "voix-du-tarn": Scheme(
        "/{slug}/", "/{slug}/?page={n}", "/tag/{slug}/", "/contact/", "/mentions-legales/",
        "/rss/une.xml", ("/recherche/", "/admin/"),
        r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/\d{7}-[a-z0-9-]+\.html(?:[?#].*)?$",
        tracking="xtor=RSS-1"),
    "echo-cevennes": Scheme(
        "/rubrique/{slug}/", "/rubrique/{slug}/?page={n}", "/mot-cle/{slug}/", "/contact.html",
        "/mentions-legales.html", "/rss.xml", ("/admin/", "/cgi-bin/"),
        r"^https?://[^/]+/actualite/\d+-[a-z0-9-]+\.html(?:[?#].*)?$"),
    "occitanie-eco": Scheme(
        "/-{Slug}-.html", "/-{Slug}-.html?page={n}", "/mot/{slug}.html", "/contact.html",
        "/mentions-legales.html", "/spip.php?page=backend", ("/ecrire/", "/prive/"),
        r"^https?://[^/]+/[A-Z0-9][A-Za-z0-9-]*\.html(?:[?#].*)?$"),
    "cevennes-agglo": Scheme(
        "/fr/{slug}", "/fr/{slug}?page={n}", "/fr/thematique/{slug}", "/fr/contact",
        "/fr/mentions-legales", "/fr/rss.xml", ("/user/", "/admin/"),
        r"^https?://[^/]+/fr/communiques/\d{4}/[a-z0-9-]+(?:[?#].*)?$"),
    "blog-helene-cabrol": Scheme(
        "/category/{slug}/", "/category/{slug}/page/{n}/", "/tag/{slug}/", "/contact/",
        "/mentions-legales/", "/feed/atom/", ("/wp-admin/",),
        r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/(?:[?#].*)?$",
        tracking="utm_source=rss&utm_medium=feed", home_pages="/page/{n}/"),
}


def section_path(outlet: Outlet, slug: str, n: int) -> str:
    scheme = SCHEMES[outlet.id]
    fields = {"slug": slug, "Slug": slug[0].upper() + slug[1:], "n": n}
    return (scheme.section if n == 1 else scheme.page).format(**fields)


def tag_path(outlet: Outlet, tag: str) -> str:
    return SCHEMES[outlet.id].tag.format(slug=slugify(tag))


def chunks(items: Sequence[Article], size: int = PER_PAGE) -> list[list[Article]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]


def feed_link(outlet: Outlet, url: str) -> str:
    tracking = SCHEMES[outlet.id].tracking
    return f"{url}?{tracking}" if tracking else url


def rss(outlet: Outlet, base: str, feed_url: str, items: Sequence[Article]) -> bytes:
    """RSS 2.0; the weekly's feed is written in ISO-8859-1 like its pages."""
    rows = []
    for a in items:
        url = base + a.path
        authors = "".join(f"<dc:creator>{xesc(n)}</dc:creator>" for n in a.authors)
        rows.append(
            f"<item><title>{xesc(a.title)}</title><link>{xesc(feed_link(outlet, url))}</link>"
            f'<guid isPermaLink="true">{xesc(url)}</guid><pubDate>{rfc822(a.published)}</pubDate>'
            f"{authors}<category>{xesc(a.section_name)}</category>"
            f"<description>{xesc(a.lead)}</description></item>")
    built = max((a.modified or a.published for a in items), default=None)
    encoding = outlet.encoding
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{xesc(outlet.name)}</title><link>{base}/</link>"
            f"<description>{xesc(outlet.name)} : toute l'actualité</description>"
            f"<language>fr</language>"
            + (f"<lastBuildDate>{rfc822(built)}</lastBuildDate>" if built else "")
            + f'<atom:link href="{xesc(feed_url)}" rel="self" type="application/rss+xml"/>'
            + "\n".join(rows) + "</channel></rss>\n")
    return text.encode(encoding, "xmlcharrefreplace")


def atom(outlet: Outlet, base: str, feed_url: str, items: Sequence[Article]) -> bytes:
    entries = []
    for a in items:
        url = base + a.path
        entries.append(
            f'<entry><title type="html">{xesc(a.title)}</title>'
            f'<link rel="alternate" type="text/html" href="{xesc(feed_link(outlet, url))}"/>'
            f"<id>{xesc(base + a.alt_paths[0])}</id>"
            f"<published>{iso_offset(a.published)}</published>"
            f"<updated>{iso_offset(a.modified or a.published)}</updated>"
            f"<author><name>{xesc(a.authors[0])}</name></author>"
            f'<category term="{xesc(a.section_name)}"/>'
            f'<summary type="html">{xesc(a.lead)}</summary></entry>')
    updated = max(a.modified or a.published for a in items)
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
            f"<title>{xesc(outlet.name)}</title><subtitle>Députée du Tarn</subtitle>"
            f'<link rel="alternate" type="text/html" href="{base}/"/>'
            f'<link rel="self" type="application/atom+xml" href="{xesc(feed_url)}"/>'
            f"<id>{base}/</id><updated>{iso_offset(updated)}</updated>"
            + "\n".join(entries) + "</feed>\n")
    return text.encode("utf-8")


def urlset(base: str, items: Sequence[Article], extra: Sequence[str] = ()) -> bytes:
    rows = [f"<url><loc>{xesc(u)}</loc></url>" for u in extra]
    rows += [f"<url><loc>{xesc(base + a.path)}</loc>"
             f"<lastmod>{iso_offset(a.modified or a.published)}</lastmod></url>" for a in items]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows) + "\n</urlset>\n").encode("utf-8")


def sitemap_index(children: Sequence[tuple[str, Sequence[Article]]]) -> bytes:
    rows = [f"<sitemap><loc>{xesc(url)}</loc><lastmod>"
            f"{iso_offset(max(a.modified or a.published for a in items))}</lastmod></sitemap>"
            for url, items in children]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows) + "\n</sitemapindex>\n").encode("utf-8")


def gz(data: bytes) -> bytes:
    """Gzip with a zero timestamp so the same seed gives the same bytes."""
    return gzip.compress(data, mtime=0)


def robots(outlet: Outlet, base: str, sitemap_url: str) -> bytes:
    rules = "\n".join(f"Disallow: {p}" for p in SCHEMES[outlet.id].disallow)
    return f"User-agent: *\n{rules}\n\nSitemap: {sitemap_url}\n".encode()
