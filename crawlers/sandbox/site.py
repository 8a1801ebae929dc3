"""SandboxSite: every page of the sandbox press web as a pure function of (seed, base URLs).

No sockets here: ``render`` answers one request (status, headers, body) with the HTTP
behaviour a crawler relies on (ETag/304, Last-Modified, gzip, 404), and ``truth`` says what
each article page really contains, so tests compare the archive against it.
"""

from __future__ import annotations

import gzip as gziplib
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import gatepages, html_local, html_press
from . import listings as ls
from .html_common import Ctx, Listing, http_date
from .world import DEPUTY, OUTLETS, START, Article, Outlet, World

SKINS: dict[str, tuple[Callable[..., str], Callable[..., str], Callable[..., str]]] = {
    "daily-modern": (html_press.daily_article, html_press.daily_listing, html_press.daily_plain),
    "weekly-legacy": (html_press.weekly_article, html_press.weekly_listing,
                      html_press.weekly_plain),
    "magazine-spip": (html_press.mag_article, html_press.mag_listing, html_press.mag_plain),
    "institution-drupal": (html_local.agglo_article, html_local.agglo_listing,
                           html_local.agglo_plain),
    "blog-wordpress": (html_local.blog_article, html_local.blog_listing, html_local.blog_plain),
}
ROUTING_PARAMS = {"page", "p"}  # every other query parameter is ignored, like real sites do
XML, HTML = "application/xml; charset=utf-8", "text/html; charset={}"
DEPARTMENT_NAMES = {"81": "Tarn", "30": "Gard", "31": "Haute-Garonne"}
DOSSIER = "Territoires d'industrie"  # a tag page every outlet links from its menu


@dataclass
class Route:
    kind: str  # article | home | section | tag | feed | sitemap | robots | contact | legal | other
    content_type: str
    make: Callable[[], bytes]
    modified: datetime
    listed: bool = True  # part of truth["pages"] (aliases and hidden pages are not)


def route_key(path_with_query: str) -> str:
    """Path plus the routing parameters only (tracking and unknown parameters dropped)."""
    parts = urlsplit(path_with_query)
    params = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                    if k in ROUTING_PARAMS)
    return (parts.path or "/") + (f"?{urlencode(params)}" if params else "")


class SandboxSite:
    """The five outlets of one seed, served from ``base_urls`` (no trailing slash)."""

    OUTLET_IDS: tuple[str, ...] = tuple(o.id for o in OUTLETS)

    def __init__(self, seed: int = 7, base_urls: dict[str, str] | None = None) -> None:
        self.seed = seed
        self.world = World(seed)
        ids = [o.id for o in self.world.outlets]
        default = {oid: f"http://127.0.0.1:{8101 + i}" for i, oid in enumerate(ids)}
        given = dict(base_urls or default)
        missing = [i for i in ids if i not in given]
        if missing:
            raise ValueError(f"base_urls lacks outlet(s): {', '.join(missing)}")
        self.base_urls = {oid: given[oid].rstrip("/") for oid in ids}
        self._outlets = {o.id: o for o in self.world.outlets}
        self._routes = {oid: self._build(self._outlets[oid]) for oid in ids}
        self._cache: dict[tuple[str, str, bool], bytes] = {}
        self._lock = threading.Lock()

    @property
    def outlet_ids(self) -> list[str]:
        return [o.id for o in self.world.outlets]

    # ------------------------------------------------------------------ routes

    def _ctx(self, outlet: Outlet) -> Ctx:
        base, scheme = self.base_urls[outlet.id], ls.SCHEMES[outlet.id]
        pages = {"home": base + "/", "contact": base + scheme.contact,
                 "legal": base + scheme.legal, "feed": base + scheme.feed,
                 "search": base + "/recherche/",
                 "dossier": base + ls.tag_path(outlet, DOSSIER)}
        return Ctx(outlet, base, self.world.articles[outlet.id],
                   lambda slug, n: base + ls.section_path(outlet, slug, n),
                   lambda tag: base + ls.tag_path(outlet, tag), pages)

    def _build(self, outlet: Outlet) -> dict[str, Route]:
        ctx, base = self._ctx(outlet), self.base_urls[outlet.id]
        scheme = ls.SCHEMES[outlet.id]
        article_page, listing_page, plain_page = SKINS[outlet.template]
        arts = self.world.articles[outlet.id]
        newest = list(reversed(arts))
        enc = outlet.encoding
        html = HTML.format(enc)
        routes: dict[str, Route] = {}

        def when(items: list[Article]) -> datetime:
            return max((a.modified or a.published for a in items), default=START)

        def text(render: Callable[[], str]) -> Callable[[], bytes]:
            return lambda: render().encode(enc, "xmlcharrefreplace")

        for art in arts:
            make = text(lambda a=art: article_page(ctx, a))
            routes[route_key(art.path)] = Route("article", html, make, art.modified or art.published)
            for alt in art.alt_paths:
                routes[route_key(alt)] = Route("article", html, make, art.modified or art.published,
                                               listed=False)

        def paginated(heading: str, kind: str, items: list[Article], path_of: Callable[[int], str]
                      ) -> None:
            pages = ls.chunks(items)
            urls = [base + path_of(n) for n in range(1, len(pages) + 1)]
            for n, chunk in enumerate(pages, 1):
                page = Listing(heading, kind if n == 1 else "section", chunk, urls[n - 1], urls, n)
                routes[route_key(path_of(n))] = Route(
                    page.kind, html, text(lambda p=page: listing_page(ctx, p)), when(chunk))
            if "?page=" in path_of(2):  # '?page=1' answers like page 1, as on real sites
                routes[route_key(path_of(1) + "?page=1")] = Route(
                    "section", html, routes[route_key(path_of(1))].make, when(pages[0]), False)

        if scheme.home_pages:
            paginated("Accueil", "home", newest,
                      lambda n: "/" if n == 1 else scheme.home_pages.format(n=n))
        else:
            home = Listing("À la une", "home", newest[:12], base + "/")
            routes["/"] = Route("home", html, text(lambda: listing_page(ctx, home)), when(arts))
        for name, slug in outlet.sections:
            members = [a for a in newest if a.section == slug]
            paginated(name, "section", members,
                      lambda n, s=slug: ls.section_path(outlet, s, n))
        for tag in sorted({t for a in arts for t in a.tags}):
            tagged = [a for a in newest if tag in a.tags]
            page = Listing(f"Mot-clé : {tag}", "tag", tagged, base + ls.tag_path(outlet, tag))
            routes[route_key(ls.tag_path(outlet, tag))] = Route(
                "tag", html, text(lambda p=page: listing_page(ctx, p)), when(tagged))
        if outlet.kind == "blog":
            for month in sorted({a.published.strftime("/%Y/%m/") for a in arts}):
                items = [a for a in newest if a.published.strftime("/%Y/%m/") == month]
                page = Listing(f"Mois : {month.strip('/').replace('/', '-')}", "section", items,
                               base + month)
                routes[month] = Route("section", html, text(lambda p=page: listing_page(ctx, p)),
                                      when(items))
        for path, heading, kind, paras in self._plain_pages(outlet, scheme):
            routes[route_key(path)] = Route(
                kind, html, text(lambda h=heading, p=paras, u=base + path: plain_page(ctx, h, p, u)),
                START, listed=kind != "other")

        feed_url, latest = base + scheme.feed, newest[: ls.FEED_SIZE]
        if outlet.feed == "atom":
            routes[route_key(scheme.feed)] = Route(
                "feed", "application/atom+xml; charset=utf-8",
                lambda: ls.atom(outlet, base, feed_url, latest), when(latest))
        else:
            routes[route_key(scheme.feed)] = Route(
                "feed", f"application/rss+xml; charset={enc}",
                lambda: ls.rss(outlet, base, feed_url, latest), when(latest))
        if outlet.kind == "daily":
            half = len(arts) // 2
            parts = [("/sitemaps/articles-1.xml", arts[:half]),
                     ("/sitemaps/articles-2.xml.gz", arts[half:])]
            index = [(base + p, items) for p, items in parts]
            routes["/sitemap.xml"] = Route("sitemap", XML, lambda: ls.sitemap_index(index),
                                           when(arts))
            routes[parts[0][0]] = Route("sitemap", XML, lambda: ls.urlset(base, parts[0][1]),
                                        when(parts[0][1]))
            routes[parts[1][0]] = Route("sitemap", "application/x-gzip",
                                        lambda: ls.gz(ls.urlset(base, parts[1][1])),
                                        when(parts[1][1]))
        else:
            routes["/sitemap.xml"] = Route("sitemap", XML,
                                           lambda: ls.urlset(base, arts, [base + "/"]), when(arts))
        routes["/robots.txt"] = Route("robots", "text/plain; charset=utf-8",
                                      lambda: ls.robots(outlet, base, base + "/sitemap.xml"), START)
        gatepages.add_recurring_lines(routes, outlet, arts)
        gatepages.add_gate_pages(routes, outlet, ctx, arts, SKINS[outlet.template], text, Route, html)
        return routes

    def _plain_pages(self, outlet: Outlet, scheme: ls.Scheme) -> list[tuple[str, str, str, list[str]]]:
        dept = DEPARTMENT_NAMES[outlet.department]
        who = DEPUTY if outlet.kind == "blog" else outlet.name
        pages = [
            (scheme.contact, "Contact", "contact", [
                f"Pour écrire à {who}, utilisez le formulaire ci-dessous ou écrivez-nous.",
                f"Adresse postale : 4 place de la République, {dept}.",
                "Téléphone : 00 00 00 00 00 (numéro fictif).",
            ]),
            (scheme.legal, "Mentions légales", "legal", [
                f"{outlet.name} est un site fictif, créé pour les tests du projet pressarchive.",
                "Les personnes, entreprises, associations et faits évoqués sont imaginaires.",
                "Directeur de la publication : la rédaction. Hébergement : 127.0.0.1.",
            ]),
        ]
        if outlet.kind == "daily":
            pages.append(("/recherche/", "Rechercher", "other",
                          ["Saisissez un ou plusieurs mots dans le champ de recherche."]))
        return pages

    # ----------------------------------------------------------------- serving

    def route(self, outlet_id: str, path_with_query: str) -> Route | None:
        return self._routes[outlet_id].get(route_key(path_with_query))

    def routes(self, outlet_id: str) -> dict[str, Route]:
        """Every path the outlet answers (route keys), article aliases included."""
        return dict(self._routes[outlet_id])

    def _body(self, outlet_id: str, key: str, route: Route, zipped: bool) -> bytes:
        cache_key = (outlet_id, key, zipped)
        with self._lock:
            cached = self._cache.get(cache_key)
        if cached is None:
            raw = route.make() if not zipped else self._body(outlet_id, key, route, False)
            cached = gziplib.compress(raw, mtime=0) if zipped else raw
            with self._lock:
                self._cache[cache_key] = cached
        return cached

    def render(self, outlet_id: str, path_with_query: str,
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """Answer one GET: 200, 304 (If-None-Match / If-Modified-Since) or 404."""
        if outlet_id not in self._routes:
            raise KeyError(f"unknown outlet {outlet_id!r}")
        req = {k.lower(): v for k, v in (headers or {}).items()}
        key = route_key(path_with_query)
        route = self._routes[outlet_id].get(key)
        if route is None:
            body = (b'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
                    b"<title>Page introuvable</title></head><body><h1>Erreur 404</h1>"
                    b"<p>La page demand\xc3\xa9e n'existe pas.</p></body></html>")
            return 404, {"Content-Type": "text/html; charset=utf-8",
                         "Content-Length": str(len(body))}, body
        outlet = self._outlets[outlet_id]
        zipped = (outlet.gzip and not route.content_type.endswith("gzip")
                  and _accepts_gzip(req.get("accept-encoding", "")))
        raw = self._body(outlet_id, key, route, False)
        tag = hashlib.sha1(raw).hexdigest()[:20]
        etag = f'"{tag}-gz"' if zipped else f'"{tag}"'
        out = {"Content-Type": route.content_type, "ETag": etag,
               "Last-Modified": http_date(route.modified), "Cache-Control": "max-age=300"}
        if outlet.gzip:
            out["Vary"] = "Accept-Encoding"
        if _not_modified(req, tag, route.modified):
            return 304, out, b""
        body = self._body(outlet_id, key, route, True) if zipped else raw
        if zipped:
            out["Content-Encoding"] = "gzip"
        out["Content-Length"] = str(len(body))
        return 200, out, body

    # ------------------------------------------------------------------- truth

    def truth(self) -> dict[str, Any]:
        from .truth import build_truth

        return build_truth(self)

    def registry_sources(self) -> list[dict[str, Any]]:
        """Registry entries (plain dicts valid for ``crawlers.registry.Source``)."""
        out = []
        for outlet in self.world.outlets:
            base, scheme = self.base_urls[outlet.id], ls.SCHEMES[outlet.id]
            out.append({
                "id": outlet.id, "name": outlet.name, "homepage": base + "/",
                "region": "Occitanie", "department": outlet.department, "kind": outlet.kind,
                "language": "fr", "feeds": [base + scheme.feed],
                "sitemaps": [base + "/sitemap.xml"],
                "sections": [base + ls.section_path(outlet, slug, 1) for _, slug in outlet.sections],
                "article_pattern": scheme.article_pattern,
                "allowed_domains": [urlsplit(base).netloc], "delay": 0.0,
            })
        return out


def _accepts_gzip(value: str) -> bool:
    for part in value.lower().split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name in ("gzip", "x-gzip", "*"):
            q = next((p[2:] for p in params if p.startswith("q=")), "1")
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _not_modified(req: dict[str, str], tag: str, modified: datetime) -> bool:
    inm = req.get("if-none-match")
    if inm is not None:
        for candidate in inm.split(","):
            value = candidate.strip().removeprefix("W/").strip('"')
            if value in ("*", tag, f"{tag}-gz"):
                return True
        return False
    ims = req.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
            return parsedate_to_datetime(http_date(modified)) <= since
        except (TypeError, ValueError):
            return False
    return False

