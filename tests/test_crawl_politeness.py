"""Politeness, checked on the sandbox's own request log, each check with a run that makes it fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.politeness import crawl_delay, retry_after_seconds
from crawlers.process import MIN_SLOT_DELAY, build_settings
from crawlers.registry import Source
from crawlers.sandbox import Sandbox
from tests.crawlkit import max_in_flight, min_gap, per_outlet, run_crawl, sources_of

DELAY = 0.3
DAILY, WEEKLY = "voix-du-tarn", "echo-cevennes"


@pytest.fixture(scope="module")
def web() -> Iterator[Sandbox]:
    # The daily asks for its delay in robots.txt (served gzipped); the weekly gets it from the registry.
    with Sandbox(seed=7, crawl_delay={DAILY: DELAY}, latency=0.03) as sb:
        yield sb


def _two_outlets(web: Sandbox, weekly_delay: float) -> list[Source]:
    daily, weekly = sources_of(web, [DAILY, WEEKLY])
    daily = daily.model_copy(update={"sections": daily.sections[:1]})
    weekly = weekly.model_copy(update={"delay": weekly_delay, "sections": weekly.sections[:1]})
    return [daily, weekly]


def test_one_request_at_a_time_and_the_delay_between(
    web: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSARCHIVE_CONTACT_URL", "https://example.org/pressarchive-contact")
    web.clear_requests()
    result, rows, manifest = run_crawl(tmp_path, _two_outlets(web, DELAY), max_pages=3)
    assert result.status == "completed"
    logged = per_outlet(web.requests)
    assert set(logged) == {DAILY, WEEKLY}
    for outlet, entries in logged.items():
        gap, peak = min_gap(entries), max_in_flight(entries)
        print(f"\n{outlet}: {len(entries)} requests, most in flight {peak}, smallest gap {gap:.3f} s")
        assert len(entries) >= 6
        assert peak == 1, outlet
        # Scrapy spaces dispatches; the log shows arrivals, and a first request also opens
        # the connection, so allow a few milliseconds.
        assert gap >= DELAY - 0.03, (outlet, gap)
    assert manifest["stats"][f"pressarchive/crawl_delay/{DAILY}"] == DELAY
    agents = {e["headers"].get("User-Agent") for e in web.requests}
    assert agents == {"pressarchive/0.1 (+https://example.org/pressarchive-contact; regional press archive)"}
    robots = [r for r in rows if r["url"].endswith("/robots.txt")]
    assert {r["source_id"] for r in robots} == {DAILY, WEEKLY}  # robots.txt counts for the source too


def test_negative_control_without_delay_requests_overlap(web: Sandbox, tmp_path: Path) -> None:
    """Same crawl, Crawl-delay ignored, no registry delay, 4 per outlet: the checks above would fail."""
    web.clear_requests()
    settings = {"PRESSARCHIVE_POLITENESS_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 4}
    result, _, _ = run_crawl(tmp_path, _two_outlets(web, 0.0), settings, max_pages=6)
    assert result.status == "completed"
    logged = per_outlet(web.requests)
    assert min(min_gap(e) for e in logged.values()) < DELAY
    assert max(max_in_flight(e) for e in logged.values()) > 1


def test_source_concurrency_and_delay_fill_its_slot() -> None:
    source = Source.model_validate(
        {
            "id": "x",
            "name": "X",
            "homepage": "http://127.0.0.1:1/",
            "region": "R",
            "department": "81",
            "kind": "daily",
            "delay": 2.5,
            "concurrency": 2,
        }
    )
    config = {"home": "/tmp/h", "run_id": "r"}
    slots = build_settings(config, [source], environ={}).getdict("DOWNLOAD_SLOTS")
    assert slots["x"] == {"delay": 2.5, "concurrency": 2, "jitter": 0.0}
    relaxed = build_settings(
        {**config, "settings": {"PRESSARCHIVE_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}}, [source], environ={}
    ).getdict("DOWNLOAD_SLOTS")
    assert relaxed["x"] == {"delay": MIN_SLOT_DELAY, "concurrency": 8, "jitter": 0.0}
    polite = build_settings(config, [source.model_copy(update={"concurrency": None})], environ={})
    assert polite.getdict("DOWNLOAD_SLOTS")["x"]["concurrency"] == 1
    assert polite.getfloat("DOWNLOAD_DELAY") >= 1.0  # the default for anything without a slot
    ua = build_settings(config, [source], environ={"PRESSARCHIVE_CONTACT_URL": "https://c.example/"})
    assert "+https://c.example/" in ua.get("USER_AGENT")


def test_header_parsers() -> None:
    assert retry_after_seconds(b"3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    robots = b"User-agent: *\nCrawl-delay: 2\nDisallow: /x/\n\nUser-agent: pressarchive\nCrawl-delay: 5\n"
    assert crawl_delay(robots, "pressarchive/0.1 (+https://c.example/)") == 5.0
    assert crawl_delay(robots, "otherbot/1") == 2.0
    assert crawl_delay(b"User-agent: *\nDisallow:\n", "pressarchive/0.1") is None
