"""The crawl frontier: kept by the load from each run's fetches, handed to the next crawl as a file.

DESIGN.md: a crawl never opens the database. So the frontier lives in the archive
(table ``frontier``, migration 010), ``update_frontier`` folds one run's fetches
into it inside the load transaction, and ``write_snapshot`` copies the rows a crawl
needs into ``staging/<run_id>/frontier.parquet`` before that crawl starts, which the
crawl reads once (``crawlers.incremental``).

Per URL the frontier keeps when it was first found and how, the last fetch (time,
status, error, ETag/Last-Modified, digest) and ``next_due_at``:

* listings (feed, sitemap, section, home, robots): due at every run; they are
  fetched with conditional GET, so an unchanged one costs a 304;
* articles: revisited on a schedule counted from when they were first seen
  (``PRESSARCHIVE_REVISITS``, default 1 h, 1 day, 7 days), then never;
* failures without an answer, 5xx, 403 and 429, and pages whose archived record could
  not be read back (``extract_status`` error, e.g. a WARC cut by a crash): due again
  at the next run;
  404, 410 and other 4xx: never.

Batches load in any order: a run older than what the frontier holds for a URL
changes only its first-seen fields and its fetch count, never the last fetch.
The ETag and Last-Modified come from the run's ``fetchlog.jsonl`` (the staged
batch's schema does not carry them); without that file the next crawl simply
asks unconditionally. A run that did not complete (killed, failed) or left
articles aside (``max_pages``) keeps no validators for its listings: the next run
fetches them whole and finds what this one missed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipeline.home import DataHome
from warehouse.db import DEFAULT_READ_WAIT, open_readonly

REVISITS_ENV = "PRESSARCHIVE_REVISITS"
DEFAULT_REVISITS = (3600, 86400, 7 * 86400)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
SNAPSHOT_FILE = "frontier.parquet"
SNAPSHOT_COLUMNS = "url, source_id, role, last_status, etag, last_modified, next_due_at, last_fetched_at"


def revisit_schedule(value: str | None = None) -> tuple[int, ...]:
    """Seconds after first seen at which an article is fetched again: ``"1h,1d,7d"`` or ``"3600,86400"``.

    None reads ``PRESSARCHIVE_REVISITS``; an empty string means no revisits.
    """
    text = os.environ.get(REVISITS_ENV) if value is None else value
    if text is None:
        return DEFAULT_REVISITS
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw]?)", part)
        if not match:
            raise ValueError(f"{REVISITS_ENV}: cannot read {part!r} (use e.g. 1h,1d,7d)")
        out.append(int(float(match.group(1)) * _UNITS[match.group(2) or "s"]))
    return tuple(sorted(out))


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _validators(con: duckdb.DuckDBPyConnection, batch_dir: Path) -> None:
    """Temp table ``f_val(fetch_id, etag, last_modified)`` from the run's fetch log (empty if none)."""
    log = batch_dir / "fetchlog.jsonl"
    con.execute("CREATE OR REPLACE TEMP TABLE f_val (fetch_id VARCHAR, etag VARCHAR, last_modified VARCHAR)")
    if log.exists() and log.stat().st_size:
        con.execute(f"""
            INSERT INTO f_val
            SELECT fetch_id, etag, last_modified FROM read_json({_literal(log)},
                format = 'newline_delimited', ignore_errors = true,
                columns = {{'fetch_id': 'VARCHAR', 'etag': 'VARCHAR', 'last_modified': 'VARCHAR'}})
            WHERE fetch_id IS NOT NULL
        """)


def _listings_complete(batch_dir: Path) -> bool:
    """True when the run finished and followed every article its listings gave (run.json)."""
    try:
        run = json.loads((batch_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    stats = run.get("stats") or {}
    return run.get("status") == "completed" and not stats.get("pressarchive/articles_left_by_max_pages")


def update_frontier(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    batch_dir: str | os.PathLike[str],
    schedule: Sequence[int] | None = None,
) -> int:
    """Fold the fetches of ``run_id`` (already inserted) into ``frontier``; call inside the load transaction.

    Also copies ``listed_at`` from the batch's fetches.parquet into ``fetches``.
    Returns the number of URLs of the run.
    """
    batch_dir = Path(batch_dir)
    revisits = revisit_schedule() if schedule is None else tuple(schedule)
    fetches_file = batch_dir / "fetches.parquet"
    if fetches_file.exists():
        names = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_literal(fetches_file)})").fetchall()}
        if "listed_at" in names:
            con.execute(f"""
                UPDATE fetches SET listed_at = p.listed_at
                FROM read_parquet({_literal(fetches_file)}) p
                WHERE fetches.fetch_id = p.fetch_id AND p.listed_at IS NOT NULL
            """)
    _validators(con, batch_dir)
    if not _listings_complete(batch_dir):
        # A listing answered 304 next time would hide the articles this run never got to:
        # keep no validators for the listings of a crashed or page-limited run.
        con.execute(
            """
            UPDATE f_val SET etag = NULL, last_modified = NULL
            WHERE fetch_id IN (SELECT fetch_id FROM fetches WHERE run_id = ? AND role <> 'article')
        """,
            [run_id],
        )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE f_run AS
        WITH r_all AS (
            SELECT f.*, v.etag, v.last_modified,
                   row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at, f.fetch_id) AS first_pos,
                   row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC, f.fetch_id DESC) AS last_pos,
                   count(*) OVER (PARTITION BY f.url) AS n
            FROM fetches f LEFT JOIN f_val v USING (fetch_id)
            WHERE f.run_id = ?
        )
        SELECT l.url, l.source_id, l.role, fi.discovered_via, fi.discovered_from, fi.listed_at,
               fi.fetched_at AS first_discovered_at, l.fetched_at AS last_fetched_at, l.status AS last_status,
               l.error AS last_error, l.etag, l.last_modified,
               CASE WHEN l.status = 200 THEN l.payload_digest END AS payload_digest, l.n AS fetches,
               l.extract_status AS last_extract_status
        FROM r_all l JOIN r_all fi ON fi.url = l.url AND fi.first_pos = 1
        WHERE l.last_pos = 1
    """,
        [run_id],
    )
    con.execute(
        """
        INSERT INTO frontier (url, source_id, role, discovered_via, discovered_from, listed_at,
            first_discovered_at, first_run_id, last_fetched_at, last_run_id, last_status, last_error,
            etag, last_modified, payload_digest, fetches, last_extract_status, next_due_at, updated_at)
        SELECT url, source_id, role, discovered_via, discovered_from, listed_at, first_discovered_at, ?,
               last_fetched_at, ?, last_status, last_error, etag, last_modified, payload_digest, fetches,
               last_extract_status, NULL, now()
        FROM f_run
        ON CONFLICT (url) DO UPDATE SET
            discovered_via = CASE WHEN excluded.first_discovered_at < frontier.first_discovered_at
                                  THEN excluded.discovered_via ELSE frontier.discovered_via END,
            discovered_from = CASE WHEN excluded.first_discovered_at < frontier.first_discovered_at
                                   THEN excluded.discovered_from ELSE frontier.discovered_from END,
            listed_at = coalesce(frontier.listed_at, excluded.listed_at),
            first_run_id = CASE WHEN excluded.first_discovered_at < frontier.first_discovered_at
                                THEN excluded.first_run_id ELSE frontier.first_run_id END,
            first_discovered_at = least(frontier.first_discovered_at, excluded.first_discovered_at),
            fetches = frontier.fetches + excluded.fetches,
            updated_at = excluded.updated_at,
            role = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                        THEN excluded.role ELSE frontier.role END,
            last_run_id = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                               THEN excluded.last_run_id ELSE frontier.last_run_id END,
            last_status = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                               THEN excluded.last_status ELSE frontier.last_status END,
            last_error = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                              THEN excluded.last_error ELSE frontier.last_error END,
            last_extract_status = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                                       THEN excluded.last_extract_status ELSE frontier.last_extract_status END,
            etag = CASE WHEN excluded.last_fetched_at < frontier.last_fetched_at THEN frontier.etag
                        WHEN excluded.last_status IS NULL OR excluded.last_status = 304
                        THEN coalesce(excluded.etag, frontier.etag)
                        ELSE excluded.etag END,
            last_modified = CASE WHEN excluded.last_fetched_at < frontier.last_fetched_at THEN frontier.last_modified
                                 WHEN excluded.last_status IS NULL OR excluded.last_status = 304
                                 THEN coalesce(excluded.last_modified, frontier.last_modified)
                                 ELSE excluded.last_modified END,
            payload_digest = CASE WHEN excluded.last_fetched_at >= frontier.last_fetched_at
                                       AND excluded.payload_digest IS NOT NULL
                                  THEN excluded.payload_digest ELSE frontier.payload_digest END,
            last_fetched_at = greatest(frontier.last_fetched_at, excluded.last_fetched_at)
    """,
        [run_id, run_id],
    )
    schedule_sql = "[" + ", ".join(str(int(s)) for s in revisits) + "]::BIGINT[]"
    con.execute(
        f"""
        UPDATE frontier SET next_due_at = CASE
            WHEN last_status IS NULL OR last_status >= 500 OR last_status IN (403, 429) THEN last_fetched_at
            WHEN last_status >= 400 THEN NULL
            WHEN last_extract_status LIKE 'error:%' THEN last_fetched_at  -- e.g. a WARC record cut by a crash
            WHEN role = 'article' THEN list_min(list_filter(
                list_transform({schedule_sql}, s -> first_discovered_at + to_seconds(s)),
                t -> t > last_fetched_at))
            ELSE last_fetched_at
        END
        WHERE last_run_id = ? AND url IN (SELECT url FROM f_run)
    """,
        [run_id],
    )
    count = con.execute("SELECT count(*) FROM f_run").fetchone()
    con.execute("DROP TABLE IF EXISTS f_run")
    con.execute("DROP TABLE IF EXISTS f_val")
    return int(count[0]) if count else 0


def write_snapshot(
    db_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    source_ids: Sequence[str] | None = None,
    *,
    wait_seconds: float = DEFAULT_READ_WAIT,
) -> int | None:
    """Copy the frontier rows of ``source_ids`` (all when None) to ``out`` (Parquet); return the row count.

    None when there is nothing to snapshot (no archive yet, or one without a frontier):
    the crawl then fetches everything it finds. The archive is opened read-only, with
    the bounded wait of every reader, and closed before the crawl starts.
    """
    if not Path(db_path).is_file():
        return None
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'frontier'"
        ).fetchone()
        if not exists or not exists[0]:
            return None
        where, params = "", []
        if source_ids:
            where = f"WHERE source_id IN ({', '.join('?' for _ in source_ids)})"
            params = list(source_ids)
        tmp = out.with_name(f".{out.name}.tmp")
        con.execute(
            f"COPY (SELECT {SNAPSHOT_COLUMNS} FROM frontier {where} ORDER BY url) TO {_literal(tmp)} (FORMAT parquet)",
            params,
        )
        tmp.replace(out)
        row = con.execute(f"SELECT count(*) FROM frontier {where}", params).fetchone()
    return int(row[0]) if row else 0


def prepare_snapshot(home: DataHome, run_id: str, source_ids: Sequence[str]) -> Path | None:
    """The snapshot of a run about to start, in its staging folder; None on a first run.

    Raises ``ArchiveBusy`` when a load holds the archive past the read wait: the crawl
    task is retried then, rather than crawling everything again without a frontier.
    """
    out = home.run_dir(run_id) / SNAPSHOT_FILE
    return out if write_snapshot(home.db_path, out, source_ids) is not None else None
