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
article pages; trafilatura is handed the article URLs, pressarchive finds them itself
(robots.txt, feeds, sitemaps, sections). Each round runs at every ``--latency`` (default
``0,0.1``): the sandbox waits that long before each answer, as a remote newsroom's server
takes tens to hundreds of milliseconds. On loopback (0) only CPU counts; with latency the
download strategies count too: trafilatura's tool takes one URL per host at a time
(courlan's ``UrlStore`` hands out one URL per domain per round), pressarchive keeps
``--concurrency`` requests in flight per outlet.

It prints pages per second for each (article pages / wall-clock seconds,
process starts included: the crawl process, the pool's workers, trafilatura's interpreter)
and the ratios; with ``--repeat N`` the median of N rounds. A script, not a test: figures
are printed, never asserted (DESIGN.md).
"""

from __future__ import annotations

import argparse
import json
import resource
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
def sandbox(work: Path, seed: int = 7, latency: float = 0.0) -> Iterator[list[Source]]:
    """The sandbox served by its own process on free ports; yields its registry."""
    out = work / "sandbox"
    command = [sys.executable, "-m", "crawlers.sandbox", "--port", "0", "--seed", str(seed), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--latency", str(latency)],
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


def _children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    """Crawl, then extract_run, then load: the stages one after the other.

    The split also gives the CPU seconds of the crawl process (``crawl_cpu``): on shared cores
    its wall time says more about the neighbours than about the crawl.
    """
    home = DataHome(work / "home-sequential").ensure()
    started = time.perf_counter()
    cpu = _children_cpu()
    result = crawl(sources, home, settings=relaxed(concurrency, sources), timeout=600)
    crawled = time.perf_counter()
    crawl_cpu = _children_cpu() - cpu  # the crawl process alone: the sandbox is waited for at the end
    extract_run(home, result.run_id)
    extracted = time.perf_counter()
    load_batch(home.db_path, result.run_dir)
    done = time.perf_counter()
    split = {"crawl": crawled - started, "crawl_cpu": crawl_cpu,
             "extract": extracted - crawled, "load": done - extracted}  # fmt: skip
    return done - started, split


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


def _latencies(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SystemExit(f"--latency: {text!r} is not a comma-separated list of seconds, e.g. 0,0.1") from None
    if not values or any(v < 0 for v in values):
        raise SystemExit(f"--latency: {text!r} must list seconds >= 0, e.g. 0,0.1")
    return values


def _round(sources: list[Source], here: Path, args: argparse.Namespace) -> dict[str, object]:
    ours, urls, split = run_pressarchive(sources, here, args.concurrency)
    sequential, seq_split = run_sequential(sources, here, args.concurrency)
    theirs, written = run_trafilatura(urls, here, args.parallel)
    return {
        "pages": len(urls),
        "pressarchive_seconds": round(ours, 2),
        "pressarchive_split": {k: round(v, 2) for k, v in split.items()},
        "sequential_seconds": round(sequential, 2),
        "sequential_split": {k: round(v, 2) for k, v in seq_split.items()},
        "trafilatura_seconds": round(theirs, 2),
        "trafilatura_files": written,
        "ratio": round(theirs / sequential, 2),
    }


def _report(rounds: list[dict[str, object]], latency: float, parallel: int) -> None:
    n = int(statistics.median(int(r["pages"]) for r in rounds))  # type: ignore[call-overload]
    ours = statistics.median(float(r["pressarchive_seconds"]) for r in rounds)  # type: ignore[arg-type]
    sequential = statistics.median(float(r["sequential_seconds"]) for r in rounds)  # type: ignore[arg-type]
    theirs = statistics.median(float(r["trafilatura_seconds"]) for r in rounds)  # type: ignore[arg-type]
    label = f" (median of {len(rounds)})" if len(rounds) > 1 else ""
    print(f"server latency {latency * 1000:.0f} ms{label}:")
    lines = (
        ("  pressarchive (crawl + WARC + extract + load):", sequential),
        ("    the same, extraction following the crawl:", ours),
        (f"  trafilatura CLI (-i, --parallel {parallel}):", theirs),
    )
    for name, seconds in lines:
        print(f"{name:<58} {n} pages in {seconds:.2f} s = {n / seconds:.1f} pages/s")
    print(
        f"  ratio pressarchive / trafilatura: {theirs / sequential:.2f}x "
        f"(extraction following the crawl: {theirs / ours:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=8, help="pressarchive requests in flight per outlet")
    parser.add_argument("--parallel", type=int, default=8, help="trafilatura --parallel (download threads)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the medians are printed")
    parser.add_argument(
        "--latency", default="0,0.1", help="seconds the sandbox waits before each answer, comma-separated (0,0.1)"
    )
    args = parser.parse_args()
    results: dict[float, list[dict[str, object]]] = {}
    with tempfile.TemporaryDirectory(prefix="pressarchive-bench-") as tmp:
        for latency in _latencies(args.latency):
            work = Path(tmp) / f"latency-{latency}"
            with sandbox(work, latency=latency) as sources:
                for i in range(args.repeat):
                    row = _round(sources, work / f"round-{i}", args)
                    results.setdefault(latency, []).append(row)
                    print(json.dumps({"latency": latency, **row}), flush=True)
    for latency, rounds in results.items():
        _report(rounds, latency, args.parallel)


if __name__ == "__main__":
    main()
