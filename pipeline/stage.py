"""Extract one crawl run into a staged batch: the step between crawl and load.

Reads what the crawl left in ``staging/<run_id>`` (run.json, fetchlog.jsonl),
picks the article candidates, extracts them on every core (``pipeline.pool``)
and writes the batch (``pipeline.batchfiles``). Every candidate ends with an
``extract_status``, so the batch is written whatever happens to single records,
and an analyst can ask why a page is not in the archive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import boilerplate, dates
from pipeline.batchfiles import write_batch
from pipeline.charset import is_html
from pipeline.extract import EXTRACTOR
from pipeline.home import DataHome
from pipeline.pool import Progress, RecordOutcome, RecordTask, extract_records

__all__ = ["BatchSummary", "extract_records", "extract_run", "is_candidate", "read_fetchlog", "task_for"]


@dataclass(frozen=True)
class BatchSummary:
    """What extract_run did: counts of candidates and outcomes, time taken, where the batch is."""

    run_id: str
    candidates: int
    articles: int
    rejected: int
    errors: int
    seconds: float
    batch_dir: Path


def parse_fetched_at(value: Any) -> datetime | None:
    """fetchlog's ISO string (or a datetime) as an aware UTC datetime; None if unreadable."""
    if value is None or value == "":
        return None
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_fetchlog(path: Path) -> list[dict[str, Any]]:
    """Rows of fetchlog.jsonl; a truncated last line (crashed crawl) is skipped."""
    rows: list[dict[str, Any]] = []
    if not path.exists():
        return rows
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                continue
            row["fetched_at"] = parse_fetched_at(row.get("fetched_at"))
            rows.append(row)
    return rows


def is_candidate(row: dict[str, Any]) -> bool:
    """An article fetch worth extracting: role article, 200, HTML, archived."""
    content_type = row.get("content_type")
    return (
        row.get("role") == "article"
        and row.get("status") == 200
        and bool(content_type)
        and is_html(content_type, b"")
        and row.get("warc_file") is not None
        and row.get("warc_offset") is not None
    )


def task_for(row: dict[str, Any], home: DataHome, default_fetched_at: datetime | None = None) -> RecordTask:
    """The worker's view of a fetch row; a row without a readable time gets the run's."""
    return RecordTask(
        fetch_id=str(row["fetch_id"]),
        warc_path=str(home.root / row["warc_file"]),
        warc_offset=int(row["warc_offset"]),
        url=str(row.get("final_url") or row["url"]),
        content_type=row.get("content_type"),
        fetched_at=row["fetched_at"] or default_fetched_at or datetime.now(UTC),
    )


def extract_run(
    home: DataHome, run_id: str, *, workers: int | None = None, progress: Progress | None = None
) -> BatchSummary:
    """Extract ``staging/<run_id>`` into fetches.parquet, articles.parquet and batch.json."""
    started = time.perf_counter()
    batch_dir = home.run_dir(run_id)
    run_path = batch_dir / "run.json"
    if not run_path.exists():
        raise FileNotFoundError(f"{run_path}: no such run manifest; was run {run_id} crawled?")
    run = json.loads(run_path.read_text(encoding="utf-8"))
    rows = read_fetchlog(batch_dir / "fetchlog.jsonl")
    candidates = [row for row in rows if is_candidate(row)]
    run_time = parse_fetched_at(run.get("finished_at")) or parse_fetched_at(run.get("started_at"))
    outcomes = extract_records([task_for(row, home, run_time) for row in candidates], workers, progress)
    by_fetch = {o.fetch_id: o for o in outcomes}
    articles: list[dict[str, Any]] = []
    for row in rows:
        outcome = by_fetch.get(str(row.get("fetch_id")))
        row["extract_status"] = outcome.status if outcome else None
        if outcome and outcome.record is not None:
            articles.append(with_listed_date(
                {"fetch_id": row["fetch_id"], "run_id": row.get("run_id") or run_id,
                 "source_id": row.get("source_id"), **outcome.record}, row
            ))  # fmt: skip
    counts = _counts(outcomes)
    articles = boilerplate.learn_and_strip(home.boilerplate_dir, articles)
    learned = boilerplate.learned_lines(home.boilerplate_dir, (str(a["source_id"]) for a in articles))
    extra = {"extractor": EXTRACTOR, "counts": counts, "boilerplate": learned}
    write_batch(batch_dir, run, rows, articles, extra=extra)
    return BatchSummary(
        run_id=run_id,
        candidates=len(candidates),
        articles=counts["articles"],
        rejected=counts["rejected"],
        errors=counts["errors"],
        seconds=round(time.perf_counter() - started, 3),
        batch_dir=batch_dir,
    )


# Dates a page gives only weakly (a URL's day, htmldate's guess) yield to the feed's or sitemap's.
_WEAK_SOURCES = (None, "url", "htmldate")


def with_listed_date(record: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The record dated from the feed or sitemap that listed it, when the page itself had no sure date."""
    if record.get("published_source") not in _WEAK_SOURCES or not row.get("listed_at"):
        return record
    listed = dates.plausible(dates.parse_machine_date(row["listed_at"]), record["fetched_at"])
    if listed is None:
        return record
    via = row.get("discovered_via")
    return {**record, "published_at": listed, "published_source": via if via in ("feed", "sitemap") else "feed"}


def _counts(outcomes: Iterable[RecordOutcome]) -> dict[str, int]:
    counts = {"candidates": 0, "articles": 0, "rejected": 0, "errors": 0}
    for outcome in outcomes:
        counts["candidates"] += 1
        kind = outcome.status.split(":", 1)[0]
        key = {"article": "articles", "rejected": "rejected"}.get(kind, "errors")
        counts[key] += 1
    return counts
