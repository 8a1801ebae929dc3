"""Loading one staged batch into the archive: verified first, then one short transaction.

A batch is loaded at most once (``loaded_batches``), so a retried or repeated
load is a no-op; batches of different runs load in any order. The file is held
only while the transaction runs; hashing and schema checks happen before.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse import boilerplate_sync, frontier, merge, search, stories
from warehouse.batch import Batch, read_batch
from warehouse.db import DEFAULT_WRITE_WAIT, open_archive
from warehouse.errors import BatchInvalid
from warehouse.merge import MergeCounts

_log = logging.getLogger(__name__)

_FETCH_COLUMNS = (
    "fetch_id, run_id, source_id, url, final_url, status, content_type, content_length, "
    "fetched_at, warc_file, warc_offset, warc_length, payload_digest, discovered_via, "
    "discovered_from, role, error, extract_status"
)

# A fetch that failed: no answer (timeout, refused, cut) or an HTTP error. The run reports count these.
FAILED_FETCH = "(error IS NOT NULL OR status >= 400)"

_SOURCES = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("homepage", pa.string()),
        ("region", pa.string()),
        ("department", pa.string()),
        ("kind", pa.string()),
        ("language", pa.string()),
        ("feeds", pa.list_(pa.string())),
        ("sitemaps", pa.list_(pa.string())),
        ("sections", pa.list_(pa.string())),
        ("article_pattern", pa.string()),
        ("allowed_domains", pa.list_(pa.string())),
        ("delay", pa.float64()),
    ]
)


@dataclass(frozen=True)
class LoadResult:
    """What one ``load_batch`` did; ``skipped`` when the run was already loaded."""

    run_id: str
    skipped: bool
    fetches: int = 0
    new_articles: int = 0
    new_versions: int = 0
    duplicates: int = 0
    unchanged: int = 0
    errors: int = 0
    restripped: int = 0  # archived texts stripped of boilerplate lines this batch learned (boilerplate_sync)
    seconds: float = 0.0
    index_seconds: float | None = None  # index file refresh after the archive closed; None when current or deferred


def load_batch(
    db_path: str | os.PathLike[str],
    batch_dir: str | os.PathLike[str],
    *,
    wait_seconds: float = DEFAULT_WRITE_WAIT,
    reindex: bool = True,
) -> LoadResult:
    """Load ``batch_dir`` into the archive at ``db_path`` (created and migrated if needed).

    Once the archive is closed, the full-text index file is refreshed
    (``warehouse.search.refresh``: it reads the archive read-only, so readers
    and the next load wait seconds for its copy, not for the BM25 build) when
    anything it holds changed, this load or an earlier skipped one.
    ``reindex=False`` defers that to the caller (bulk loads: one refresh at the
    end; the Prefect flow refreshes outside its load slot). A failed refresh is
    logged, not raised: the batch is loaded and the next load retries.

    Raises ``BatchInvalid`` (nothing loaded) or ``ArchiveBusy`` (another process
    held the file for longer than ``wait_seconds``).
    """
    batch = read_batch(batch_dir)
    started = time.perf_counter()
    with open_archive(db_path, wait_seconds=wait_seconds) as con:
        done = con.execute("SELECT count(*) FROM loaded_batches WHERE run_id = ?", [batch.run_id]).fetchone()
        if done and done[0]:
            result = LoadResult(run_id=batch.run_id, skipped=True)
            con.close()
            return replace(result, index_seconds=_reindex(db_path)) if reindex else result
        try:
            with boilerplate_sync.aligned_batch(con, batch) as aligned:
                _stage(con, aligned)
                con.execute("BEGIN TRANSACTION")
                try:
                    result = _load(con, aligned, started)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
        finally:
            merge.drop_temp(con)
    return replace(result, index_seconds=_reindex(db_path)) if reindex else result


def _reindex(db_path: str | os.PathLike[str]) -> float | None:
    """Refresh the search index after the archive was closed; seconds taken, None if it was current or failed.

    A load that changed nothing indexed (a re-crawl of unchanged pages) costs
    only the fingerprint check; a refresh costs ~50 s per 200 000 articles.
    """
    return search.refresh_after_load(db_path)


def _stage(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Read the batch's keys into temp tables and refuse rows the merge cannot trust."""
    try:
        merge.stage_keys(con, batch.articles.path)
    except duckdb.Error as exc:
        raise BatchInvalid(batch.articles.path, f"cannot be read: {exc}") from exc
    bad = con.execute(
        """
        SELECT count(*) FILTER (WHERE fetch_id IS NULL OR source_id IS NULL
                                OR canonical_url IS NULL OR text_hash IS NULL
                                OR fetched_at IS NULL),
               count(*) FILTER (WHERE run_id IS DISTINCT FROM ?),
               count(*) - count(DISTINCT fetch_id)
        FROM m_rows
        """,
        [batch.run_id],
    ).fetchone()
    assert bad is not None
    problems = [
        f"{bad[0]} rows lack fetch_id/source_id/canonical_url/text_hash/fetched_at" if bad[0] else "",
        f"{bad[1]} rows have a run_id other than {batch.run_id}" if bad[1] else "",
        f"{bad[2]} repeated fetch_id values" if bad[2] else "",
    ]
    if any(problems):
        raise BatchInvalid(batch.articles.path, "; ".join(p for p in problems if p))


def _load(con: duckdb.DuckDBPyConnection, batch: Batch, started: float) -> LoadResult:
    now = datetime.now(UTC)
    _upsert_sources(con, batch, now)
    fetched, errors, extract_errors = _insert_fetches(con, batch)
    frontier.update_frontier(con, batch.run_id, batch.directory)  # the next crawl's frontier (migration 010)
    restripped = boilerplate_sync.apply_to_archive(con, batch.boilerplate, batch.run_id)
    todo = merge.merge(con, batch.articles.path)
    stories.assign(con, batch.articles.path)  # rule 3: story_id across sources, for the texts this batch added
    counts = todo.counts
    run = batch.run
    con.execute(
        """
        INSERT INTO crawl_runs (run_id, flow_run_id, started_at, finished_at, status, error,
            pages_fetched, new_articles, new_versions, duplicates, unchanged, errors,
            extract_errors, loaded_at)
        VALUES (?, ?, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            batch.run_id,
            run.get("flow_run_id"),
            run.get("started_at"),
            run.get("finished_at"),
            run.get("status"),
            _text(run.get("error")),
            fetched,
            counts.new_articles,
            counts.new_versions,
            counts.duplicates,
            counts.unchanged,
            errors,
            extract_errors,
            now,
        ],
    )
    seconds = time.perf_counter() - started
    con.execute(
        """
        INSERT INTO loaded_batches (run_id, batch_format, created_at, fetches_sha256,
            articles_sha256, fetches_rows, articles_rows, loaded_at, load_seconds)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            batch.run_id,
            batch.format,
            batch.created_at,
            batch.fetches.sha256,
            batch.articles.sha256,
            batch.fetches.rows,
            batch.articles.rows,
            now,
            seconds,
        ],
    )
    return replace(_result(batch, counts, errors, seconds), restripped=restripped)


def _result(batch: Batch, counts: MergeCounts, errors: int, seconds: float) -> LoadResult:
    return LoadResult(
        run_id=batch.run_id,
        skipped=False,
        fetches=batch.fetches.rows,
        new_articles=counts.new_articles,
        new_versions=counts.new_versions,
        duplicates=counts.duplicates,
        unchanged=counts.unchanged,
        errors=errors,
        seconds=seconds,
    )


def _insert_fetches(con: duckdb.DuckDBPyConnection, batch: Batch) -> tuple[int, int, int]:
    """Insert fetches.parquet as is; return (pages with a status, errors, extract errors)."""
    path = merge.sql_literal(batch.fetches.path)
    try:
        con.execute(f"INSERT INTO fetches ({_FETCH_COLUMNS}) SELECT {_FETCH_COLUMNS} FROM read_parquet({path})")
    except duckdb.ConstraintException as exc:
        raise BatchInvalid(batch.fetches.path, f"a fetch_id is repeated or already archived: {exc}") from exc
    except duckdb.Error as exc:
        raise BatchInvalid(batch.fetches.path, f"cannot be loaded: {exc}") from exc
    row = con.execute(
        f"""
        SELECT count(status), count(*) FILTER (WHERE {FAILED_FETCH}),
               count(*) FILTER (WHERE extract_status LIKE 'error:%')
        FROM fetches WHERE run_id = ?
        """,
        [batch.run_id],
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def _upsert_sources(con: duckdb.DuckDBPyConnection, batch: Batch, now: datetime) -> None:
    """The registry entries this run crawled replace the archived ones (last load wins)."""
    if not batch.sources:
        return
    rows = [_source_row(entry) for entry in batch.sources]
    try:
        table = pa.Table.from_pylist(rows, schema=_SOURCES)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise BatchInvalid(batch.directory / "batch.json", f"run.sources has a field of the wrong type: {exc}") from exc
    con.register("m_sources", table)
    try:
        names = [f.name for f in _SOURCES]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        con.execute(
            f"""
            INSERT INTO sources ({", ".join(names)}, run_id, loaded_at)
            SELECT DISTINCT ON (id) *, ?, ? FROM m_sources
            ON CONFLICT (id) DO UPDATE SET {updates},
                run_id = excluded.run_id, loaded_at = excluded.loaded_at
            """,
            [batch.run_id, now],
        )
    finally:
        con.unregister("m_sources")


def _source_row(entry: dict[str, Any]) -> dict[str, Any]:
    row = {name: entry.get(name) for name in _SOURCES.names}
    for name in ("department", "kind", "language"):
        if row[name] is not None:
            row[name] = str(row[name])
    return row


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
