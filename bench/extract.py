"""Extraction throughput: the extract stage's process pool next to a bare trafilatura loop.

    python -m bench.extract                      # crawls the sandbox into a temporary home first
    python -m bench.extract --home DATA --run RUN_ID [--workers N] [--repeat R]

Both sides read the same WARC records in the same run: the bare side is one
process calling ``trafilatura.extract`` on each decoded body (what a naive
pipeline would do), the pool side is ``pipeline.pool.extract_records`` (our
full extractor: metadata, gate, body, fingerprints) on every core, pool start
included. Printed: pages per second and milliseconds per page of each (the
median of ``--repeat`` passes, the three sides interleaved so that load from
other processes falls on all of them alike) and their ratio; the goal on
2 cores is a ratio of 1.8 or more. Figures only, no assertions (DESIGN.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the packages
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import trafilatura

from pipeline.charset import decode_html
from pipeline.home import DataHome
from pipeline.pool import RecordTask, extract_records
from pipeline.stage import is_candidate, read_fetchlog, task_for
from pipeline.warcrecords import read_records


def bare_loop(tasks: Sequence[RecordTask]) -> tuple[float, int]:
    """Seconds and pages for one process reading each record and calling trafilatura.extract on it."""
    started = time.perf_counter()
    extracted = 0
    locations = {(t.warc_path, t.warc_offset): [t] for t in tasks}
    for _location, payload in read_records(locations):
        if isinstance(payload, Exception):
            continue
        html, _codec = decode_html(payload.body, payload.content_type)
        extracted += trafilatura.extract(html, include_comments=False, include_tables=True) is not None
    return time.perf_counter() - started, extracted


def pool_run(tasks: Sequence[RecordTask], workers: int) -> tuple[float, int]:
    started = time.perf_counter()
    outcomes = extract_records(tasks, workers=workers)
    return time.perf_counter() - started, sum(o.record is not None for o in outcomes)


def crawl_sandbox(root: Path) -> tuple[DataHome, str]:
    """One crawl of the five sandbox outlets into ``root`` (no extraction)."""
    from crawlers.registry import load_registry
    from crawlers.runner import crawl
    from crawlers.sandbox import Sandbox

    home = DataHome.from_env(root).ensure()
    with Sandbox(seed=7, port=0) as web:
        result = crawl(load_registry(web.write_registry(root / "sources.toml")), home)
    return home, result.run_id


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="data home holding warc/ and staging/ (default: crawl the sandbox)")
    parser.add_argument("--run", help="a crawled run under staging/ (with --home)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pool size (default: all cores)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages, each side (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as scratch:
        if args.home:
            if not args.run:
                parser.error("--home needs --run")
            home, run_id = DataHome.from_env(args.home), args.run
        else:
            print("crawling the sandbox…", flush=True)
            home, run_id = crawl_sandbox(Path(scratch))
        rows = read_fetchlog(home.run_dir(run_id) / "fetchlog.jsonl")
        tasks = [task_for(row, home) for row in rows if is_candidate(row)]
        if not tasks:
            print(f"run {run_id}: no article candidates", file=sys.stderr)
            return 1
        bare_loop(tasks[:3])  # imports and first-call caches, on both sides' behalf
        pool_run(tasks[:3], 1)
        bare: list[tuple[float, int]] = []
        single: list[tuple[float, int]] = []
        pooled: list[tuple[float, int]] = []
        for _ in range(args.repeat):  # interleaved: a burst of load elsewhere hits every side
            bare.append(bare_loop(tasks))
            single.append(pool_run(tasks, 1))
            pooled.append(pool_run(tasks, args.workers))
    pages = len(tasks)
    bare_s, single_s, pool_s = (statistics.median(s for s, _ in runs) for runs in (bare, single, pooled))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"pages                         {pages} (median of {args.repeat} passes each); "
        f"{os.cpu_count()} cores, load average {load}"
    )
    sides = (
        ("bare trafilatura, 1 process", bare_s, f"{bare[0][1]} with text"),
        ("extract stage, 1 process", single_s, "our extractor's own cost"),
        (f"extract stage, pool of {args.workers}", pool_s, f"{pooled[0][1]} articles; pool start included"),
    )
    for label, seconds, note in sides:
        print(f"{label:<29} {pages / seconds:8.1f} pages/s  {1000 * seconds / pages:6.2f} ms/page  ({note})")
    print(f"ratio pool / bare             {bare_s / pool_s:8.2f}  (goal on 2 cores: >= 1.8)")
    print(f"ours / bare, 1 process        {single_s / bare_s:8.2f}  (per-page cost of our extractor)")
    print(f"pool scaling                  {single_s / pool_s:8.2f}  (pool / 1 process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
