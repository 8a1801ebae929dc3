"""The backfill flow: walk the sitemaps of sources over a date range, then extract and load as usual.

Started by hand when a source is added or a gap must be filled. It is the
archive flow's tasks with another discovery: sitemaps only, and only the
article URLs whose sitemap ``<lastmod>`` falls in the range
(``crawlers.discoveryfilter``). Loading is the same idempotent load, so a
backfill that overlaps what the hourly runs already have adds nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prefect import flow, get_run_logger

from crawlers.discoveryfilter import crawl_settings
from crawlers.registry import load_registry
from flows.archive import crawl_task, extract_task, load_task
from flows.artifacts import report_task
from flows.limits import source_slots
from flows.schedules import registry_path
from pipeline.home import DataHome

DEFAULT_DAYS = 30


@flow(name="backfill", log_prints=True)
def backfill(
    since: date | None = None,
    until: date | None = None,
    sources: list[str] | None = None,
    max_pages: int = 0,
    registry: str | None = None,
) -> dict[str, Any]:
    """Archive the articles that the sources' sitemaps list between two dates.

    Args:
        since: first day of the range (sitemap lastmod, inclusive); 30 days before `until` when empty.
        until: last day of the range (inclusive); today when empty.
        sources: registry ids of the sources to backfill (e.g. voix-du-tarn); all sources when empty.
        max_pages: at most this many article pages per source in this run; 0 means no limit.
        registry: path of the sources registry (TOML); $PRESSARCHIVE_REGISTRY, else the shipped one, when empty.
    """
    until = until or date.today()
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until}): nothing to backfill")
    home = DataHome.from_env().ensure()
    settings = crawl_settings(["sitemap"], since, until)
    path = str(registry_path(registry))
    ids = sources or [s.id for s in load_registry(path)]
    with source_slots(ids, get_run_logger()):  # no other run crawls these sources meanwhile (server mode)
        crawled = crawl_task(path, sources or None, max_pages, str(home.root), settings)
        extracted = extract_task(crawled["run_id"], str(home.root))
    loaded = load_task(crawled["run_id"], str(home.root))
    report_task(crawled["run_id"], str(home.root), {"discovery": "sitemap", "range": f"{since} to {until}"})
    return {
        "run_id": crawled["run_id"],
        "home": str(home.root),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "crawl": crawled,
        "extract": extracted,
        "load": loaded,
    }
