"""Staged batches for warehouse tests and load benchmarks, written with pipeline.schema.

``make_batch`` writes exactly what extract writes (fetches.parquet,
articles.parquet, batch.json with sha256 and row counts), from a few keyword
arguments per article, so a test states only what it is about.

Run ``python -m tests.batchfactory [N]`` to time the load of N synthetic articles.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import ARTICLES, BATCH_FORMAT, FETCHES

T0 = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)
SOURCE = {
    "id": "toulouse-eco",
    "name": "ToulÉco",
    "homepage": "https://www.touleco.fr/",
    "region": "Occitanie",
    "department": "31",
    "kind": "magazine",
    "language": "fr",
    "feeds": ["https://www.touleco.fr/rss"],
    "sitemaps": [],
    "sections": [],
    "article_pattern": None,
    "allowed_domains": ["www.touleco.fr"],
    "delay": 1.0,
}


def text_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def art(
    url: str,
    text: str = "Le Périscope ouvre à Ramonville.",
    *,
    source_id: str = "toulouse-eco",
    canonical_url: str | None = None,
    title: str = "Le Périscope",
    minutes: float = 0,
    **extra: Any,
) -> dict[str, Any]:
    """One article row (the fetch row is derived from it); ``minutes`` after T0."""
    row: dict[str, Any] = {
        "source_id": source_id,
        "url": url,
        "canonical_url": canonical_url or url,
        "title": title,
        "description": None,
        "authors": ["Aurélie de Varax"],
        "published_at": datetime(2016, 3, 10, 9, 0),
        "modified_at": None,
        "section": "economie",
        "tags": ["ess"],
        "language": "fr",
        "image": None,
        "text": text,
        "word_count": len(text.split()),
        "text_hash": text_hash(text),
        "fetched_at": T0 + timedelta(minutes=minutes),
        "extractor": "test",
    }
    row.update(extra)
    return row


def make_batch(
    staging: Path,
    run_id: str,
    articles: list[dict[str, Any]],
    *,
    extra_fetches: list[dict[str, Any]] | None = None,
    sources: list[dict[str, Any]] | None = None,
    boilerplate: dict[str, list[str]] | None = None,
) -> Path:
    """Write a complete batch under ``staging/run_id`` and return its folder."""
    folder = staging / run_id
    folder.mkdir(parents=True, exist_ok=True)
    arts, fetches = [], []
    for seq, row in enumerate(articles):
        row = {"fetch_id": f"{run_id}-{seq:06d}", "run_id": run_id, **row}
        arts.append({name: row.get(name) for name in ARTICLES.names})
        fetches.append(_fetch_for(row))
    for seq, extra in enumerate(extra_fetches or [], start=len(articles)):
        fetches.append(_fetch(run_id, seq, **extra))
    table_a = pa.Table.from_pylist(arts, schema=ARTICLES)
    table_f = pa.Table.from_pylist(fetches, schema=FETCHES)
    return write_batch(folder, run_id, table_f, table_a, sources=sources, boilerplate=boilerplate)


def write_batch(
    folder: Path,
    run_id: str,
    fetches: pa.Table,
    articles: pa.Table,
    *,
    sources: list[dict[str, Any]] | None = None,
    boilerplate: dict[str, list[str]] | None = None,
) -> Path:
    pq.write_table(fetches, folder / "fetches.parquet")
    pq.write_table(articles, folder / "articles.parquet")
    run = {
        "run_id": run_id,
        "flow_run_id": None,
        "started_at": T0.isoformat(),
        "finished_at": (T0 + timedelta(hours=1)).isoformat(),
        "status": "completed",
        "sources": sources if sources is not None else [dict(SOURCE)],
        "stats": {},
        "error": None,
    }
    manifest = {
        "format": BATCH_FORMAT,
        "run_id": run_id,
        "created_at": T0.isoformat(),
        "run": run,
        "files": {name: describe(folder / name) for name in ("fetches.parquet", "articles.parquet")},
        **({"boilerplate": boilerplate} if boilerplate is not None else {}),
    }
    (folder / "batch.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def describe(path: Path) -> dict[str, Any]:
    return {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows": pq.ParquetFile(path).metadata.num_rows,
    }


def _fetch_for(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "fetch_id": row["fetch_id"],
        "run_id": row["run_id"],
        "source_id": row["source_id"],
        "url": row["url"],
        "final_url": row["url"],
        "status": 200,
        "content_type": "text/html",
        "content_length": 2048,
        "fetched_at": row["fetched_at"],
        "warc_file": f"warc/{row['run_id']}-00000.warc.gz",
        "warc_offset": 0,
        "warc_length": 900,
        "payload_digest": "sha1:AAAA",
        "discovered_via": "feed",
        "discovered_from": None,
        "role": "article",
        "error": None,
        "extract_status": "article",
    }


def _fetch(run_id: str, seq: int, **values: Any) -> dict[str, Any]:
    row = {name: None for name in FETCHES.names}
    row.update(
        fetch_id=f"{run_id}-{seq:06d}",
        run_id=run_id,
        source_id="toulouse-eco",
        url=f"https://www.touleco.fr/x{seq}",
        content_length=0,
        fetched_at=T0,
        discovered_via="link",
        role="other",
    )
    row.update(values)
    return row


def synthetic(staging: Path, run_id: str, n: int, *, sources: int = 20, offset: int = 0, hours: int = 0) -> Path:
    """A batch of ``n`` distinct ~400-word articles over ``sources`` outlets, built column-wise."""
    words = "la métropole annonce un nouveau projet pour le territoire et ses habitants " * 30
    ids = [f"{run_id}-{i:07d}" for i in range(n)]
    src = [f"source-{(i + offset) % sources:02d}" for i in range(n)]
    urls = [f"https://{s}.example.fr/article/{i + offset}" for i, s in enumerate(src)]
    texts = [f"Article {i + offset}. {words}" for i in range(n)]
    at = [T0 + timedelta(hours=hours, seconds=i) for i in range(n)]
    articles = pa.Table.from_pydict(
        {
            "fetch_id": ids,
            "run_id": [run_id] * n,
            "source_id": src,
            "url": urls,
            "canonical_url": urls,
            "title": [f"Titre {i}" for i in range(n)],
            "description": [None] * n,
            "authors": [["Rédaction"]] * n,
            "published_at": [datetime(2026, 11, 1) + timedelta(minutes=i) for i in range(n)],
            "modified_at": [None] * n,
            "agency": [None] * n,
            "published_source": [None] * n,
            "modified_source": [None] * n,
            "section": ["actu"] * n,
            "tags": [["local"]] * n,
            "language": ["fr"] * n,
            "image": [None] * n,
            "text": texts,
            "word_count": [len(t.split()) for t in texts],
            "text_hash": [hashlib.sha1(t.encode()).hexdigest() for t in texts],
            "fetched_at": at,
            "extractor": ["bench"] * n,
        },
        schema=ARTICLES,
    )
    fetch_rows = {name: [None] * n for name in FETCHES.names}
    fetch_rows.update(
        fetch_id=ids,
        run_id=[run_id] * n,
        source_id=src,
        url=urls,
        final_url=urls,
        status=[200] * n,
        content_length=[20000] * n,
        fetched_at=at,
        discovered_via=["sitemap"] * n,
        role=["article"] * n,
        extract_status=["article"] * n,
    )
    fetches = pa.Table.from_pydict(fetch_rows, schema=FETCHES)
    folder = staging / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return write_batch(folder, run_id, fetches, articles, sources=[])


def bench(n: int) -> None:
    """Print the load rate of a synthetic batch of ``n`` articles into a new archive, then a re-crawl."""
    from warehouse.load import load_batch

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first = synthetic(root / "staging", "20261122T043000Z-bench1", n)
        again = synthetic(root / "staging", "20261122T053000Z-bench2", n, hours=1)
        for label, batch in (("new archive", first), ("re-crawl, all unchanged", again)):
            start = time.perf_counter()
            result = load_batch(root / "archive.duckdb", batch)
            took = time.perf_counter() - start
            print(
                f"{label}: {n} articles in {took:.2f}s = {n / took:,.0f} articles/s "
                f"(new {result.new_articles}, unchanged {result.unchanged})"
            )


if __name__ == "__main__":
    bench(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)


@contextmanager
def hold_archive(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process that opens ``path`` for writing and keeps it for ``seconds``."""
    code = (
        "import sys, time, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "con.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.wait(timeout=seconds + 30)
