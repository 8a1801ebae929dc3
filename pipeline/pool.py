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
from types import TracebackType
from typing import Any, Self

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


def chunk_size(tasks: int, parts: int) -> int:
    """The chunk size that cuts ``tasks`` into about ``parts`` chunks, at most ``CHUNK_SIZE`` each."""
    return max(1, min(CHUNK_SIZE, -(-tasks // max(1, parts))))


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


def _background_worker() -> None:
    """A worker that yields the CPU to the crawl it runs beside (the critical path), then works on."""
    _quiet_worker()
    os.nice(10)


def _pool(workers: int, initializer: Callable[[], None] = _quiet_worker) -> Executor:
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
        # "__main__": a main script is imported once by the fork server, not again by every worker
        context.set_forkserver_preload(["__main__", __name__])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer)


def _warm() -> None:
    """Nothing: submitted once per worker so that workers start before the real work arrives."""


class ExtractionPool:
    """Worker processes started ahead of the work, fed chunk by chunk, reused for several batches.

    Starting workers costs a fork (instant) or a fork-server start (a fresh interpreter importing
    the extractor: seconds without bytecode caches). ``start`` begins that at once and returns,
    so a caller starts the pool with the crawl and the cost hides behind it; ``submit`` then
    lets records be extracted while the crawl is still writing them (``pipeline.stage.RunExtraction``).
    """

    def __init__(self, workers: int | None = None, *, background: bool = False) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.background = background  # niced workers: extraction beside a crawl takes only idle CPU
        self._executor: Executor | None = None
        self._starter: threading.Thread | None = None

    def start(self) -> Self:
        """Start the workers (idempotent). With one worker there is no process: chunks run inline."""
        if self._executor is not None or self.workers == 1:
            return self
        executor = self._executor = _pool(self.workers, _background_worker if self.background else _quiet_worker)
        if executor._mp_context.get_start_method() == "fork":  # type: ignore[attr-defined]
            executor.submit(_warm)  # forks every worker now, before the pool's own thread starts
        else:  # a fork-server start blocks until the server has imported the extractor: not here
            self._starter = threading.Thread(
                target=lambda: [executor.submit(_warm) for _ in range(self.workers)],
                name="extraction-pool-start",
                daemon=True,
            )
            self._starter.start()
        return self

    def submit(self, chunk: Sequence[RecordTask]) -> Future[list[RecordOutcome]]:
        """Extract one chunk in a worker (inline, already done, with one worker)."""
        if self._executor is None and self.workers > 1:
            self.start()
        if self._executor is None:
            inline: Future[list[RecordOutcome]] = Future()
            try:
                inline.set_result(extract_chunk(chunk))
            except Exception as exc:
                inline.set_exception(exc)
            return inline
        return self._executor.submit(extract_chunk, list(chunk))

    def close(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def collect(
    futures: dict[Future[list[RecordOutcome]], list[RecordTask]],
    progress: Progress | None = None,
    total: int | None = None,
) -> dict[str, RecordOutcome]:
    """Outcomes of submitted chunks by fetch_id; a chunk whose worker died is reported, not lost."""
    results: dict[str, RecordOutcome] = {}
    done = 0
    total = sum(len(c) for c in futures.values()) if total is None else total
    for future in as_completed(futures):
        chunk = futures[future]
        try:
            outcomes = future.result()
        except Exception as exc:
            outcomes = [RecordOutcome(t.fetch_id, error_status(exc)) for t in chunk]
        results.update((o.fetch_id, o) for o in outcomes)
        done += len(chunk)
        if progress:
            progress(done, total)
    return results


def extract_records(
    tasks: Sequence[RecordTask],
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    pool: ExtractionPool | None = None,
) -> list[RecordOutcome]:
    """Extract many records, in a process pool unless ``workers == 1``; outcomes in task order.

    The building block of extract_run, and of any re-extraction of old WARC records
    (a new extractor version, a rebuild, a benchmark). ``pool``: an already started pool
    to use (``workers`` is then ignored), else one is made for this call.
    """
    total = len(tasks)
    # about 8 chunks per worker at least, so the last chunks do not leave a core idle on small runs
    planned = pool.workers if pool is not None else max(1, workers or os.cpu_count() or 1)
    chunks = chunk_tasks(tasks, chunk_size(total, planned * 8))
    if pool is not None:
        futures = {pool.submit(chunk): chunk for chunk in chunks}
        results = collect(futures, progress, total)
        return [results[t.fetch_id] for t in tasks]
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks) or 1))
    results = {}
    done = 0
    if workers == 1:
        for chunk in chunks:
            results.update((o.fetch_id, o) for o in extract_chunk(chunk))
            done += len(chunk)
            if progress:
                progress(done, total)
    else:
        with ExtractionPool(workers) as own:
            results = collect({own.submit(chunk): chunk for chunk in chunks}, progress, total)
    return [results[t.fetch_id] for t in tasks]
