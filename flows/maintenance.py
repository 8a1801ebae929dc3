"""Maintenance flows: re-extract archived pages, rebuild the archive from its WARC files.

Thin on purpose: the work is ``warehouse.rebuild``'s, tested without Prefect;
the flows give it a name, retries on a busy archive, progress and a log in the
Prefect UI, so an operator can start either from there after upgrading the
extractor. Neither touches the network.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task

from flows.limits import load_slot
from flows.progress import for_step
from pipeline.home import DataHome
from warehouse.rebuild import rebuild as rebuild_archive
from warehouse.rebuild import reextract as reextract_archive


@task(name="reextract", retries=2, retry_delay_seconds=[5, 15])
def reextract_task(home_root: str, sources: list[str] | None, since: date | None) -> dict[str, Any]:
    with load_slot(get_run_logger()):  # it writes the archive: one writer at a time, as loads
        summary = reextract_archive(
            DataHome.from_env(home_root), sources=sources, since=since,
            progress=lambda done, total: for_step("reextract: pages", total)(done),
        )  # fmt: skip
    get_run_logger().info(
        "re-extracted %d fetches: %d articles updated (%d texts changed), %d removed by the gate, %d added; "
        "archive held %.1f s", summary.fetches, summary.articles, summary.texts_changed, summary.removed,
        summary.added, summary.seconds_held,
    )  # fmt: skip
    return asdict(summary)


@task(name="rebuild")
def rebuild_task(home_root: str) -> dict[str, Any]:
    with load_slot(get_run_logger()):  # no load may write the file being replaced
        summary = rebuild_archive(
            DataHome.from_env(home_root), progress=lambda done, total: for_step("rebuild: pages", total)(done)
        )
    get_run_logger().info(
        "rebuilt %s from %d runs: %d fetches, %d articles (previous file kept as %s)",
        summary.db_path, summary.runs, summary.fetches, summary.articles, summary.backup,
    )  # fmt: skip
    out = asdict(summary)
    out["db_path"], out["backup"] = str(summary.db_path), str(summary.backup) if summary.backup else None
    return out


@flow(name="reextract")
def reextract(sources: list[str] | None = None, since: date | None = None) -> dict[str, Any]:
    """Re-run the current extractor over archived article pages (all, some sources, or fetched since a day).

    Args:
        sources: source ids to re-extract; all when empty.
        since: only pages fetched on or after this day (UTC).
    """
    return reextract_task(str(DataHome.from_env().root), sources or None, since)


@flow(name="rebuild")
def rebuild() -> dict[str, Any]:
    """Recreate archive.duckdb from warc/ alone (the previous file is kept as archive.duckdb.bak)."""
    return rebuild_task(str(DataHome.from_env().root))
