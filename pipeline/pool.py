"""Extraction of many WARC records on every core.

Extraction is CPU-bound (lxml, trafilatura) and each page is independent, so
records are spread over a process pool. A task is a chunk of records of one
WARC file in offset order: a worker opens each file once, and the pickled task
and result stay small next to the work. Every record ends with a status, so an
exception in one page costs that page only. Kept apart from ``stage`` so that
workers import the extractor and warcio, not pyarrow, and re-extraction,
rebuild and benchmarks can reuse it without a staged run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from pipeline.extract import extract_article
from pipeline.warcrecords import read_records

# Records per task: large enough that pickling and scheduling cost little next to ~5 ms of
# extraction per page, small enough that progress moves and the cores finish together.
CHUNK_SIZE = 16
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RecordTask:
    """What a worker needs to extract one archived response (small, picklable)."""

    fetch_id: str
    warc_path: str
    warc_offset: int
    url: str
    content_type: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class RecordOutcome:
    """``status`` is the fetches.extract_status value; ``record`` is set for articles."""

    fetch_id: str
    status: str
    record: dict[str, Any] | None = None


def error_status(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:500]
    return f"error:{type(exc).__name__}: {message}" if message else f"error:{type(exc).__name__}"


def _extract_one(task: RecordTask, payload: Any) -> RecordOutcome:
    if isinstance(payload, Exception):
        return RecordOutcome(task.fetch_id, error_status(payload))
    try:
        result = extract_article(
            payload.body,
            url=task.url,
            content_type=payload.content_type or task.content_type,
            fetched_at=task.fetched_at,
        )
    except Exception as exc:  # one broken page must not cost the chunk
        return RecordOutcome(task.fetch_id, error_status(exc))
    return RecordOutcome(task.fetch_id, result.status, result.record)


def extract_chunk(tasks: Sequence[RecordTask]) -> list[RecordOutcome]:
    """Extract records (any files, any order); one outcome per task, in task order."""
    by_location: dict[tuple[str, int], list[RecordTask]] = defaultdict(list)
    for task in tasks:
        by_location[(task.warc_path, task.warc_offset)].append(task)
    outcomes: dict[int, RecordOutcome] = {}
    for location, payload in read_records(by_location):
        for task in by_location[location]:  # two fetch rows on one record: read once, both answered
            outcomes[id(task)] = _extract_one(task, payload)
    return [outcomes[id(task)] for task in tasks]


def chunk_tasks(tasks: Sequence[RecordTask], size: int = CHUNK_SIZE) -> list[list[RecordTask]]:
    """Chunks of at most ``size`` tasks, each from one WARC file, in offset order."""
    ordered = sorted(tasks, key=lambda t: (t.warc_path, t.warc_offset))
    chunks: list[list[RecordTask]] = []
    for _path, group in groupby(ordered, key=lambda t: t.warc_path):
        items = list(group)
        chunks.extend(items[i : i + size] for i in range(0, len(items), size))
    return chunks


def _quiet_worker() -> None:
    """trafilatura logs every discarded page at WARNING; the status column says it already."""
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _pool(workers: int) -> Executor:
    """Fork when no other Python thread runs (instant, modules inherited); else forkserver.

    Forking while another Python thread runs (a Prefect worker, an event loop) can leave
    the child blocked on a lock that thread held (logging, imports); the fork server is
    a clean single-threaded parent that imports the extractor once (preload) and forks
    every worker from there. Native threads (pyarrow's allocator, DuckDB) are not
    counted: they hold only their own libraries' locks, which workers never take.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_worker)


def extract_records(
    tasks: Sequence[RecordTask], workers: int | None = None, progress: Progress | None = None
) -> list[RecordOutcome]:
    """Extract many records, in a process pool unless ``workers == 1``; outcomes in task order.

    The building block of extract_run, and of any re-extraction of old WARC records
    (a new extractor version, a rebuild, a benchmark).
    """
    total = len(tasks)
    chunks = chunk_tasks(tasks)
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks) or 1))
    results: dict[str, RecordOutcome] = {}
    done = 0
    if workers == 1:
        for chunk in chunks:
            results.update((o.fetch_id, o) for o in extract_chunk(chunk))
            done += len(chunk)
            if progress:
                progress(done, total)
    else:
        with _pool(workers) as pool:
            futures: dict[Future[list[RecordOutcome]], list[RecordTask]] = {
                pool.submit(extract_chunk, chunk): chunk for chunk in chunks
            }
            for future in as_completed(futures):
                chunk = futures[future]
                try:
                    outcomes = future.result()
                except Exception as exc:  # a worker died: its chunk is reported, not lost
                    outcomes = [RecordOutcome(t.fetch_id, error_status(exc)) for t in chunk]
                results.update((o.fetch_id, o) for o in outcomes)
                done += len(chunk)
                if progress:
                    progress(done, total)
    return [results[t.fetch_id] for t in tasks]
