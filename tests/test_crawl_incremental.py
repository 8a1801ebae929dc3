"""Incremental runs through the real flow: frontier, conditional GET, revisits, sandbox rounds.

Three archive flows over two sandbox outlets: a first run; a second right after it, with
nothing changed (no article page fetched again, every listing a 304); then the sandbox
advances a round and a third run, standing two hours later so the first revisit is due,
catches the new articles and the corrected one as a new version. The sandbox's request
log is the ground truth of what was asked and what it cost.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crawlers.registry import Source, dump_registry
from crawlers.sandbox import Sandbox
from pipeline.home import DataHome
from warehouse.query import run_query

pytestmark = pytest.mark.e2e
OUTLETS = ["voix-du-tarn"]  # the outlet the rounds change; one keeps the three flows short


def _rows(home: DataHome, sql: str) -> list[dict[str, Any]]:
    result = run_query(home.db_path, sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _cost(requests: list[dict[str, Any]]) -> tuple[int, int]:
    return len(requests), sum(r["bytes"] for r in requests)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = DataHome.from_env(tmp_path_factory.mktemp("incremental-home"))
    registry = tmp_path_factory.mktemp("incremental-registry") / "sources.toml"
    with Sandbox(seed=7) as web, pytest.MonkeyPatch.context() as mp:
        sources = [Source.model_validate(s) for s in web.site.registry_sources() if s["id"] in OUTLETS]
        registry.write_text(dump_registry(sources), encoding="utf-8")
        patterns = {s.id: re.compile(s.article_pattern or "") for s in sources}
        mp.setenv("PRESSARCHIVE_HOME", str(home.root))
        from flows.archive import archive

        out: dict[str, Any] = {"home": home, "web": web, "patterns": patterns, "truth1": web.truth()}
        for name in ("first", "second"):
            web.clear_requests()
            started = time.monotonic()
            out[name] = archive(registry=str(registry))
            print(f"\n{name} flow: {time.monotonic() - started:.1f} s")
            out[f"{name}_log"] = web.requests
        out["changes"] = web.advance()
        out["truth3"] = web.truth()
        mp.setenv("PRESSARCHIVE_NOW", (datetime.now(UTC) + timedelta(hours=2)).isoformat())
        web.clear_requests()
        out["third"] = archive(registry=str(registry))
        out["third_log"] = web.requests
        yield out


def _is_article(runs: dict[str, Any], entry: dict[str, Any]) -> bool:
    base = runs["web"].base_urls[entry["outlet"]]
    return bool(runs["patterns"][entry["outlet"]].search(base + entry["path"]))


def _archived_share(runs: dict[str, Any], truth: dict[str, Any]) -> float:
    urls = {r["url"] for r in _rows(runs["home"], "SELECT url FROM article_urls")}
    wanted = [a for a in truth["articles"] if a["outlet"] in OUTLETS]
    found = [a for a in wanted if {a["url"], *a["alt_urls"]} & urls]
    return len(found) / len(wanted)


def test_first_run_archives_every_article(runs: dict[str, Any]) -> None:
    share = _archived_share(runs, runs["truth1"])
    print(f"\nshare of the sandbox's articles archived after one run: {share:.0%}")
    assert share == 1.0


def test_second_run_fetches_no_article_and_every_listing_answers_304(runs: dict[str, Any]) -> None:
    first, second = runs["first_log"], runs["second_log"]
    articles_again = [r for r in second if _is_article(runs, r)]
    listings = [r for r in second if not _is_article(runs, r) and not r["path"].startswith("/robots.txt")]
    (n1, b1), (n2, b2) = _cost(first), _cost(second)
    print(
        f"\nsecond run: {len(articles_again)} article pages fetched again; "
        f"{sum(r['status'] == 304 for r in listings)}/{len(listings)} listings answered 304; "
        f"requests {n2}/{n1} = {n2 / n1:.1%}, bytes {b2}/{b1} = {b2 / b1:.2%} of the first run"
    )
    assert articles_again == []
    assert listings and all(r["status"] == 304 for r in listings)
    assert all("If-None-Match" in r["headers"] or "If-Modified-Since" in r["headers"] for r in listings)
    assert b2 / b1 <= 0.05
    load = runs["second"]["load"]
    assert load["new_articles"] == 0 and load["new_versions"] == 0


def test_negative_control_the_first_run_did_fetch_articles(runs: dict[str, Any]) -> None:
    """The checks above can fail: the first run's log has the article pages and no 304."""
    assert sum(_is_article(runs, r) for r in runs["first_log"]) >= 40
    assert not [r for r in runs["first_log"] if r["status"] == 304]


def test_frontier_records_each_url_and_its_due_time(runs: dict[str, Any]) -> None:
    rows = _rows(
        runs["home"],
        """
        SELECT role, count(*) AS n, count(etag) FILTER (WHERE last_status IN (200, 304)) AS etags,
               count(*) FILTER (WHERE last_status IN (200, 304)) AS ok, max(fetches) AS most
        FROM frontier GROUP BY role ORDER BY role""",
    )
    by_role = {r["role"]: r for r in rows}
    assert by_role["article"]["n"] >= 40 and by_role["article"]["etags"] == by_role["article"]["ok"]
    assert by_role["feed"]["most"] == 3  # one fetch per run, 304s included
    listed = _rows(runs["home"], "SELECT count(*) AS n FROM fetches WHERE listed_at IS NOT NULL")
    assert listed[0]["n"] > 0


def test_after_a_round_new_articles_and_the_correction_are_caught(runs: dict[str, Any]) -> None:
    changes, home = runs["changes"], runs["home"]
    load = runs["third"]["load"]
    assert _archived_share(runs, runs["truth3"]) == 1.0
    corrected = _rows(
        home,
        f"""
        SELECT a.version, count(v.version) AS earlier FROM articles a
        JOIN article_urls u ON u.article_id = a.article_id
        LEFT JOIN article_versions v ON v.article_id = a.article_id
        WHERE u.url = '{changes["corrected"]["url"]}' GROUP BY a.version""",
    )
    print(
        f"\ncorrected article caught as a new version: {'yes' if corrected[0]['version'] == 2 else 'no'}; "
        f"third run: {load['new_articles']} new articles, {load['new_versions']} new version(s)"
    )
    assert corrected == [{"version": 2, "earlier": 1}]
    assert load["new_articles"] == len(changes["new"]) and load["new_versions"] == 1
    moved = [r for r in runs["third_log"] if r["path"].endswith(changes["moved"]["from"].split("/", 3)[3])]
    assert moved and moved[0]["status"] == 301
    # Every archived article was due (two hours on) and asked for conditionally; the daily's
    # pages all changed (their "latest news" box lists the new articles), yet only the
    # corrected one became a new version: an unchanged text costs no new row.
    revisits = [r for r in runs["third_log"] if _is_article(runs, r) and "If-None-Match" in r["headers"]]
    assert len(revisits) >= 40
    matched = _rows(home, "SELECT count(*) AS n FROM articles")
    assert matched[0]["n"] == sum(a["outlet"] in OUTLETS for a in runs["truth3"]["articles"]) + 1  # + removed
