"""The whole path against the sandbox: the real Prefect flow, Scrapy, trafilatura and DuckDB.

The archive is compared with what the sandbox knows it served, never with the
code's own output.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from crawlers.sandbox import Sandbox
from flows.cli import app
from pipeline.home import DataHome
from tests.quality import same_day, token_f1
from warehouse.query import run_query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def archived(
    sandbox: Sandbox, sandbox_registry: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DataHome, dict[str, Any]]]:
    home = DataHome.from_env(tmp_path_factory.mktemp("home"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRESSARCHIVE_HOME", str(home.root))
        from flows.archive import archive

        sandbox.clear_requests()
        summary = archive(registry=str(sandbox_registry))
        yield home, summary


def _rows(home: DataHome, sql: str) -> list[dict[str, Any]]:
    result = run_query(home.db_path, sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _match_articles(home: DataHome, truth: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Truth article id → archived articles reached through any of its URLs."""
    urls = _rows(home, "SELECT url, article_id FROM article_urls")
    by_url = {r["url"]: r["article_id"] for r in urls}
    articles = {a["article_id"]: a for a in _rows(home, "SELECT * FROM articles")}
    for a in articles.values():
        by_url.setdefault(a["url"], a["article_id"])
    matched: dict[str, list[dict[str, Any]]] = {}
    for item in truth["articles"]:
        ids = {by_url[u] for u in [item["url"], item["canonical_url"], *item["alt_urls"]] if u in by_url}
        matched[item["id"]] = [articles[i] for i in ids]
    return matched


def test_every_article_archived_exactly_once(archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox) -> None:
    home, summary = archived
    truth = sandbox.truth()
    assert summary["crawl"]["status"] == "completed"
    matched = _match_articles(home, truth)
    missing = [k for k, v in matched.items() if not v]
    doubled = [k for k, v in matched.items() if len(v) > 1]
    total = _rows(home, "SELECT count(*) AS n FROM articles")[0]["n"]
    print(
        f"\narticles in truth: {len(truth['articles'])}, archived: {total}, "
        f"missing: {len(missing)}, matched twice: {len(doubled)}"
    )
    assert not missing, missing[:5]
    assert not doubled, doubled[:5]
    assert total == len(truth["articles"])


def test_metadata_and_text_match_the_truth(archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox) -> None:
    home, _ = archived
    truth = sandbox.truth()
    matched = _match_articles(home, truth)
    titles = dates = authors = 0
    f1s: list[float] = []
    per_outlet: dict[str, list[float]] = {}
    for item in truth["articles"]:
        (article,) = matched[item["id"]]
        titles += article["title"] == item["title"]
        dates += same_day(article["published_at"], item["published"])
        authors += list(article["authors"] or []) == item["authors"]
        f1 = token_f1(article["text"], item["paragraphs"])
        f1s.append(f1)
        per_outlet.setdefault(item["outlet"], []).append(f1)
    n = len(truth["articles"])
    print(
        f"\ntitle exact: {titles / n:.3f}  published same day: {dates / n:.3f}  "
        f"mean body token F1: {sum(f1s) / n:.3f}  authors exact: {authors / n:.3f}"
    )
    for outlet, values in sorted(per_outlet.items()):
        print(f"  {outlet:<28} F1 {sum(values) / len(values):.3f} over {len(values)} articles")
    assert titles / n >= 0.95
    assert dates / n >= 0.95
    assert sum(f1s) / n >= 0.90
    assert titles / n >= 0.98 and dates / n >= 0.98 and authors / n >= 0.95 and sum(f1s) / n >= 0.95
    from crawlers.sandbox.gatepages import RECURRING  # per-source lines the load must not keep

    survivors = [
        a["article_id"]
        for a in _rows(home, "SELECT article_id, source_id, text FROM articles")
        if any(line in a["text"] for line in RECURRING[a["source_id"]])
    ]
    assert not survivors, survivors[:5]


def test_no_non_article_stored_and_stories_match_the_truth(
    archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox
) -> None:
    """The gate kept every non-article page out (their fetches stay, with the reason); rule 3 pairs."""
    from tests.test_stories import precision_recall, story_pairs

    home, _ = archived
    truth = sandbox.truth()
    pages = {p["url"]: p["kind"] for p in truth["pages"]}
    stored = [r["url"] for r in _rows(home, "SELECT url FROM article_urls") if r["url"] in pages]
    statuses = _rows(home, "SELECT url, extract_status FROM fetches WHERE role = 'article'")
    gated = {r["url"]: r["extract_status"] for r in statuses if r["url"] in pages}
    print(
        f"\nnon-article pages fetched as articles: {len(gated)}, stored as articles: {len(stored)}; "
        f"reasons {dict(Counter(gated.values()))}"
    )
    assert not stored, stored
    assert len(gated) >= 40 and all(v.startswith("rejected:") for v in gated.values()), gated
    matched = _match_articles(home, truth)
    found = story_pairs({k: v[0]["story_id"] for k, v in matched.items() if v})
    expected = story_pairs({a["id"]: a["story_id"] for a in truth["articles"]})
    precision, recall = precision_recall(found, expected)
    print(f"story pairs: truth {len(expected)}, archived {len(found)}, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_every_response_is_in_the_warc_where_the_fetch_log_says(
    archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox
) -> None:
    home, summary = archived
    fetches = _rows(home, "SELECT * FROM fetches WHERE status IS NOT NULL")
    served = [r for r in sandbox.requests if r["status"]]
    assert len(fetches) == len(served), "one fetch row per response the sandbox sent"
    for fetch in fetches[:: max(1, len(fetches) // 40)]:  # a spread sample, read back from disk
        with (home.root / fetch["warc_file"]).open("rb") as fh:
            fh.seek(fetch["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == fetch["url"]
            assert record.http_headers.get_statuscode() == str(fetch["status"])
    runs = _rows(home, "SELECT * FROM crawl_runs")
    assert [r["run_id"] for r in runs] == [summary["run_id"]]
    assert runs[0]["pages_fetched"] == len(fetches)


def test_robots_disallowed_paths_never_requested(archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox) -> None:
    paths = Counter(r["path"] for r in sandbox.requests)
    forbidden = [p for p in paths if p.startswith(("/recherche", "/admin"))]
    assert not forbidden
    assert paths["/robots.txt"] >= 1


def test_load_is_idempotent(archived: tuple[DataHome, dict[str, Any]]) -> None:
    from warehouse.load import load_batch

    home, summary = archived
    tables = ("articles", "fetches", "article_urls", "crawl_runs", "sources")
    before = {t: _rows(home, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}
    again = load_batch(home.db_path, home.run_dir(summary["run_id"]))
    after = {t: _rows(home, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}
    assert again.skipped and before == after


def test_cli_sql_formats_and_refusals(archived: tuple[DataHome, dict[str, Any]], sandbox: Sandbox) -> None:
    home, _ = archived
    runner = CliRunner()
    env = {"PRESSARCHIVE_HOME": str(home.root)}
    query = "SELECT source_id, count(*) AS n FROM articles GROUP BY source_id ORDER BY source_id"
    result = runner.invoke(app, ["sql", "--format", "json", query], env=env)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    expected = Counter(a["outlet"] for a in sandbox.truth()["articles"])
    assert {r["source_id"]: r["n"] for r in rows} == dict(expected)
    result = runner.invoke(app, ["sql", "--format", "csv", query], env=env)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "source_id,n" and len(lines) == len(expected) + 1
    result = runner.invoke(app, ["sql", "DELETE FROM articles"], env=env)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert _rows(home, "SELECT count(*) AS n FROM articles")[0]["n"] == sum(expected.values())
