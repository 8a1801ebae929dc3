"""The archive flow: crawl → extract → load, one run of the sources, with a summary."""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any, Literal

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from crawlers.discoveryfilter import crawl_settings
from crawlers.registry import load_registry, select
from crawlers.runner import CrawlFailed, crawl
from flows.artifacts import report_task
from flows.limits import load_slot, source_slots
from flows.progress import for_step
from flows.schedules import registry_path
from pipeline.home import DataHome, new_run_id
from pipeline.stage import extract_run
from warehouse.frontier import prepare_snapshot
from warehouse.load import load_batch
from warehouse.search import refresh_after_load

Discovery = Literal["feed", "section", "home", "sitemap"]
ALL_PATHS: list[Discovery] = ["feed", "section", "home", "sitemap"]


# A crawl that died (CrawlFailed: the process crashed, the machine ran short) is retried once as a new
# run with its own files; the dead run's partial files stay in staging and are never loaded.
@task(name="crawl", retries=1, retry_delay_seconds=10)
def crawl_task(
    registry: str,
    source_ids: list[str] | None,
    max_pages: int,
    home_root: str,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    logger = get_run_logger()
    sources = select(load_registry(registry), source_ids)
    logger.info("crawling %d source(s): %s", len(sources), ", ".join(s.id for s in sources))
    home = DataHome.from_env(home_root)
    run_id = new_run_id()  # the frontier snapshot goes in the run's folder; the crawl reads it once
    result = crawl(
        sources,
        home,
        run_id=run_id,
        frontier=prepare_snapshot(home, run_id, [s.id for s in sources]),
        max_pages=max_pages,
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        settings=settings,
        progress=for_step("crawl: responses archived"),
    )
    logger.info(
        "crawl %s %s: %d responses, %d errors in %.1f s",
        result.run_id,
        result.status,
        result.fetches,
        result.errors,
        result.seconds,
    )
    if result.status == "failed" or result.status.startswith("crashed"):  # retried once, as a new run
        raise CrawlFailed(f"crawl {result.run_id} {result.status}; log: {result.run_dir / 'crawl.log'}")
    return {
        "run_id": result.run_id,
        "status": result.status,
        "fetches": result.fetches,
        "errors": result.errors,
        "seconds": round(result.seconds, 2),
    }


@task(name="extract", retries=2, retry_delay_seconds=[5, 15])
def extract_task(run_id: str, home_root: str) -> dict[str, Any]:
    logger = get_run_logger()
    summary = extract_run(
        DataHome.from_env(home_root), run_id, progress=lambda done, total: for_step("extract: pages", total)(done)
    )
    logger.info(
        "extract %s: %d candidates → %d articles, %d rejected, %d errors in %.1f s",
        run_id,
        summary.candidates,
        summary.articles,
        summary.rejected,
        summary.errors,
        summary.seconds,
    )
    out = asdict(summary)
    out["batch_dir"] = str(summary.batch_dir)
    return out


@task(name="load", retries=2, retry_delay_seconds=[5, 15])
def load_task(run_id: str, home_root: str) -> dict[str, Any]:
    logger = get_run_logger()
    home = DataHome.from_env(home_root)
    started = time.monotonic()
    with load_slot(logger):  # one writer of archive.duckdb across all runs and workers
        result = load_batch(home.db_path, home.run_dir(run_id), reindex=False)
    # The search index refresh only reads the archive: outside the slot, so the next load need not wait for it.
    result = replace(result, index_seconds=refresh_after_load(home.db_path))
    logger.info("load %s: %s", run_id, result)
    out = asdict(result)
    out["seconds"] = round(time.monotonic() - started, 2)
    return out


@flow(name="archive", log_prints=True)
def archive(
    sources: list[str] | None = None,
    max_pages: int = 0,
    registry: str | None = None,
    discovery: list[Discovery] = ALL_PATHS,
) -> dict[str, Any]:
    """Crawl sources of the registry, extract their articles and load them into the archive.

    Args:
        sources: registry ids of the sources to crawl (e.g. voix-du-tarn); all sources when empty.
        max_pages: at most this many article pages per source in this run; 0 means no limit.
        registry: path of the sources registry (TOML); $PRESSARCHIVE_REGISTRY, else the shipped one, when empty.
        discovery: where to look for articles: feeds, section pages, the home page, sitemaps.
    """
    home = DataHome.from_env().ensure()
    path = str(registry_path(registry))
    ids = sources or [s.id for s in load_registry(path)]
    with source_slots(ids, get_run_logger()):  # no other run crawls these sources meanwhile (server mode)
        crawled = crawl_task(path, sources or None, max_pages, str(home.root), crawl_settings(discovery))
        extracted = extract_task(crawled["run_id"], str(home.root))
    loaded = load_task(crawled["run_id"], str(home.root))
    report_task(crawled["run_id"], str(home.root), {"discovery": ", ".join(discovery)})
    return {"run_id": crawled["run_id"], "home": str(home.root), "crawl": crawled, "extract": extracted, "load": loaded}
