"""Auto-discovery and provenance: a source that lists nothing is found through its own pages.

The registry entry keeps only the homepage; the crawler must find the feed the homepage
announces and the sitemap robots.txt names, reach every article the sandbox's truth has
for that outlet, and keep for each fetch how and where the URL was found, in the fetch
log and in the WARC metadata record beside the response.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawlers.sandbox import Sandbox
from tests.crawlkit import run_crawl, sources_of

DAILY = "voix-du-tarn"


@pytest.fixture(scope="module")
def web() -> Iterator[Sandbox]:
    with Sandbox(seed=7) as sb:
        yield sb


@pytest.fixture(scope="module")
def bare(web: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    (source,) = sources_of(web, [DAILY], feeds=[], sitemaps=[], sections=[])
    home = tmp_path_factory.mktemp("bare")
    web.clear_requests()
    result, rows, manifest = run_crawl(home, [source])
    return {"home": home, "result": result, "rows": rows, "stats": manifest["stats"], "log": web.requests}


def test_feed_and_sitemap_are_found_from_home_and_robots(bare: dict[str, Any], web: Sandbox) -> None:
    base = web.base_urls[DAILY]
    by_url = {r["url"]: r for r in bare["rows"]}
    feed, sitemap = by_url[base + "/rss/une.xml"], by_url[base + "/sitemap.xml"]
    assert (feed["role"], feed["discovered_via"], feed["discovered_from"]) == ("feed", "home", base + "/")
    assert (sitemap["role"], sitemap["discovered_via"], sitemap["discovered_from"]) == (
        "sitemap",
        "robots",
        base + "/robots.txt",
    )
    assert bare["stats"]["pressarchive/discovered/home_feeds"] == 1
    assert bare["stats"]["pressarchive/discovered/robots_sitemaps"] == 1


def test_every_article_of_the_outlet_is_reached(bare: dict[str, Any], web: Sandbox) -> None:
    truth = [a["url"] for a in web.truth()["articles"] if a["outlet"] == DAILY]
    fetched = {r["url"] for r in bare["rows"] if r["role"] == "article" and r["status"] == 200}
    assert set(truth) <= fetched


def test_negative_control_without_auto_discovery_the_sitemap_is_missed(web: Sandbox, tmp_path: Path) -> None:
    """A source that lists a (useless) feed is not auto-discovered: no sitemap is fetched."""
    (source,) = sources_of(web, [DAILY], feeds=[web.base_urls[DAILY] + "/absent.xml"], sitemaps=[], sections=[])
    _, rows, _ = run_crawl(tmp_path, [source], max_pages=1)  # robots.txt and home decide; articles do not
    assert not [r for r in rows if r["role"] == "sitemap"]


def test_provenance_in_fetch_log_and_warc_metadata(bare: dict[str, Any]) -> None:
    articles = [r for r in bare["rows"] if r["role"] == "article" and r["status"] == 200]
    assert {r["discovered_via"] for r in articles} <= {"feed", "sitemap", "home", "section"}
    from_sitemap = [r for r in articles if r["discovered_via"] == "sitemap"]
    assert from_sitemap and all(
        r["discovered_from"].endswith((".xml", ".xml.gz")) and r["listed_at"] for r in from_sitemap
    )
    row = from_sitemap[0]
    with (bare["home"] / row["warc_file"]).open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "metadata" and record.rec_headers.get_header("WARC-Target-URI") == row["url"]:
                meta = json.loads(record.content_stream().read())
                break
        else:
            pytest.fail("no metadata record for " + row["url"])
    assert {k: meta[k] for k in ("fetch_id", "discovered_via", "discovered_from", "listed_at")} == {
        k: row[k] for k in ("fetch_id", "discovered_via", "discovered_from", "listed_at")
    }
