"""The archive flow: crawl → extract → load, one run of the sources, with a summary."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from crawlers.registry import DEFAULT_REGISTRY, load_registry, select
from crawlers.runner import crawl
from flows.progress import for_step
from pipeline.home import DataHome
from pipeline.stage import extract_run
from warehouse.load import load_batch


@task(name="crawl")
def crawl_task(registry: str, source_ids: list[str] | None, max_pages: int, home_root: str) -> dict[str, Any]:
    logger = get_run_logger()
    sources = select(load_registry(registry), source_ids)
    logger.info("crawling %d source(s): %s", len(sources), ", ".join(s.id for s in sources))
    result = crawl(
        sources,
        DataHome.from_env(home_root),
        max_pages=max_pages,
        flow_run_id=str(flow_run.id) if flow_run.id else None,
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
    return {
        "run_id": result.run_id,
        "status": result.status,
        "fetches": result.fetches,
        "errors": result.errors,
        "seconds": round(result.seconds, 2),
    }


@task(name="extract")
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
    result = load_batch(home.db_path, home.run_dir(run_id))
    logger.info("load %s: %s", run_id, result)
    out = asdict(result)
    out["seconds"] = round(time.monotonic() - started, 2)
    return out


@flow(name="archive", log_prints=True)
def archive(sources: list[str] | None = None, max_pages: int = 0, registry: str | None = None) -> dict[str, Any]:
    """Crawl sources of the registry, extract their articles and load them into the archive.

    Args:
        sources: registry ids of the sources to crawl; all sources when empty.
        max_pages: at most this many article pages per source in this run; 0 means no limit.
        registry: path of the sources registry (TOML); the shipped one when empty.
    """
    home = DataHome.from_env().ensure()
    registry_path = str(Path(registry) if registry else DEFAULT_REGISTRY)
    crawled = crawl_task(registry_path, sources or None, max_pages, str(home.root))
    extracted = extract_task(crawled["run_id"], str(home.root))
    loaded = load_task(crawled["run_id"], str(home.root))
    return {"run_id": crawled["run_id"], "home": str(home.root), "crawl": crawled, "extract": extracted, "load": loaded}
