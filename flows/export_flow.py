"""The export flow: the articles as files other tools read, nightly, into the data home.

A thin flow over ``warehouse.export.export_articles`` (read-only: it never
waits for or blocks a load for long). Each night writes
``<data home>/exports/<day>/articles[.jsonl|.csv]``; a second export of the same
day replaces the first, so a retried run never mixes two exports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipeline.home import DataHome
from warehouse.export import ExportFormat, export_articles

SUFFIX = {ExportFormat.parquet: "", ExportFormat.jsonl: ".jsonl", ExportFormat.csv: ".csv"}


# The archive may be held by a long load (ArchiveBusy after the bounded wait): try again later.
@task(name="export", retries=2, retry_delay_seconds=[30, 120])
def export_task(db_path: str, out: str, fmt: ExportFormat, since: date | None, source: str | None) -> dict[str, Any]:
    result = export_articles(db_path, out, fmt, since=since, source=source, overwrite=True)
    get_run_logger().info("export: %d articles → %s (%d files)", result.articles, result.path, len(result.files))
    return {
        "path": str(result.path),
        "format": str(result.format),
        "articles": result.articles,
        "files": len(result.files),
    }


@flow(name="export", log_prints=True)
def export(
    fmt: ExportFormat = ExportFormat.parquet,
    since: date | None = None,
    source: str | None = None,
    out: str | None = None,
) -> dict[str, Any]:
    """Export the archive's articles to Parquet (by month), JSON Lines or CSV.

    Args:
        fmt: file format: parquet (a folder partitioned by publication month), jsonl or csv.
        since: only articles published on or after this day; all when empty.
        source: only this source id (e.g. voix-du-tarn); all sources when empty.
        out: where to write; <data home>/exports/<today>/articles when empty.
    """
    home = DataHome.from_env().ensure()
    target = Path(out) if out else home.root / "exports" / date.today().isoformat() / f"articles{SUFFIX[fmt]}"
    done = export_task(str(home.db_path), str(target), fmt, since, source)
    create_markdown_artifact(
        markdown=f"# Export\n\n{done['articles']} articles ({done['format']}, {done['files']} files)"
        f" in `{done['path']}`\n",
        key="archive-export",
        description="Where the nightly export is",
    )
    return done
