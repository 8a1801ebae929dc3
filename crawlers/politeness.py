"""Politeness as one downloader middleware: per-source slots, Crawl-delay, Retry-After, circuit breaker.

Scrapy already spaces requests of one download slot (``DOWNLOAD_SLOTS``: one slot
per source, its ``delay`` and ``concurrency``). This component adds what a
newsroom's sysadmin expects on top of that, as Scrapy's ``retry.py`` adds retries:

* every request of a source, robots.txt included, goes through the source's slot,
  so robots.txt counts toward the delay as well;
* ``Crawl-delay`` of robots.txt (parsed with Protego, Scrapy's robots parser)
  raises the source's delay, never lowers it;
* a 429 or 503 with ``Retry-After`` holds the whole slot for that long (capped by
  ``PRESSARCHIVE_MAX_RETRY_AFTER``); the retry middleware then retries;
* after ``PRESSARCHIVE_BREAKER_THRESHOLD`` responses 403/429 from one source, the
  source's circuit opens: nothing more is requested from it in this run, and the
  reason is kept in the run's stats (``pressarchive/breaker/<source>``) and in the
  error of every request it refused (fetch log).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any, Self

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawlers.discovery import decoded_body

logger = logging.getLogger(__name__)

BREAKER_STATUSES = (403, 429)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date); None if unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def crawl_delay(robots_body: bytes, user_agent: str) -> float | None:
    """The Crawl-delay robots.txt gives ``user_agent`` (its first token), or None."""
    try:
        parser = Protego.parse(robots_body.decode("utf-8", errors="replace"))
    except Exception:  # a broken robots.txt must not stop the crawl
        return None
    value = parser.crawl_delay(user_agent.split("/", 1)[0])
    return float(value) if value is not None else None


class PolitenessMiddleware:
    """Slot per source, Crawl-delay, Retry-After and the per-source circuit breaker."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.user_agent = settings.get("USER_AGENT") or "pressarchive"
        self.threshold = settings.getint("PRESSARCHIVE_BREAKER_THRESHOLD", 5)
        self.max_retry_after = settings.getfloat("PRESSARCHIVE_MAX_RETRY_AFTER", 120.0)
        self.strikes: dict[str, int] = {}
        self.open_circuits: dict[str, str] = {}
        self.crawl_delays: dict[str, float] = {}
        self._base_delay: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("PRESSARCHIVE_POLITENESS_ENABLED", True):
            raise NotConfigured("PRESSARCHIVE_POLITENESS_ENABLED is off")
        mw = cls(crawler)
        # response_downloaded fires before the slot hands out its next request; a
        # process_response hook would run only after, and one request would slip through.
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    # --- slots ----------------------------------------------------------------
    def _source_id(self, request: Request, spider: Spider | None) -> str | None:
        info = request.meta.get("pressarchive") or {}
        if info.get("source_id"):
            return str(info["source_id"])
        spider = spider or self.crawler.spider  # Scrapy 2.13+ no longer passes the spider
        if spider is not None and hasattr(spider, "source_for_url"):
            source = spider.source_for_url(request.url)
            return source.id if source else None
        return None

    def _slot(self, key: str) -> Any:
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None) if engine else None
        return downloader.slots.get(key) if downloader is not None else None

    def _raise_delay(self, key: str, delay: float) -> None:
        """Make the source's slot wait at least ``delay`` between requests, now and when created."""
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None) if engine else None
        if downloader is None:
            return
        per_slot = downloader.per_slot_settings.setdefault(key, {})
        per_slot["delay"] = max(float(per_slot.get("delay", 0.0)), delay)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            slot.delay = delay
            slot.lastseen = time.monotonic()  # count the new delay from robots.txt's answer, not its request

    # --- hooks ----------------------------------------------------------------
    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        source_id = self._source_id(request, spider)
        if source_id is None:
            return
        request.meta.setdefault("download_slot", source_id)
        reason = self.open_circuits.get(source_id)
        if reason is not None:
            self.crawler.stats.inc_value(f"pressarchive/breaker_refused/{source_id}")
            raise IgnoreRequest(f"circuit open for {source_id}: {reason}")

    def response_downloaded(self, response: Response, request: Request, spider: Spider | None = None) -> None:
        source_id = self._source_id(request, spider)
        if source_id is None:
            return
        slot_key = str(request.meta.get("download_slot") or source_id)
        if request.url.endswith("/robots.txt") and response.status == 200:
            body = decoded_body(response.body, response.headers.get("Content-Encoding"))
            delay = crawl_delay(body, self.user_agent)
            if delay:
                self.crawl_delays[source_id] = delay
                self.crawler.stats.set_value(f"pressarchive/crawl_delay/{source_id}", delay)
                self._raise_delay(slot_key, delay)
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None:
                self._hold(slot_key, min(wait, self.max_retry_after))
        if response.status in BREAKER_STATUSES:
            self.strikes[source_id] = self.strikes.get(source_id, 0) + 1
            if self.strikes[source_id] >= self.threshold and source_id not in self.open_circuits:
                reason = (
                    f"{self.strikes[source_id]} responses 403/429, the last one {response.status} for {request.url}"
                )
                self.open_circuits[source_id] = reason
                self.crawler.stats.set_value(f"pressarchive/breaker/{source_id}", reason)
                logger.warning("circuit breaker open for source %s: %s", source_id, reason)

    def _hold(self, key: str, seconds: float) -> None:
        """Nothing leaves the slot for ``seconds``; then its own delay applies again."""
        slot = self._slot(key)
        if slot is None or seconds <= 0:
            return
        from twisted.internet import reactor

        base = self._base_delay.setdefault(key, slot.delay)
        slot.delay = max(slot.delay, seconds)
        slot.lastseen = time.monotonic()
        self.crawler.stats.inc_value("pressarchive/retry_after_waits")

        def release() -> None:
            if slot.delay == max(base, seconds):
                slot.delay = max(base, self.crawl_delays.get(key, 0.0))
            self._base_delay.pop(key, None)

        reactor.callLater(seconds, release)  # type: ignore[attr-defined]
