"""Extract one crawl run into a staged batch: the step between crawl and load.

Reads what the crawl left in ``staging/<run_id>`` (run.json, fetchlog.jsonl),
picks the article candidates, extracts them on every core (``pipeline.pool``)
and writes the batch (``pipeline.batchfiles``). Every candidate ends with an
``extract_status``, so the batch is written whatever happens to single records,
and an analyst can ask why a page is not in the archive.

``RunExtraction`` does the same while the crawl is still running: it follows the
fetch log (each line is written after its WARC records are flushed, so a complete
line names a readable record) and hands candidates to a started pool as they come,
so extraction overlaps the crawl instead of following it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import boilerplate, dates, storysig
from pipeline.batchfiles import write_batch
from pipeline.charset import is_html
from pipeline.extract import EXTRACTOR
from pipeline.home import DataHome
from pipeline.pool import (
    CHUNK_SIZE,
    ExtractionPool,
    Progress,
    RecordOutcome,
    RecordTask,
    chunk_size,
    collect,
    extract_records,
)

__all__ = [
    "BatchSummary",
    "RunExtraction",
    "extract_records",
    "extract_run",
    "is_candidate",
    "read_fetchlog",
    "task_for",
]


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


def _parse_lines(lines: Iterable[str | bytes]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        row["fetched_at"] = parse_fetched_at(row.get("fetched_at"))
        rows.append(row)
    return rows


def read_fetchlog(path: Path) -> list[dict[str, Any]]:
    """Rows of fetchlog.jsonl; a truncated last line (crashed crawl) is skipped."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as stream:
        return _parse_lines(stream)


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
    return RunExtraction(home, run_id, workers=workers).finish(progress)


class RunExtraction:
    """The extraction of one run, fed while its crawl runs (``poll``) and written after (``finish``).

    With a started ``pool`` each ``poll`` reads the fetch-log lines completed since the last
    one and submits their candidates; ``finish`` (once the crawl process has exited) reads
    the rest, waits for every outcome and writes the batch. Without a pool, ``poll`` does
    nothing and ``finish`` extracts everything at once (``extract_records``). The batch is the
    same either way: outcomes are per record, and rows keep the fetch log's order.
    """

    def __init__(
        self, home: DataHome, run_id: str, *, pool: ExtractionPool | None = None, workers: int | None = None
    ) -> None:
        self.home, self.run_id, self.pool, self.workers = home, run_id, pool, workers
        self.batch_dir = home.run_dir(run_id)
        self.rows: list[dict[str, Any]] = []
        self._offset = 0  # bytes of the fetch log read so far (complete lines only)
        self._pending: list[RecordTask] = []  # candidates not yet submitted
        self._futures: dict[Future[list[RecordOutcome]], list[RecordTask]] = {}
        self._untimed: list[dict[str, Any]] = []  # rows without a readable time: queued at finish
        self._candidates = 0
        self.started = time.perf_counter()

    def _read(self, final: bool) -> list[dict[str, Any]]:
        path = self.batch_dir / "fetchlog.jsonl"
        try:
            with path.open("rb") as stream:
                stream.seek(self._offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        if not final:  # a line still being written waits for the next poll
            data = data[: data.rfind(b"\n") + 1]
        self._offset += len(data)
        rows = _parse_lines(data.split(b"\n"))  # "\n" only, as a file iterates: text may hold U+2028
        self.rows.extend(rows)
        return rows

    def _queue(self, rows: list[dict[str, Any]], default_fetched_at: datetime | None) -> None:
        for row in rows:
            if is_candidate(row):
                self._candidates += 1
                self._pending.append(task_for(row, self.home, default_fetched_at))

    def _submit(self, size: int) -> None:
        assert self.pool is not None
        while self._pending:
            chunk, self._pending = self._pending[:size], self._pending[size:]
            self._futures[self.pool.submit(chunk)] = chunk

    @property
    def submitted(self) -> int:
        """Candidates handed to the pool so far."""
        return sum(len(chunk) for chunk in self._futures.values())

    def poll(self) -> int:
        """Submit the candidates the crawl has logged since the last poll; how many were new."""
        if self.pool is None:
            return 0
        rows = self._read(final=False)
        # a row without a readable time waits for finish, where it gets the run's time as before
        self._queue([r for r in rows if r["fetched_at"] is not None], None)
        self._untimed.extend(r for r in rows if r["fetched_at"] is None)
        new = len(self._pending)
        self._submit(CHUNK_SIZE)
        return new

    def finish(self, progress: Progress | None = None) -> BatchSummary:
        """Read the rest of the fetch log, wait for every outcome and write the batch."""
        run_path = self.batch_dir / "run.json"
        if not run_path.exists():
            raise FileNotFoundError(f"{run_path}: no such run manifest; was run {self.run_id} crawled?")
        run = json.loads(run_path.read_text(encoding="utf-8"))
        run_time = parse_fetched_at(run.get("finished_at")) or parse_fetched_at(run.get("started_at"))
        self._queue([*self._untimed, *self._read(final=True)], run_time)
        if self.pool is None:
            outcomes = extract_records(self._pending, self.workers, progress)
            by_fetch = {o.fetch_id: o for o in outcomes}
        else:
            # the rest in chunks that keep every worker busy to the end
            self._submit(chunk_size(len(self._pending), self.pool.workers))
            by_fetch = collect(self._futures, progress, self._candidates)
            outcomes = list(by_fetch.values())
        return self._write(run, by_fetch, outcomes)

    def _write(
        self, run: dict[str, Any], by_fetch: dict[str, RecordOutcome], outcomes: list[RecordOutcome]
    ) -> BatchSummary:
        articles: list[dict[str, Any]] = []
        for row in self.rows:
            outcome = by_fetch.get(str(row.get("fetch_id")))
            row["extract_status"] = outcome.status if outcome else None
            if outcome and outcome.record is not None:
                articles.append(with_listed_date(
                    {"fetch_id": row["fetch_id"], "run_id": row.get("run_id") or self.run_id,
                     "source_id": row.get("source_id"), **outcome.record}, row
                ))  # fmt: skip
        counts = _counts(outcomes)
        home, batch_dir, rows = self.home, self.batch_dir, self.rows
        articles, learned = boilerplate.learn_strip_and_list(home.boilerplate_dir, articles)
        articles = storysig.sign(articles)  # of the final text, so the load only joins band keys
        write_batch(
            batch_dir, run, rows, articles, extra={"extractor": EXTRACTOR, "counts": counts, "boilerplate": learned}
        )
        return BatchSummary(
            run_id=self.run_id,
            candidates=self._candidates,
            articles=counts["articles"],
            rejected=counts["rejected"],
            errors=counts["errors"],
            seconds=round(time.perf_counter() - self.started, 3),
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
