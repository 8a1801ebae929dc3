"""Bench: pressarchive end to end (crawl + WARC + extract + load) vs trafilatura's own CLI, same pages.

``python -m bench.crawl [--concurrency 8] [--parallel 8] [--repeat 1]`` serves the sandbox press
web on 127.0.0.1 from its own process (``python -m crawlers.sandbox``: the stand-in for remote
sites shares no interpreter with either client) and, in the same run:

1. pressarchive crawls all five outlets with politeness relaxed (no delay, several
   requests in flight per outlet), archives every response in WARC, extracts the
   articles in a process pool and loads them into a fresh DuckDB archive, one stage
   after the other, as the archive flow runs (the headline figure);
2. the same with extraction following the crawl: a pool started with the crawl extracts
   each archived article as soon as the fetch log names it (``pipeline.stage.RunExtraction``),
   its workers niced so that the crawl, the critical path, keeps its core. On 2 shared
   cores this has not beaten 1. (the crawl, the sandbox server and the workers contend
   for the same cores); it is printed to keep the comparison honest;
3. trafilatura's command-line tool fetches and extracts the very article URLs
   pressarchive fetched (``-i urls.txt --parallel N``, its own parallel downloads,
   its sleep between requests set to 0 and its loopback guard off, else it refuses
   127.0.0.1).

The sandbox is its default size (seed 7, about 208 articles); each side fetches the same
article pages. It prints pages per second for each (article pages / wall-clock seconds,
process starts included: the crawl process, the pool's workers, trafilatura's interpreter)
and the ratios; with ``--repeat N`` the median of N rounds. A script, not a test: figures
are printed, never asserted (DESIGN.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.registry import Source, load_registry  # noqa: E402
from crawlers.runner import crawl  # noqa: E402
from pipeline.home import DataHome, new_run_id  # noqa: E402
from pipeline.pool import ExtractionPool  # noqa: E402
from pipeline.stage import RunExtraction, extract_run, read_fetchlog  # noqa: E402
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


@contextmanager
def sandbox(work: Path, seed: int = 7) -> Iterator[list[Source]]:
    """The sandbox served by its own process on free ports; yields its registry."""
    out = work / "sandbox"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawlers.sandbox", "--port", "0", "--seed", str(seed), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the last line it prints once serving
            if line.startswith("registry:") or "Ctrl-C" in line:
                break
        else:
            raise SystemExit(f"the sandbox did not start (exit {proc.wait()})")
        yield load_registry(out / "registry.toml")
    finally:
        proc.terminate()
        proc.wait(10)


def relaxed(concurrency: int, sources: list[Source]) -> dict[str, object]:
    """Politeness relaxed for the bench only: no delay, ``concurrency`` requests in flight per outlet."""
    return {
        "PRESSARCHIVE_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS": concurrency * len(sources),
        "LOG_LEVEL": "WARNING",
    }


def run_pressarchive(
    sources: list[Source], work: Path, concurrency: int
) -> tuple[float, list[str], dict[str, float | int]]:
    """Crawl with extraction following it, then load; return seconds, article URLs fetched (200), split."""
    home = DataHome(work / "home").ensure()
    run_id = new_run_id()
    started = time.perf_counter()
    # workers fork now, while the crawl process starts; niced, they take the CPU the crawl leaves
    with ExtractionPool(background=True) as pool:
        extraction = RunExtraction(home, run_id, pool=pool)
        result = crawl(
            sources,
            home,
            run_id=run_id,
            settings=relaxed(concurrency, sources),
            timeout=600,
            progress=lambda _responses: extraction.poll(),
            poll_interval=0.05,
        )
        crawled = time.perf_counter()
        during = extraction.submitted  # articles handed to the pool before the crawl ended
        extraction.finish()
    extracted = time.perf_counter()
    load_batch(home.db_path, result.run_dir)
    done = time.perf_counter()
    split = {
        "crawl": crawled - started,
        "extract_after_crawl": extracted - crawled,
        "load": done - extracted,
        "articles_submitted_during_crawl": during,
    }
    return done - started, _article_urls(result.run_dir), split


def run_sequential(sources: list[Source], work: Path, concurrency: int) -> tuple[float, dict[str, float | int]]:
    """Crawl, then extract_run, then load: the stages one after the other."""
    home = DataHome(work / "home-sequential").ensure()
    started = time.perf_counter()
    result = crawl(sources, home, settings=relaxed(concurrency, sources), timeout=600)
    crawled = time.perf_counter()
    extract_run(home, result.run_id)
    extracted = time.perf_counter()
    load_batch(home.db_path, result.run_dir)
    done = time.perf_counter()
    return done - started, {"crawl": crawled - started, "extract": extracted - crawled, "load": done - extracted}


def _article_urls(run_dir: Path) -> list[str]:
    rows = read_fetchlog(run_dir / "fetchlog.jsonl")
    return [str(r["url"]) for r in rows if r.get("role") == "article" and r.get("status") == 200]


def run_trafilatura(urls: list[str], work: Path, parallel: int) -> tuple[float, int]:
    """trafilatura -i urls.txt --parallel N -o out/; return seconds and files written."""
    exe = Path(sys.executable).with_name("trafilatura")
    if not exe.exists():
        found = shutil.which("trafilatura")
        if not found:
            raise SystemExit("trafilatura's command-line tool is not installed in this environment")
        exe = Path(found)
    work.mkdir(parents=True, exist_ok=True)
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
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the medians are printed")
    args = parser.parse_args()
    rounds: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="pressarchive-bench-") as tmp:
        work = Path(tmp)
        with sandbox(work) as sources:
            for i in range(args.repeat):
                here = work / f"round-{i}"
                ours, urls, split = run_pressarchive(sources, here, args.concurrency)
                sequential, seq_split = run_sequential(sources, here, args.concurrency)
                theirs, written = run_trafilatura(urls, here, args.parallel)
                n = len(urls)
                rounds.append({
                    "pages": n,
                    "pressarchive_seconds": round(ours, 2),
                    "pressarchive_split": {k: round(v, 2) for k, v in split.items()},
                    "sequential_seconds": round(sequential, 2),
                    "sequential_split": {k: round(v, 2) for k, v in seq_split.items()},
                    "trafilatura_seconds": round(theirs, 2),
                    "trafilatura_files": written,
                    "ratio": round(theirs / sequential, 2),
                })  # fmt: skip
                print(json.dumps(rounds[-1]), flush=True)
    n = int(statistics.median(int(r["pages"]) for r in rounds))  # type: ignore[call-overload]
    ours = statistics.median(float(r["pressarchive_seconds"]) for r in rounds)  # type: ignore[arg-type]
    sequential = statistics.median(float(r["sequential_seconds"]) for r in rounds)  # type: ignore[arg-type]
    theirs = statistics.median(float(r["trafilatura_seconds"]) for r in rounds)  # type: ignore[arg-type]
    label = f" (median of {len(rounds)})" if len(rounds) > 1 else ""
    lines = (
        (f"pressarchive (crawl + WARC + extract + load){label}:", sequential),
        ("  the same, extraction following the crawl:", ours),
        (f"trafilatura CLI (-i, --parallel {args.parallel}):", theirs),
    )
    for name, seconds in lines:
        print(f"{name:<58} {n} pages in {seconds:.2f} s = {n / seconds:.1f} pages/s")
    print(
        f"ratio pressarchive / trafilatura: {theirs / sequential:.2f}x "
        f"(extraction following the crawl: {theirs / ours:.2f}x)"
    )


if __name__ == "__main__":
    main()
