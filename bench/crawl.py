"""Bench: pressarchive end to end (crawl + WARC + extract + load) vs trafilatura's own CLI, same pages.

``python bench/crawl.py [--concurrency 8] [--parallel 8]`` starts the sandbox press web on
127.0.0.1 and, in the same run:

1. pressarchive crawls all five outlets with politeness relaxed (no delay, several
   requests in flight per outlet), archives every response in WARC, extracts the
   articles in a process pool and loads them into a fresh DuckDB archive;
2. trafilatura's command-line tool fetches and extracts the very article URLs
   pressarchive fetched (``-i urls.txt --parallel N``, its own parallel downloads,
   its sleep between requests set to 0 and its loopback guard off, else it refuses
   127.0.0.1).

It prints pages per second for both (article pages / wall-clock seconds, process
starts included) and their ratio. A script, not a test: figures are printed, never
asserted (DESIGN.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.registry import Source  # noqa: E402
from crawlers.runner import crawl  # noqa: E402
from crawlers.sandbox import Sandbox  # noqa: E402
from pipeline.home import DataHome  # noqa: E402
from pipeline.stage import extract_run, read_fetchlog  # noqa: E402
from warehouse.load import load_batch  # noqa: E402

TRAFILATURA_CONFIG = """[DEFAULT]
DOWNLOAD_TIMEOUT = 30
MAX_FILE_SIZE = 20000000
MIN_FILE_SIZE = 10
SLEEP_TIME = 0
USER_AGENTS =
COOKIE =
MAX_REDIRECTS = 2
SSRF_PROTECTION = off
INSECURE_SSL_FALLBACK = on
MIN_EXTRACTED_SIZE = 250
MIN_OUTPUT_SIZE = 1
MIN_OUTPUT_COMM_SIZE = 1
MAX_TREE_SIZE =
EXTRACTION_TIMEOUT = 30
MIN_EXTRACTED_COMM_SIZE = 1
MIN_DUPLCHECK_SIZE = 100
MAX_REPETITIONS = 2
EXTENSIVE_DATE_SEARCH = on
EXTERNAL_URLS = off
"""


def run_pressarchive(web: Sandbox, work: Path, concurrency: int) -> tuple[float, list[str], dict[str, float]]:
    """Crawl + extract + load; return seconds, the article URLs fetched (200) and the split."""
    sources = [Source.model_validate(s) for s in web.site.registry_sources()]
    home = DataHome(work / "home").ensure()
    settings = {
        "PRESSARCHIVE_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS": concurrency * len(sources),
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    result = crawl(sources, home, settings=settings, timeout=600)
    crawled = time.perf_counter()
    extract_run(home, result.run_id)
    extracted = time.perf_counter()
    load_batch(home.db_path, result.run_dir)
    done = time.perf_counter()
    rows = read_fetchlog(result.run_dir / "fetchlog.jsonl")
    urls = [str(r["url"]) for r in rows if r.get("role") == "article" and r.get("status") == 200]
    split = {"crawl": crawled - started, "extract": extracted - crawled, "load": done - extracted}
    return done - started, urls, split


def run_trafilatura(urls: list[str], work: Path, parallel: int) -> tuple[float, int]:
    """trafilatura -i urls.txt --parallel N -o out/; return seconds and files written."""
    exe = Path(sys.executable).with_name("trafilatura")
    if not exe.exists():
        found = shutil.which("trafilatura")
        if not found:
            raise SystemExit("trafilatura's command-line tool is not installed in this environment")
        exe = Path(found)
    (work / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (work / "trafilatura.cfg").write_text(TRAFILATURA_CONFIG, encoding="utf-8")
    out = work / "trafilatura-out"
    started = time.perf_counter()
    subprocess.run(
        [
            str(exe),
            "-i",
            str(work / "urls.txt"),
            "-o",
            str(out),
            "--parallel",
            str(parallel),
            "--config-file",
            str(work / "trafilatura.cfg"),
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    written = sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    return seconds, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=8, help="pressarchive requests in flight per outlet")
    parser.add_argument("--parallel", type=int, default=8, help="trafilatura --parallel (download threads)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pressarchive-bench-") as tmp, Sandbox(seed=7) as web:
        work = Path(tmp)
        ours, urls, split = run_pressarchive(web, work, args.concurrency)
        theirs, written = run_trafilatura(urls, work, args.parallel)
    n = len(urls)
    ours_rate, theirs_rate = n / ours, n / theirs
    print(
        json.dumps(
            {
                "pages": n,
                "pressarchive_seconds": round(ours, 2),
                "pressarchive_split": {k: round(v, 2) for k, v in split.items()},
                "trafilatura_seconds": round(theirs, 2),
                "trafilatura_files": written,
            }
        )
    )
    print(f"pressarchive (crawl + WARC + extract + load): {n} pages in {ours:.1f} s = {ours_rate:.1f} pages/s")
    print(
        f"trafilatura CLI (-i, --parallel {args.parallel}):         {n} pages in {theirs:.1f} s "
        f"= {theirs_rate:.1f} pages/s ({written} files written)"
    )
    print(f"ratio pressarchive / trafilatura: {ours_rate / theirs_rate:.2f}x")


if __name__ == "__main__":
    main()
