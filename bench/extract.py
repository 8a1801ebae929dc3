"""Extraction throughput: the extract stage's process pool next to a bare trafilatura loop.

    python -m bench.extract                      # crawls the sandbox into a temporary home first
    python -m bench.extract --home DATA --run RUN_ID [--workers N] [--repeat R]

Both sides read the same WARC records in the same run: the bare side is one
process calling ``trafilatura.extract`` on each decoded body (what a naive
pipeline would do), the pool side is ``pipeline.pool.extract_records`` (our
full extractor: metadata, gate, body, fingerprints) on every core, pool start
included. Printed: pages per second of each and their ratio; the goal on
2 cores is a ratio of 1.8 or more. Figures only, no assertions (DESIGN.md).
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--repeat", type=int, default=3, help="passes over the pages, each side (default 3)")
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
        bare = [bare_loop(tasks) for _ in range(args.repeat)]
        single = [pool_run(tasks, 1) for _ in range(args.repeat)]
        pooled = [pool_run(tasks, args.workers) for _ in range(args.repeat)]
    bare_rate = len(tasks) / min(s for s, _ in bare)
    single_rate = len(tasks) / min(s for s, _ in single)
    pool_rate = len(tasks) / min(s for s, _ in pooled)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"pages                         {len(tasks)} (best of {args.repeat} passes each); "
          f"{os.cpu_count()} cores, load average {load}")
    print(f"bare trafilatura, 1 process   {bare_rate:8.1f} pages/s  ({bare[0][1]} with text)")
    print(f"extract stage, 1 process      {single_rate:8.1f} pages/s  (our extractor's own cost)")
    print(f"extract stage, pool of {args.workers:<2}     {pool_rate:8.1f} pages/s  ({pooled[0][1]} articles; "
          f"pool start included)")
    print(f"ratio pool / bare             {pool_rate / bare_rate:8.2f}  (goal on 2 cores: >= 1.8)")
    print(f"pool scaling                  {pool_rate / single_rate:8.2f}  (pool / 1 process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
