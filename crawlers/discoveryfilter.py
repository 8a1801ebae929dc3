"""Restrict a crawl to some discovery paths and, for sitemaps, to a date range: a spider middleware.

The hourly archive run follows feeds and section pages (new articles appear
there first); a backfill walks the sitemaps over a date range. Both use the
same generic spider and the same registry entries: this middleware drops the
start requests of the other paths, and the sitemap links whose ``<lastmod>``
falls outside the range. The registry is left as it is, so the archive's
``sources`` table still shows every feed and sitemap of an outlet.

Settings (set per run through ``crawlers.runner.crawl(settings=...)``):

- ``PRESSARCHIVE_DISCOVERY``: list of ``feed``, ``sitemap``, ``section``, ``home``;
  empty or unset switches the middleware off (``NotConfigured``).
- ``PRESSARCHIVE_SITEMAP_SINCE`` / ``PRESSARCHIVE_SITEMAP_UNTIL``: ISO dates,
  inclusive; a sitemap URL without ``<lastmod>`` is kept (its date is unknown).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawlers import settings as default_settings

PATHS = ("feed", "sitemap", "section", "home")
SETTINGS_PATH = "crawlers.discoveryfilter.DiscoveryFilter"


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


class DiscoveryFilter:
    def __init__(self, paths: Iterable[str], since: date | None, until: date | None, crawler: Crawler) -> None:
        self.paths = set(paths)
        unknown = self.paths - set(PATHS)
        if unknown:
            raise ValueError(f"unknown discovery path(s) {sorted(unknown)}; known: {', '.join(PATHS)}")
        self.since, self.until = since, until
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryFilter:
        paths = crawler.settings.getlist("PRESSARCHIVE_DISCOVERY")
        if not paths:
            raise NotConfigured("PRESSARCHIVE_DISCOVERY is empty: every discovery path is followed")
        since = _day(crawler.settings.get("PRESSARCHIVE_SITEMAP_SINCE"))
        until = _day(crawler.settings.get("PRESSARCHIVE_SITEMAP_UNTIL"))
        return cls(paths, since, until, crawler)

    def keep(self, request: Request) -> bool:
        """False for a start request of an excluded path, or a sitemap link dated outside the range."""
        meta = request.meta.get("pressarchive") or {}
        role, via = meta.get("role"), meta.get("discovered_via")
        if role in PATHS and meta.get("discovered_from") is None and role not in self.paths:
            return self._drop("path")
        if role == "article" and via == "sitemap" and (self.since or self.until):
            listed = _day(meta.get("listed_at"))
            if listed is not None and ((self.since and listed < self.since) or (self.until and listed > self.until)):
                return self._drop("date")
        return True

    def _drop(self, reason: str) -> bool:
        if self.stats is not None:
            self.stats.inc_value(f"pressarchive/discovery_filtered/{reason}")
        return False

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if not isinstance(item, Request) or self.keep(item):
                yield item

    def process_spider_output(self, response: Response, result: Iterable[Any], spider: Spider) -> Iterable[Any]:
        for item in result:
            if not isinstance(item, Request) or self.keep(item):
                yield item

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider
    ) -> AsyncIterator[Any]:
        async for item in result:
            if not isinstance(item, Request) or self.keep(item):
                yield item


def crawl_settings(paths: Iterable[str] | None, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """The per-run Scrapy settings that switch the filter on; {} when every path is followed."""
    chosen = [p for p in (paths or []) if p]
    if not chosen or (set(chosen) >= set(PATHS) and not (since or until)):
        return {}
    return {
        # the project's own spider middlewares stay: a per-run dict setting replaces the project's whole
        "SPIDER_MIDDLEWARES": {**getattr(default_settings, "SPIDER_MIDDLEWARES", {}), SETTINGS_PATH: 50},
        "PRESSARCHIVE_DISCOVERY": chosen,
        "PRESSARCHIVE_SITEMAP_SINCE": since.isoformat() if since else None,
        "PRESSARCHIVE_SITEMAP_UNTIL": until.isoformat() if until else None,
    }
