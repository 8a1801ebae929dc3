"""Extraction speed on a crawled run: ``python -m pipeline.bench HOME RUN_ID [--workers N]``.

Prints figures, asserts nothing (benchmarks are not tests): milliseconds per
page in one process, then pages per second through the process pool, over the
article candidates of one staged run. Nothing is written to the run's folder,
so it can be pointed at a run that is already loaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.home import DataHome
from pipeline.pool import RecordTask, extract_chunk, extract_records
from pipeline.stage import is_candidate, read_fetchlog, task_for


@dataclass(frozen=True)
class SpeedFigures:
    pages: int
    single_ms_per_page: float
    pool_workers: int
    pool_pages_per_second: float
    statuses: dict[str, int]


def measure(tasks: Sequence[RecordTask], workers: int | None = None, repeat: int = 1) -> SpeedFigures:
    """Time ``tasks`` in-process (after one warm-up page), then through a pool of ``workers``."""
    if not tasks:
        raise ValueError("no article candidates to measure")
    extract_chunk(tasks[:1])  # imports, regex compilation, first-call caches
    started = time.perf_counter()
    for _ in range(repeat):
        outcomes = extract_chunk(tasks)
    single = (time.perf_counter() - started) / (len(tasks) * repeat)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    for _ in range(repeat):
        extract_records(tasks, workers=workers)
    pooled = len(tasks) * repeat / (time.perf_counter() - started)
    statuses = Counter(o.status.split(":", 1)[0] for o in outcomes)
    return SpeedFigures(len(tasks), round(single * 1000, 2), workers, round(pooled, 1), dict(statuses))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    parser.add_argument("home", help="data home holding warc/ and staging/")
    parser.add_argument("run_id", help="a crawled run under staging/")
    parser.add_argument("--workers", type=int, default=None, help="pool size (default: all cores)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the pages (default 1)")
    args = parser.parse_args(argv)
    home = DataHome.from_env(args.home)
    rows = read_fetchlog(home.run_dir(args.run_id) / "fetchlog.jsonl")
    tasks = [task_for(row, home) for row in rows if is_candidate(row)]
    figures = measure(tasks, args.workers, args.repeat)
    print(f"pages                 {figures.pages} x {args.repeat}")
    print(f"single process        {figures.single_ms_per_page:.2f} ms/page")
    rate = figures.pool_pages_per_second
    print(f"pool of {figures.pool_workers:<2} workers     {rate:.1f} pages/s (pool start included)")
    print(f"outcomes              {figures.statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
