"""Run reports: what one run added to the archive, per source, as Prefect artifacts.

The numbers are read back from the archive (read-only) for the run's
``run_id``, after its load, so the report shows what the archive holds, not
what the code meant to write. ``run_report`` is plain Python over DuckDB and is
tested without Prefect; ``publish`` turns it into a table artifact (one row
per source) and a markdown artifact (totals, where the data is).

Each article page of the run is counted once, as the load counts it:

- ``new_articles``: it is the first text of an article (version 1);
- ``new_versions``: it is the first fetch of a changed text (version > 1);
- ``duplicates``: a known text at a URL the run saw first for that article
  (rule 2, or a copy inside the batch);
- ``unchanged``: a known text at a known URL (a plain re-fetch).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task

from pipeline.home import DataHome
from warehouse.db import DEFAULT_READ_WAIT, open_readonly
from warehouse.load import FAILED_FETCH

TABLE_KEY = "archive-run-sources"
SUMMARY_KEY = "archive-run-summary"

_PER_SOURCE = f"""
WITH run_fetches AS (
    SELECT fetch_id, source_id, url, status, error FROM fetches WHERE run_id = $run_id
), texts AS (  -- every text of every article with the fetch that first showed it
    SELECT article_id, version, fetch_id FROM articles
    UNION ALL SELECT article_id, version, fetch_id FROM article_versions
), firsts AS (
    SELECT t.fetch_id, min(t.version) AS version FROM texts t
    JOIN run_fetches f USING (fetch_id) GROUP BY t.fetch_id
), pages AS (  -- claimed: this page's fetch is the first that showed its canonical URL
    SELECT p.source_id, p.fetch_id, fi.version, coalesce(u.fetch_id = p.fetch_id, FALSE) AS claimed
    FROM read_parquet($articles) p
    LEFT JOIN firsts fi USING (fetch_id)
    LEFT JOIN article_urls u ON u.url = p.canonical_url
), by_page AS (
    SELECT source_id,
           count(*) FILTER (WHERE version = 1) AS new_articles,
           count(*) FILTER (WHERE version > 1) AS new_versions,
           count(*) FILTER (WHERE version IS NULL AND claimed) AS duplicates,
           count(*) FILTER (WHERE version IS NULL AND NOT claimed) AS unchanged
    FROM pages GROUP BY source_id
), by_fetch AS (
    SELECT source_id, count(status) AS pages_fetched,
           count(*) FILTER (WHERE {FAILED_FETCH}) AS errors
    FROM run_fetches GROUP BY source_id
)
SELECT coalesce(f.source_id, p.source_id) AS source_id,
       coalesce(f.pages_fetched, 0), coalesce(p.new_articles, 0), coalesce(p.new_versions, 0),
       coalesce(p.duplicates, 0), coalesce(p.unchanged, 0), coalesce(f.errors, 0)
FROM by_fetch f FULL JOIN by_page p USING (source_id)
ORDER BY source_id
"""

_FETCHES_ONLY = f"""
SELECT source_id, count(status), 0, 0, 0, 0, count(*) FILTER (WHERE {FAILED_FETCH})
FROM fetches WHERE run_id = $run_id GROUP BY source_id ORDER BY source_id
"""

_ERRORS = f"""
SELECT source_id, url, status, error FROM fetches
WHERE run_id = $run_id AND {FAILED_FETCH}
ORDER BY source_id, fetched_at LIMIT $limit
"""


@dataclass(frozen=True)
class SourceReport:
    source_id: str
    pages_fetched: int = 0
    new_articles: int = 0
    new_versions: int = 0
    duplicates: int = 0
    unchanged: int = 0
    errors: int = 0


@dataclass(frozen=True)
class FailedFetch:
    source_id: str
    url: str
    status: int | None
    error: str | None


@dataclass(frozen=True)
class RunReport:
    run_id: str
    db_path: Path
    batch_dir: Path
    sources: list[SourceReport]
    failures: list[FailedFetch]

    def totals(self) -> SourceReport:
        sums = {f.name: sum(getattr(s, f.name) for s in self.sources) for f in fields(SourceReport)[1:]}
        return SourceReport("all", **sums)

    def table(self) -> list[dict[str, Any]]:
        return [asdict(s) for s in self.sources]


def run_report(
    db_path: str | os.PathLike[str],
    run_id: str,
    batch_dir: str | os.PathLike[str],
    *,
    max_failures: int = 50,
    wait_seconds: float = DEFAULT_READ_WAIT,
) -> RunReport:
    """Per-source counts of run ``run_id`` from the archive; the file is held for one short read."""
    articles = Path(batch_dir) / "articles.parquet"
    params = {"run_id": run_id, "articles": str(articles)}
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        if articles.exists():
            rows = con.execute(_PER_SOURCE, params).fetchall()
        else:  # a run with no article page staged has only fetches to show
            rows = con.execute(_FETCHES_ONLY, {"run_id": run_id}).fetchall()
        failed = con.execute(_ERRORS, {"run_id": run_id, "limit": max_failures}).fetchall()
    return RunReport(
        run_id=run_id,
        db_path=Path(db_path),
        batch_dir=Path(batch_dir),
        sources=[SourceReport(str(r[0]), *(int(x) for x in r[1:])) for r in rows],
        failures=[FailedFetch(str(r[0]), str(r[1]), r[2], r[3]) for r in failed],
    )


def summary_markdown(report: RunReport, home: Path, extra: dict[str, Any] | None = None) -> str:
    """Totals and where the data is, for the run page of the Prefect UI."""
    total = report.totals()
    lines = [
        f"# Archive run `{report.run_id}`",
        "",
        "| | |",
        "|---|---|",
        f"| sources | {len(report.sources)} |",
        f"| pages fetched | {total.pages_fetched} |",
        f"| new articles | {total.new_articles} |",
        f"| new versions | {total.new_versions} |",
        f"| duplicates | {total.duplicates} |",
        f"| unchanged | {total.unchanged} |",
        f"| errors | {total.errors} |",
    ]
    for key, value in (extra or {}).items():
        lines.append(f"| {key} | {value} |")
    lines += [
        "",
        "## Where the data is",
        "",
        f"- archive (DuckDB): `{report.db_path}`",
        f"- raw pages (WARC): `{home / 'warc'}`",
        f"- staged batch and crawl log: `{report.batch_dir}`",
        "",
        f"Query it: `pressarchive sql \"SELECT * FROM crawl_runs WHERE run_id = '{report.run_id}'\"`",
    ]
    if report.failures:
        lines += ["", "## Failed fetches", "", "| source | URL | status | error |", "|---|---|---|---|"]
        lines += [f"| {f.source_id} | {f.url} | {f.status or ''} | {f.error or ''} |" for f in report.failures]
    return "\n".join(lines) + "\n"


def publish(report: RunReport, home: Path, extra: dict[str, Any] | None = None) -> None:
    """The table and markdown artifacts of one run (inside a flow or task run)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    total = report.totals()
    create_table_artifact(
        table=report.table() or [asdict(SourceReport("(none)"))],
        key=TABLE_KEY,
        description=f"Run {report.run_id}: per source, pages fetched, new articles, new versions, "
        f"duplicates, unchanged, errors ({total.new_articles} new articles in all)",
    )
    create_markdown_artifact(
        markdown=summary_markdown(report, home, extra),
        key=SUMMARY_KEY,
        description=f"Run {report.run_id}: totals and where the data is",
    )


# Reading the archive can meet a long load of another run (ArchiveBusy after the bounded wait): retry.
@task(name="report", retries=2, retry_delay_seconds=[10, 30])
def report_task(run_id: str, home_root: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Publish the run's artifacts and log one line per source and per failed URL."""
    logger = get_run_logger()
    home = DataHome.from_env(home_root)
    report = run_report(home.db_path, run_id, home.run_dir(run_id))
    for s in report.sources:
        logger.info(
            "source %s: %d pages fetched, %d new articles, %d new versions, %d duplicates, %d errors",
            s.source_id,
            s.pages_fetched,
            s.new_articles,
            s.new_versions,
            s.duplicates,
            s.errors,
        )
    for f in report.failures:
        logger.warning("source %s: fetch failed %s (%s)", f.source_id, f.url, f.error or f"HTTP {f.status}")
    publish(report, home.root, extra)
    return asdict(report.totals())
