"""The 'faults' outlet: one small site where every page is a way for a crawl to go wrong.

It runs on its own port only when asked (``Sandbox(faults=True)``), is not in the
default registry nor in the truth's articles, so the default crawl never sees it.
Each behaviour has its own path, linked from the home page, the feed or the sitemap:

=============================  =====================================================
``/articles/ok-N.html``        plain articles (N = 1..3), with rel=canonical
``/articles/missing.html``     404
``/articles/flaky.html``       500 on the first request, 200 after
``/articles/throttled.html``   429 with ``Retry-After: 1`` on the first request, 200 after
``/articles/slow.html``        answers after ``slow_seconds`` (longer than a short timeout)
``/articles/chain-1.html``     301 → ``chain-2`` → 302 → ``chain-end.html`` (200)
``/articles/loop-a.html``      302 ↔ ``loop-b.html`` forever
``/articles/huge.html``        20 MB, streamed in 64 KiB chunks (cut by DOWNLOAD_MAXSIZE)
``/articles/rapport.pdf``      a PDF, ``/articles/photo.jpg`` an image
``/articles/unique.html``      one article, also linked as ``?utm_source=…&xtor=…``,
                               ``/amp/articles/unique.html`` (AMP, same canonical) and
                               ``/articles/unique-ancien-titre.html`` (301, old slug)
``/articles/interdit-1.html``  disallowed by robots.txt
``/archives/page/N/``          an endless calendar of archive pages, each linking N+1
``/feed.xml``                  a feed cut in the middle of an item (malformed)
``/sitemap.xml``               a sitemap index listing itself and ``/sitemap-pages.xml``
=============================  =====================================================

Set ``banned = True`` and every page but robots.txt and the home page answers 403 (circuit
breaker tests: the home page links enough pages to trip it).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .rounds import redirect_for

OUTLET = "faults"
PATTERN = r"^https?://[^/]+/(?:amp/)?articles/[a-z0-9-]+(?:\.[a-z]+)?(?:[?#].*)?$"
HUGE_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
HTML = "text/html; charset=utf-8"

Answer = tuple[int, dict[str, str], bytes | Iterator[bytes], float]


def _page(title: str, body: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>{link}'
        f'</head><body><header><nav><a href="/">Accueil</a></nav></header><main>'
        f"<h1>{title}</h1>{body}</main></body></html>"
    ).encode()


def _article(title: str, canonical: str) -> bytes:
    paras = "".join(
        f"<p>{title} : paragraphe {i}. La rédaction de la Gazette des pannes raconte ici, "
        f"phrase après phrase, ce qui arrive aux robots qui visitent les sites de presse locale "
        f"et ce que la rédaction attend d'eux pour les accueillir sans peine.</p>"
        for i in range(1, 6)
    )
    return _page(title, f'<article><p class="date">Publié le 3 novembre 2026</p>{paras}</article>', canonical)


def _huge() -> Iterator[bytes]:
    head = b'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Enorme</title></head><body><p>'
    yield head
    sent, filler = len(head), b"x" * CHUNK
    while sent < HUGE_BYTES:
        piece = filler[: min(CHUNK, HUGE_BYTES - sent)]
        sent += len(piece)
        yield piece


@dataclass
class FaultSite:
    """State of the faults outlet (first-request failures are counted per path)."""

    base: str = ""
    other_site: str = "http://127.0.0.1:9/"  # another outlet: a link that must never be followed
    slow_seconds: float = 3.0
    banned: bool = False
    hits: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def registry_source(self) -> dict[str, Any]:
        """The registry entry a test adds to crawl this outlet (delay 0, like the sandbox's)."""
        return {
            "id": OUTLET,
            "name": "La Gazette des pannes",
            "homepage": self.base + "/",
            "region": "Occitanie",
            "department": "31",
            "kind": "blog",
            "language": "fr",
            "feeds": [self.base + "/feed.xml"],
            "sitemaps": [self.base + "/sitemap.xml"],
            "sections": [self.base + "/archives/page/1/"],
            "article_pattern": PATTERN,
            "allowed_domains": [urlsplit(self.base).netloc],
            "delay": 0.0,
        }

    def _hit(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            return self.hits[path]

    def render(self, path_with_query: str, headers: dict[str, str]) -> Answer:
        path = urlsplit(path_with_query).path
        count = self._hit(path)
        b = self.base
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /articles/interdit-\nDisallow: /prive/\n\nSitemap: {b}/sitemap.xml\n"
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode(), 0.0
        if self.banned and path != "/":
            return 403, {"Content-Type": HTML}, _page("Accès refusé", "<p>Trop de requêtes.</p>"), 0.0
        redirects = {
            "/articles/chain-1.html": (301, "/articles/chain-2.html"),
            "/articles/chain-2.html": (302, "/articles/chain-end.html"),
            "/articles/loop-a.html": (302, "/articles/loop-b.html"),
            "/articles/loop-b.html": (302, "/articles/loop-a.html"),
            "/articles/unique-ancien-titre.html": (301, "/articles/unique.html"),
        }
        if path in redirects:
            status, target = redirects[path]
            return status, {"Location": b + target, "Content-Type": HTML}, b"", 0.0
        if path == "/":
            return 200, {"Content-Type": HTML}, self._home(), 0.0
        if path.startswith("/archives/page/"):
            n = int(path.strip("/").rsplit("/", 1)[-1] or 1)
            body = (
                f'<ul><li><a href="{b}/articles/ok-{1 + n % 3}.html">Article</a></li></ul>'
                f'<a rel="next" href="{b}/archives/page/{n + 1}/">Mois précédent</a>'
            )
            return 200, {"Content-Type": HTML}, _page(f"Archives, page {n}", body), 0.0
        if path == "/feed.xml":
            feed = (
                f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pannes</title>'
                f"<item><title>Un</title><link>{b}/articles/ok-1.html</link></item>"
                f"<item><title>Deux</title><link>{b}/articles/ok-2.html</link></item>"
                f"<item><title>Coup"
            )
            return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, feed.encode(), 0.0
        if path == "/sitemap.xml":
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{b}/sitemap.xml</loc></sitemap>"
                f"<sitemap><loc>{b}/sitemap-pages.xml</loc></sitemap></sitemapindex>"
            )
            return 200, {"Content-Type": "application/xml"}, xml.encode(), 0.0
        if path == "/sitemap-pages.xml":
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><urlset '
                'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{b}/articles/ok-3.html</loc></url>"
                f"<url><loc>{b}/articles/unique.html</loc></url></urlset>"
            )
            return 200, {"Content-Type": "application/xml"}, xml.encode(), 0.0
        return self._articles(path, count)

    def _articles(self, path: str, count: int) -> Answer:
        b = self.base
        if path == "/articles/flaky.html" and count == 1:
            return 500, {"Content-Type": HTML}, _page("Erreur", "<p>Erreur interne.</p>"), 0.0
        if path == "/articles/throttled.html" and count == 1:
            return 429, {"Content-Type": HTML, "Retry-After": "1"}, _page("Doucement", "<p>Plus tard.</p>"), 0.0
        if path == "/articles/huge.html":
            return 200, {"Content-Type": HTML, "Content-Length": str(HUGE_BYTES)}, _huge(), 0.0
        if path == "/articles/rapport.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%fake\n", 0.0
        if path == "/articles/photo.jpg":
            return 200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff\xe0fake", 0.0
        known = {
            "/articles/ok-1.html",
            "/articles/ok-2.html",
            "/articles/ok-3.html",
            "/articles/flaky.html",
            "/articles/throttled.html",
            "/articles/chain-end.html",
            "/articles/unique.html",
            "/amp/articles/unique.html",
            "/articles/interdit-1.html",
            "/articles/slow.html",
        }
        if path in known:
            canonical = b + path.removeprefix("/amp")
            title = "Article " + path.rsplit("/", 1)[-1].removesuffix(".html")
            if path.endswith("unique.html"):
                title = "Un seul article sous plusieurs adresses"
            delay = self.slow_seconds if path == "/articles/slow.html" else 0.0
            return 200, {"Content-Type": HTML}, _article(title, canonical), delay
        return 404, {"Content-Type": HTML}, _page("Page introuvable", "<p>Erreur 404.</p>"), 0.0

    def _home(self) -> bytes:
        b = self.base
        links = [
            "ok-1.html",
            "ok-2.html",
            "missing.html",
            "flaky.html",
            "throttled.html",
            "slow.html",
            "chain-1.html",
            "loop-a.html",
            "huge.html",
            "rapport.pdf",
            "photo.jpg",
            "unique.html?utm_source=home&xtor=AD-1",
            "unique-ancien-titre.html",
            "interdit-1.html",
        ]
        items = "".join(f'<li><a href="{b}/articles/{name}">{name}</a></li>' for name in links)
        items += f'<li><a href="{b}/amp/articles/unique.html">AMP</a></li>'
        items += f'<li><a href="{self.other_site}">Un autre site</a></li>'
        items += '<li><a href="http://ailleurs.invalid/articles/x.html">Ailleurs</a></li>'
        return _page("La Gazette des pannes", f"<ul>{items}</ul>")


def extra_answer(owner: Any, outlet: str, path: str, headers: dict[str, str]) -> Answer | None:
    """The server's hook: the faults outlet, redirects of moved articles, robots.txt with a Crawl-delay.

    ``owner`` is the ``Sandbox``; None means "answer from the regular site".
    """
    if outlet == OUTLET and owner.faults is not None:
        answer: Answer = owner.faults.render(path, headers)
        return answer
    moved = redirect_for(owner.site, outlet, urlsplit(path).path)  # crawlers.sandbox.rounds
    if moved is not None:
        return 301, {"Location": owner.site.base_urls[outlet] + moved, "Content-Type": HTML}, b"", 0.0
    if outlet in owner.crawl_delay and urlsplit(path).path == "/robots.txt":
        status, out, body = owner.site.render(outlet, path, {})
        line = f"User-agent: *\nCrawl-delay: {owner.crawl_delay[outlet]}\n"
        text = body.decode().replace("User-agent: *\n", line, 1)
        return status, {"Content-Type": out["Content-Type"]}, text.encode(), 0.0
    return None
