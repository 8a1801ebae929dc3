"""Incremental crawls: the frontier snapshot a crawl reads once, and conditional GET.

The warehouse keeps the frontier (``warehouse/frontier.py``); before a crawl the flow
writes a read-only snapshot of it (``staging/<run_id>/frontier.parquet``) and the
crawl reads that file once, at its start, so a crawl never opens the database
(DESIGN.md). With it:

* an article URL already archived is not requested again unless a revisit is due
  (``next_due_at`` ≤ now; the load sets it from the revisit schedule); due revisits are
  requested at the start of the run whether or not a listing still names them;
* feeds, sitemaps, section and home pages, and due revisits, are requested with
  ``If-None-Match`` / ``If-Modified-Since`` (``ConditionalGetMiddleware``), so an
  unchanged listing costs a 304 with no body. robots.txt is always fetched whole:
  a 304 there would leave Scrapy's robots parser with an empty file.

``PRESSARCHIVE_NOW`` (ISO time) replaces the clock for due decisions: tests and
back-fills use it to stand later in time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)

CONDITIONAL_ROLES = ("feed", "sitemap", "section", "home")


@dataclass(frozen=True)
class Known:
    """What the archive knew about one URL when the crawl started."""

    source_id: str | None
    role: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    next_due: datetime | None


def parse_now(value: str | None) -> datetime:
    """``PRESSARCHIVE_NOW`` as an aware UTC time; the real clock when unset."""
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class FrontierSnapshot:
    """URL → ``Known``, read from the snapshot file; empty when there is none (a first run)."""

    def __init__(self, known: dict[str, Known] | None = None, now: datetime | None = None) -> None:
        self.known = known or {}
        self.now = now or datetime.now(UTC)

    @classmethod
    def read(cls, path: str | Path | None, now: datetime | None = None) -> Self:
        if not path or not Path(path).exists():
            return cls({}, now)
        import pyarrow.parquet as pq

        table = pq.read_table(
            path, columns=["url", "source_id", "role", "last_status", "etag", "last_modified", "next_due_at"]
        )
        known: dict[str, Known] = {}
        for row in table.to_pylist():
            due = row["next_due_at"]
            if isinstance(due, datetime) and due.tzinfo is None:
                due = due.replace(tzinfo=UTC)
            known[row["url"]] = Known(
                row["source_id"], row["role"], row["last_status"], row["etag"], row["last_modified"], due
            )
        return cls(known, now)

    def __len__(self) -> int:
        return len(self.known)

    def get(self, url: str) -> Known | None:
        return self.known.get(url)

    def should_fetch_article(self, url: str) -> bool:
        """Unknown URLs yes; known ones only when their revisit (or a retry) is due."""
        entry = self.known.get(url)
        if entry is None:
            return True
        return entry.next_due is not None and entry.next_due <= self.now

    def due_articles(self, source_id: str) -> list[str]:
        """Archived article URLs of a source whose revisit is due, listed anywhere or not any more
        (a corrected, moved or removed article is caught this way too)."""
        return sorted(
            url
            for url, k in self.known.items()
            if k.source_id == source_id and k.role == "article" and k.next_due is not None and k.next_due <= self.now
        )

    def is_revisit(self, url: str) -> bool:
        return url in self.known

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-request headers for ``url`` (none when nothing usable is known)."""
        entry = self.known.get(url)
        if entry is None or entry.status not in (200, 304):
            return {}
        headers: dict[str, str] = {}
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        return headers


class ConditionalGetMiddleware:
    """Adds the known validators to listing requests and to article revisits; counts 304s."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("PRESSARCHIVE_CONDITIONAL_GET", True):
            raise NotConfigured("PRESSARCHIVE_CONDITIONAL_GET is off")
        return cls(crawler)

    def _frontier(self) -> FrontierSnapshot | None:
        spider: Any = self.crawler.spider
        return getattr(spider, "frontier", None)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        frontier = self._frontier()
        info = request.meta.get("pressarchive") or {}
        if frontier is None or not frontier.known:
            return
        if info.get("role") in CONDITIONAL_ROLES or info.get("revisit"):
            for name, value in frontier.validators(request.url).items():
                if name.encode() not in request.headers:
                    request.headers[name] = value

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status == 304:
            role = (request.meta.get("pressarchive") or {}).get("role", "other")
            self.crawler.stats.inc_value(f"pressarchive/not_modified/{role}")
        return response
