"""The generic news spider: feeds, sitemaps and section pages of each source lead to articles.

Outlets differ only by their registry entry; nothing here is site-specific.
Responses are archived by ``WarcArchiveMiddleware``; this spider only decides
what to request next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any, Self

from courlan import normalize_url
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawlers.discovery import (
    Link,
    decoded_body,
    is_binary,
    is_pagination,
    parse_feed,
    parse_feed_links,
    parse_html_links,
    parse_sitemap,
    robots_sitemaps,
)
from crawlers.incremental import FrontierSnapshot, parse_now
from crawlers.registry import Source

MAX_SITEMAP_DEPTH = 5  # sitemap index → index → … → urlset


class NewsSpider(Spider):
    name = "news"

    def __init__(
        self,
        sources: Iterable[Source],
        max_pages: int = 0,
        max_section_pages: int = 30,
        frontier: str | None = None,
        now: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = {s.id: s for s in sources}
        self.max_pages = max_pages
        self.max_section_pages = max_section_pages
        self.frontier = FrontierSnapshot.read(frontier, parse_now(now))
        self.articles_requested: Counter[str] = Counter()
        self.section_pages: Counter[str] = Counter()
        self._seen_articles: set[str] = set()
        self._seen_sections: set[str] = set()
        self._seen_listings: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.response_downloaded, signal=signals.response_downloaded)
        return spider

    def lists_nothing(self, source: Source) -> bool:
        """A source with no feed and no sitemap in the registry: its own pages must tell."""
        return not source.feeds and not source.sitemaps

    # --- helpers --------------------------------------------------------------
    def source_for_url(self, url: str) -> Source | None:
        return next((s for s in self.sources.values() if s.allows(url)), None)

    def _request(
        self,
        url: str,
        source: Source,
        role: str,
        via: str,
        origin: str | None = None,
        listed_at: str | None = None,
        **kw: Any,
    ) -> Request:
        extra = kw.pop("meta", {})
        meta = {
            "pressarchive": {
                "source_id": source.id,
                "role": role,
                "discovered_via": via,
                "discovered_from": origin,
                "listed_at": listed_at,
                "revisit": bool(extra.pop("pressarchive_revisit", False)),
            },
            "download_slot": source.id,
            **extra,
        }
        callback = {
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "section": self.parse_section,
            "home": self.parse_section,
            "article": self.parse_article,
        }[role]
        return Request(url, callback=callback, meta=meta, errback=self.on_error, **kw)

    def _article_requests(self, links: Iterable[Link], source: Source, via: str, origin: str) -> Iterable[Request]:
        for link in links:
            url = normalize_url(link.url, strict=True) if link.url.startswith("http") else link.url
            if not source.allows(url) or not source.is_article_url(url) or is_binary(url):
                continue
            if url in self._seen_articles:
                continue
            self._seen_articles.add(url)
            if not self.frontier.should_fetch_article(url):
                self.crawler.stats.inc_value("pressarchive/articles_known_skipped")
                continue
            if self.max_pages and self.articles_requested[source.id] >= self.max_pages:
                # listings of this run are then incomplete: the load keeps no validators for them
                self.crawler.stats.inc_value("pressarchive/articles_left_by_max_pages")
                return
            self.articles_requested[source.id] += 1
            revisit = self.frontier.is_revisit(url)
            if revisit:
                self.crawler.stats.inc_value("pressarchive/articles_revisited")
            yield self._request(
                url, source, "article", via, origin, link.listed_at, meta={"pressarchive_revisit": revisit}
            )

    # --- start ------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        self.crawler.stats.set_value("pressarchive/frontier_urls", len(self.frontier))
        for source in self.sources.values():
            for url in source.feeds:
                yield self._request(url, source, "feed", "feed")
            for url in source.sitemaps:
                yield self._request(url, source, "sitemap", "sitemap", meta={"depth_sitemap": 0})
            for url in source.sections:
                yield self._request(url, source, "section", "section", meta={"section_root": url})
            yield self._request(source.homepage, source, "home", "home", meta={"section_root": source.homepage})
            for url in self.frontier.due_articles(source.id):
                self._seen_articles.add(url)
                self.crawler.stats.inc_value("pressarchive/articles_revisited")
                yield self._request(url, source, "article", "revisit", meta={"pressarchive_revisit": True})

    # --- callbacks -------------------------------------------------------------
    def _source(self, response: Response) -> Source:
        return self.sources[response.meta["pressarchive"]["source_id"]]

    def parse_feed(self, response: Response) -> Iterable[Request]:
        source = self._source(response)
        links = parse_feed(response.body, response.url)
        self.crawler.stats.inc_value("pressarchive/feed_links", len(links))
        yield from self._article_requests(links, source, "feed", response.url)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        source = self._source(response)
        children, pages = parse_sitemap(response.body, response.url)
        depth = response.meta.get("depth_sitemap", 0)
        if depth < MAX_SITEMAP_DEPTH:
            for child in children:
                if source.allows(child.url):
                    yield self._request(
                        child.url,
                        source,
                        "sitemap",
                        "sitemap",
                        response.url,
                        child.listed_at,
                        meta={"depth_sitemap": depth + 1},
                    )
        yield from self._article_requests(pages, source, "sitemap", response.url)

    def response_downloaded(self, response: Response, request: Request, spider: Spider | None = None) -> None:
        """robots.txt of a source that lists nothing: schedule the sitemaps it names."""
        if not request.url.endswith("/robots.txt") or response.status != 200:
            return
        source = self.source_for_url(request.url)
        if source is None or not self.lists_nothing(source) or self.crawler.engine is None:
            return
        body = decoded_body(response.body, response.headers.get("Content-Encoding"))
        for url in robots_sitemaps(body, request.url):
            if source.allows(url) and url not in self._seen_listings:
                self._seen_listings.add(url)
                self.crawler.stats.inc_value("pressarchive/discovered/robots_sitemaps")
                self.crawler.engine.crawl(
                    self._request(url, source, "sitemap", "robots", request.url, meta={"depth_sitemap": 0})
                )

    def _announced_feeds(self, response: TextResponse, source: Source) -> Iterable[Request]:
        """Feeds the home page of a source that lists nothing announces (``<link rel=alternate>``)."""
        for url in parse_feed_links(response.body, response.url, response.encoding):
            if source.allows(url) and url not in self._seen_listings:
                self._seen_listings.add(url)
                self.crawler.stats.inc_value("pressarchive/discovered/home_feeds")
                yield self._request(url, source, "feed", "home", response.url)

    def parse_section(self, response: Response) -> Iterable[Request]:
        if not isinstance(response, TextResponse):
            return
        source = self._source(response)
        root = response.meta.get("section_root", response.url)
        urls = parse_html_links(response.body, response.url, response.encoding)
        via = "section" if response.meta["pressarchive"]["role"] == "section" else "home"
        if via == "home" and self.lists_nothing(source):
            yield from self._announced_feeds(response, source)
        yield from self._article_requests((Link(u) for u in urls), source, via, response.url)
        if response.meta["pressarchive"]["role"] != "section":
            return
        for url in urls:
            if url in self._seen_sections or not source.allows(url):
                continue
            if is_pagination(url, root) and not source.is_article_url(url):
                if self.section_pages[root] >= self.max_section_pages:
                    break
                self._seen_sections.add(url)
                self.section_pages[root] += 1
                yield self._request(url, source, "section", "section", response.url, meta={"section_root": root})

    def parse_article(self, response: Response) -> None:
        """Nothing to do: the archive middleware has stored the page; extraction runs later."""
        self.crawler.stats.inc_value("pressarchive/articles_fetched")

    def on_error(self, failure: Any) -> None:
        request = failure.request
        self.logger.warning("fetch failed: %s (%s)", request.url, failure.getErrorMessage())
        source_id = request.meta.get("pressarchive", {}).get("source_id", "?")
        self.crawler.stats.inc_value(f"pressarchive/fetch_errors/{source_id}")
