"""Each fault of the sandbox's 'faults' outlet, and what the crawler does about it.

One crawl of the outlet (short download timeout, small section bound) is extracted and
loaded; each test then checks one behaviour against the sandbox's request log (what was
really asked) and the fetch log or the archive (what the crawler recorded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawlers.sandbox import Sandbox
from pipeline.home import DataHome
from pipeline.stage import extract_run
from tests.crawlkit import run_crawl, sources_of
from warehouse.load import load_batch
from warehouse.query import run_query

SECTION_PAGES = 3


@pytest.fixture(scope="module")
def web() -> Iterator[Sandbox]:
    with Sandbox(seed=7, faults=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def crawled(web: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("faults-home")
    web.clear_requests()
    settings = {"DOWNLOAD_TIMEOUT": 1, "PRESSARCHIVE_MAX_SECTION_PAGES": SECTION_PAGES}
    result, rows, manifest = run_crawl(home, sources_of(web, ["faults"]), settings)
    extract_run(DataHome(home), result.run_id, workers=1)
    load_batch(home / "archive.duckdb", result.run_dir, reindex=False)
    log = sorted(web.requests, key=lambda r: r["time"])
    return {
        "home": home,
        "result": result,
        "rows": rows,
        "stats": manifest["stats"],
        "log": log,
        "paths": Counter(r["path"] for r in log),
    }


def _rows(crawled: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [r for r in crawled["rows"] if urlsplit(r["url"]).path == path]


def _sql(crawled: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    return run_query(crawled["home"] / "archive.duckdb", sql).rows


def test_crawl_completes_despite_every_fault(crawled: dict[str, Any]) -> None:
    assert crawled["result"].status == "completed"


def test_404_is_recorded_and_not_retried(crawled: dict[str, Any]) -> None:
    assert crawled["paths"]["/articles/missing.html"] == 1
    assert [r["status"] for r in _rows(crawled, "/articles/missing.html")] == [404]


def test_500_then_success_on_retry(crawled: dict[str, Any]) -> None:
    assert [r["status"] for r in _rows(crawled, "/articles/flaky.html")] == [500, 200]
    assert _sql(crawled, "SELECT count(*) FROM articles WHERE url LIKE '%/articles/flaky.html'") == [(1,)]


def test_429_retry_after_holds_the_outlet(crawled: dict[str, Any]) -> None:
    log = crawled["log"]
    first = next(i for i, r in enumerate(log) if r["path"] == "/articles/throttled.html")
    assert log[first]["status"] == 429
    following = [r for r in log[first + 1 :] if r["outlet"] == "faults"]
    assert following[0]["time"] - log[first]["time"] >= 0.95  # Retry-After: 1
    assert [r["status"] for r in _rows(crawled, "/articles/throttled.html")] == [429, 200]
    assert crawled["stats"]["pressarchive/retry_after_waits"] == 1


def test_slow_response_is_abandoned_after_the_timeout(crawled: dict[str, Any]) -> None:
    rows = _rows(crawled, "/articles/slow.html")
    assert len(rows) == 3 == crawled["paths"]["/articles/slow.html"]  # 1 try + RETRY_TIMES
    assert all(r["status"] is None and "DownloadTimeoutError" in r["error"] for r in rows)


def test_redirect_chain_is_followed_and_each_hop_recorded(crawled: dict[str, Any]) -> None:
    hops = [(urlsplit(r["url"]).path, r["status"]) for r in crawled["rows"] if "/chain-" in r["url"]]
    assert hops == [("/articles/chain-1.html", 301), ("/articles/chain-2.html", 302), ("/articles/chain-end.html", 200)]
    assert _sql(crawled, "SELECT count(*) FROM articles WHERE url LIKE '%/chain-end.html'") == [(1,)]


def test_redirect_loop_is_cut(crawled: dict[str, Any]) -> None:
    loops = crawled["paths"]["/articles/loop-a.html"] + crawled["paths"]["/articles/loop-b.html"]
    assert 2 <= loops <= 6  # REDIRECT_MAX_TIMES = 5


def test_huge_page_is_cut_by_the_size_limit(crawled: dict[str, Any]) -> None:
    (row,) = _rows(crawled, "/articles/huge.html")
    assert row["status"] is None and "DownloadCancelledError" in row["error"] and "max size" in row["error"]
    assert crawled["paths"]["/articles/huge.html"] == 1


def test_pdf_and_image_links_are_not_requested(crawled: dict[str, Any]) -> None:
    assert not [p for p in crawled["paths"] if p.endswith((".pdf", ".jpg"))]


def test_malformed_feed_gives_its_readable_items(crawled: dict[str, Any]) -> None:
    (feed,) = _rows(crawled, "/feed.xml")
    assert feed["status"] == 200
    assert crawled["stats"]["pressarchive/feed_links"] == 2
    via_feed = {
        urlsplit(r["url"]).path for r in crawled["rows"] if r["discovered_via"] == "feed" and r["role"] == "article"
    }
    assert via_feed <= {"/articles/ok-1.html", "/articles/ok-2.html"} and via_feed


def test_sitemap_index_listing_itself_is_fetched_once(crawled: dict[str, Any]) -> None:
    assert crawled["paths"]["/sitemap.xml"] == 1
    assert crawled["paths"]["/sitemap-pages.xml"] == 1


def test_endless_archive_calendar_is_bounded(crawled: dict[str, Any]) -> None:
    pages = [p for p in crawled["paths"] if p.startswith("/archives/page/")]
    assert len(pages) == SECTION_PAGES + 1  # the section itself, then the bound


def test_same_article_under_tracking_amp_and_old_slug_is_archived_once(crawled: dict[str, Any]) -> None:
    ((article_id,),) = _sql(crawled, "SELECT article_id FROM articles WHERE title LIKE 'Un seul article%'")
    urls = {u for (u,) in _sql(crawled, f"SELECT url FROM article_urls WHERE article_id = '{article_id}'")}
    assert {urlsplit(u).path for u in urls} == {"/articles/unique.html", "/amp/articles/unique.html"}
    assert not [p for p in crawled["paths"] if "utm_source" in p or "xtor" in p]  # dropped before asking
    assert [r["status"] for r in _rows(crawled, "/articles/unique-ancien-titre.html")] == [301]


def test_links_to_other_sites_are_never_followed(crawled: dict[str, Any], web: Sandbox) -> None:
    assert {r["outlet"] for r in crawled["log"]} == {"faults"}  # the daily is linked, never asked
    assert {urlsplit(r["url"]).netloc for r in crawled["rows"]} == {urlsplit(web.faults.base).netloc}


def test_robots_disallowed_paths_are_never_requested(crawled: dict[str, Any]) -> None:
    assert not [p for p in crawled["paths"] if p.startswith("/articles/interdit-")]
    (row,) = _rows(crawled, "/articles/interdit-1.html")
    assert "Forbidden by robots.txt" in row["error"]


@pytest.mark.parametrize("threshold", [3, 1000])
def test_circuit_breaker_stops_a_source_that_refuses(web: Sandbox, tmp_path: Path, threshold: int) -> None:
    """With 3 the outlet sees 3 refused requests and no more; 1000 is the negative control."""
    web.faults.banned = True
    web.clear_requests()
    try:
        result, rows, manifest = run_crawl(
            tmp_path, sources_of(web, ["faults"]), {"PRESSARCHIVE_BREAKER_THRESHOLD": threshold}
        )
    finally:
        web.faults.banned = False
    refused = [r for r in web.requests if r["status"] == 403]
    reason = manifest["stats"].get("pressarchive/breaker/faults")
    if threshold == 3:
        assert len(refused) == 3
        assert reason and reason.startswith("3 responses 403/429")
        assert any("circuit open for faults" in (r["error"] or "") for r in rows)
    else:
        assert len(refused) > 3 and reason is None
    assert result.status == "completed"
