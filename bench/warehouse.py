"""Archive at scale: load rate, index refresh, query times and file size, side by side per size.

    python -m bench.warehouse --sizes 200000,1000000 [--old-rebuild]

For each size, in a temporary folder: synthetic staged batches
(``warehouse.synthetic``, 100 000 articles per batch, as successive crawls
would stage them) are loaded with the index refresh deferred, then the
full-text index file is refreshed once (``archive held`` is the part of it
that reads the archive; the BM25 build holds nothing), then each query runs
several times and the median is printed. ``--old-rebuild`` also times the
previous design, the index built inside the archive under its write lock.
One run, no assertions: figures to compare, as DESIGN.md asks of benchmarks.
Needs ~3 GB of disk and ~6 GB of memory at 1 000 000.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the warehouse package
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from warehouse import search as fts
from warehouse.db import load_fts, open_archive, open_readonly
from warehouse.load import load_batch
from warehouse.query import run_query
from warehouse.synthetic import SyntheticSpec, generate

PER_BATCH = 100_000
RUNS = 5
QUERIES = ["technopole Castres", "usine de batteries Alès", "Territoires d'industrie", "piste cyclable Albi"]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def median_seconds(call: Callable[[int], Any], runs: int = RUNS) -> float:
    """Median wall time of ``call(i)`` over ``runs`` runs (``i`` lets a run vary its input)."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int, root: Path, seed: int = 1, old_rebuild: bool = False) -> dict[str, float]:
    """Build an archive of ``size`` articles under ``root`` and time what analysts and loads do."""
    db = root / "archive.duckdb"
    figures: dict[str, float] = {}
    start = time.perf_counter()
    batches = generate(root / "staging", SyntheticSpec(size, batches=max(1, -(-size // PER_BATCH)), seed=seed))
    figures["generate s"] = time.perf_counter() - start
    loaded = rows = 0
    load_time = 0.0
    for batch in batches:
        start = time.perf_counter()
        result = load_batch(db, batch, reindex=False)
        load_time += time.perf_counter() - start
        loaded += result.new_articles
        rows += result.fetches
        print(f"  {size:,}: loaded {batch.name} in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    figures["articles"] = loaded
    figures["load s (all batches)"] = load_time
    figures["load rate, articles/s"] = loaded / load_time
    figures["load rate, staged rows/s"] = rows / load_time
    figures["load s per 100 000 articles (archive held)"] = load_time / (loaded / 100_000)
    figures["file MB, archive"] = db.stat().st_size / 1e6
    figures["index refresh s (total)"] = fts.rebuild(db)
    with open_readonly(fts.index_path(db)) as con:
        row = con.execute("SELECT copy_seconds FROM index_state").fetchone()
    figures["  of which archive held (read-only copy) s"] = float(row[0]) if row else float("nan")
    start = time.perf_counter()
    fts.refresh(db)
    figures["refresh when current (fingerprint only) s"] = time.perf_counter() - start
    figures["file MB, index file"] = fts.index_path(db).stat().st_size / 1e6
    figures["KB per 1000 articles (archive)"] = db.stat().st_size / 1e3 / (loaded / 1000)
    if old_rebuild:  # the previous design: BM25 built inside the archive, write lock held throughout
        with open_archive(db) as con:
            load_fts(con)
            start = time.perf_counter()
            con.execute(fts._CREATE_INDEX)
            figures["old in-archive rebuild s (write lock held)"] = time.perf_counter() - start
            con.execute("DROP SCHEMA fts_main_articles CASCADE")

    figures["search (CLI path) s"] = median_seconds(lambda i: fts.search(db, QUERIES[i % len(QUERIES)], limit=20))
    figures["search_articles SQL s"] = median_seconds(
        lambda i: run_query(
            db,
            "SELECT article_id, score FROM search_articles(" + _literal(QUERIES[i % len(QUERIES)]) + ") LIMIT 20",
        )
    )
    figures["coverage_daily s"] = median_seconds(
        lambda _: run_query(
            db,
            "SELECT source_id, date_trunc('week', day) AS week, sum(articles) FROM coverage_daily "
            "WHERE day >= DATE '2026-01-01' GROUP BY ALL",
        )
    )
    with open_readonly(db) as con:
        sample = [r[0] for r in con.execute("SELECT story_id FROM articles USING SAMPLE 20 ROWS").fetchall()]
    rng = random.Random(seed)
    figures["story lookup s"] = median_seconds(
        lambda _: run_query(db, f"SELECT * FROM stories WHERE story_id = '{rng.choice(sample)}'")
    )
    figures["open + SELECT 1 s"] = median_seconds(lambda _: run_query(db, "SELECT 1"))
    return figures


def print_table(results: dict[int, dict[str, float]]) -> None:
    sizes = list(results)
    names = list(next(iter(results.values())))
    width = max(len(n) for n in names) + 2
    print("".ljust(width) + "".join(f"{s:>16,}" for s in sizes))
    for name in names:
        cells = []
        for size in sizes:
            value = results[size][name]
            cells.append(f"{value:>16,.0f}" if value >= 100 else f"{value:>16.3f}")
        print(name.ljust(width) + "".join(cells))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", default="200000,1000000", help="Comma-separated archive sizes (articles).")
    parser.add_argument("--dir", type=Path, default=None, help="Work here instead of a temporary folder.")
    parser.add_argument("--old-rebuild", action="store_true", help="Also time the old in-archive index rebuild.")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            results[size] = measure(size, Path(tmp), old_rebuild=args.old_rebuild)
    print_table(results)


if __name__ == "__main__":
    main()
