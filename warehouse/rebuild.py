"""Re-extraction and rebuild: the archive derived again from the WARC files, with no network.

The WARC files are the ground truth and ``archive.duckdb`` an index of them
(DESIGN.md). Two operations follow from that:

- ``reextract`` runs the current extractor over archived responses (all, or
  some sources, or those fetched since a date) and updates the articles they
  show in place: a better extractor is not a new version of the article. Each
  article records the extractor and when it ran; an article the gate now
  rejects is removed (its fetch keeps the reason), and a page an older
  extractor left out that this one keeps is merged in as a load would. The database is held only
  for the short update, never during extraction.
- ``rebuild`` recreates the archive from ``warc/`` alone: the fetch log of
  every run is read back from the WARC metadata records
  (``pipeline.warcscan``), each run is extracted and loaded again in run order
  into a new file beside the old one, which is then replaced (the old file is
  kept as ``archive.duckdb.bak``). Learned boilerplate is relearned from
  scratch the same way, so the same runs give the same articles.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import boilerplate
from pipeline.home import DataHome
from pipeline.pool import Progress, RecordTask, extract_records
from pipeline.schema import ARTICLES
from pipeline.stage import extract_run
from pipeline.warcscan import scan_runs
from warehouse import boilerplate_sync, merge, search, stories
from warehouse.db import DEFAULT_WRITE_WAIT, open_archive
from warehouse.load import load_batch

_UPDATED = ("title", "description", "authors", "agency", "published_at", "published_source", "modified_at",
            "modified_source", "section", "tags", "language", "image", "text", "word_count", "text_hash",
            "extractor")  # fmt: skip


@dataclass(frozen=True)
class ReextractSummary:
    """Fetches re-extracted, articles updated (text changed among them), removed by the gate, added."""

    fetches: int
    articles: int
    texts_changed: int
    removed: int
    seconds_held: float
    added: int = 0  # pages an older extractor left out that now are articles (or newer versions)


@dataclass(frozen=True)
class RebuildSummary:
    runs: int
    fetches: int
    articles: int
    db_path: Path
    backup: Path | None


def _selected(con: duckdb.DuckDBPyConnection, sources: list[str] | None, since: date | None) -> list[RecordTask]:
    where, params = ["f.role = 'article'", "f.status = 200", "f.warc_file IS NOT NULL"], []
    if sources:
        where.append("f.source_id IN (SELECT unnest(?))")
        params.append(list(sources))
    if since is not None:
        where.append("f.fetched_at >= ?")
        params.append(datetime.combine(since, time(0), tzinfo=UTC))
    rows = con.execute(
        f"""SELECT f.fetch_id, f.warc_file, f.warc_offset, coalesce(f.final_url, f.url), f.content_type,
                   f.fetched_at
            FROM fetches f WHERE {" AND ".join(where)} ORDER BY f.fetch_id""",
        params,
    ).fetchall()
    return [RecordTask(str(fid), str(wf), int(off), str(url), ct, at) for fid, wf, off, url, ct, at in rows]


def reextract(
    home: DataHome,
    *,
    sources: list[str] | None = None,
    since: date | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    wait_seconds: float = DEFAULT_WRITE_WAIT,
) -> ReextractSummary:
    """Re-run extraction over the archived article fetches and update the articles they show."""
    with open_archive(home.db_path, wait_seconds=wait_seconds) as con:
        tasks = _selected(con, sources, since)
        fetched = {str(f): (s, r, st) for f, s, r, st in con.execute(
            "SELECT fetch_id, source_id, run_id, extract_status FROM fetches WHERE fetch_id IN (SELECT unnest(?))",
            [[t.fetch_id for t in tasks]],
        ).fetchall()}  # fmt: skip
    local = [RecordTask(t.fetch_id, str(home.root / t.warc_path), t.warc_offset, t.url, t.content_type,
                        t.fetched_at) for t in tasks]  # fmt: skip
    outcomes = extract_records(local, workers, progress)
    records = [{"fetch_id": o.fetch_id, "source_id": fetched[o.fetch_id][0], "run_id": fetched[o.fetch_id][1],
                **o.record} for o in outcomes if o.record is not None]  # fmt: skip
    records, learned = boilerplate.learn_strip_and_list(home.boilerplate_dir, records)
    statuses = pa.Table.from_pylist(
        [{"fetch_id": o.fetch_id, "status": o.status} for o in outcomes],
        schema=pa.schema([("fetch_id", pa.string()), ("status", pa.string())]),
    )
    fields = [ARTICLES.field(name) for name in ("fetch_id", *_UPDATED)]
    started = datetime.now(UTC)
    with open_archive(home.db_path, wait_seconds=wait_seconds) as con:
        records = boilerplate_sync.strip_records(
            records, boilerplate_sync.missing_from_batch(learned, boilerplate_sync.applied(con, learned))
        )  # what the archive strips and these counts do not know (boilerplate_sync step 1)
        rows = [{f.name: r.get(f.name) for f in fields} for r in records]
        table = pa.Table.from_pylist(rows, schema=pa.schema(fields))
        # pages an older extractor did not keep (its gate rejected them, or it failed) are new articles
        fresh = [r for r in records if not str(fetched[r["fetch_id"]][2] or "").startswith("article")]
        con.register("r_status", statuses)
        con.register("r_articles", table)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                boilerplate_sync.apply_to_archive(con, {s: set(k) for s, k in learned.items()}, None)
                counts = _apply(con, started, fresh)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.unregister("r_status")
            con.unregister("r_articles")
        held = (datetime.now(UTC) - started).total_seconds()
    search.refresh_after_load(home.db_path)  # after closing; a no-op when nothing indexed changed
    return ReextractSummary(len(tasks), counts[0], counts[1], counts[2], round(held, 3), counts[3])


def _apply(con: duckdb.DuckDBPyConnection, now: datetime, fresh: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    """Statuses, article columns, removals, added articles, story ids.

    Returns (updated, texts changed, removed, added). ``fresh`` records go
    through the load's merge, so dedup rules 1 and 2 hold for them too.
    """
    con.execute("UPDATE fetches SET extract_status = s.status FROM r_status s WHERE fetches.fetch_id = s.fetch_id")
    changed = con.execute("""
        SELECT count(*) FILTER (WHERE a.text_hash <> r.text_hash), count(*)
        FROM articles a JOIN r_articles r USING (fetch_id)
    """).fetchone()
    assignments = ", ".join(f"{c} = r.{c}" for c in _UPDATED)
    con.execute(f"""
        UPDATE articles SET {assignments}, extracted_at = ?
        FROM r_articles r WHERE articles.fetch_id = r.fetch_id
    """, [now])  # fmt: skip
    gone = [str(r[0]) for r in con.execute("""
        SELECT a.article_id FROM articles a JOIN r_status s USING (fetch_id) WHERE s.status LIKE 'rejected:%'
    """).fetchall()]  # fmt: skip
    if gone:
        for table in ("article_urls", "article_versions", "story_bands", "story_signatures", "articles"):
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [gone])
        con.execute(
            """
            UPDATE articles SET story_id = m.label
            FROM (SELECT story_id, min(article_id) AS label FROM articles
                  WHERE story_id IN (SELECT unnest(?)) GROUP BY story_id) m
            WHERE articles.story_id = m.story_id
        """,
            [gone],
        )  # a story named after a removed article takes its smallest remaining id
    added = _add(con, fresh, now)
    stories.assign(con)
    assert changed is not None
    return int(changed[1]), int(changed[0]), len(gone), added


def _add(con: duckdb.DuckDBPyConnection, fresh: list[dict[str, Any]], now: datetime) -> int:
    """Merge pages that now yield an article as the load merges a batch; new articles (or versions) made."""
    if not fresh:
        return 0
    with tempfile.TemporaryDirectory(prefix="pressarchive-reextract-") as folder:
        path = Path(folder) / "articles.parquet"
        pq.write_table(pa.Table.from_pylist([{n: r.get(n) for n in ARTICLES.names} for r in fresh], ARTICLES), path)
        try:
            merge.stage_keys(con, path)
            todo = merge.merge(con, path)
        finally:
            merge.drop_temp(con)
    ids = [r["fetch_id"] for r in fresh]
    con.execute("UPDATE articles SET extracted_at = ? WHERE fetch_id IN (SELECT unnest(?))", [now, ids])
    return todo.counts.new_articles + todo.counts.new_versions


def _manifest(home: DataHome, run_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's manifest: the staged run.json when it is still there, else what the WARC tells."""
    staged = home.run_dir(run_id) / "run.json"
    if staged.exists():
        return dict(json.loads(staged.read_text(encoding="utf-8")))
    times = [r["fetched_at"] for r in rows if r.get("fetched_at")]
    return {
        "run_id": run_id,
        "flow_run_id": None,
        "status": "completed",
        "sources": [],
        "error": None,
        "started_at": min(times).isoformat() if times else None,
        "finished_at": max(times).isoformat() if times else None,
        "stats": {"responses": len(rows)},
    }


def rebuild(
    home: DataHome, *, workers: int | None = None, progress: Progress | None = None, staged_manifests: bool = True
) -> RebuildSummary:
    """Recreate ``archive.duckdb`` (and the learned boilerplate) from ``warc/``; the old file becomes ``.bak``.

    ``staged_manifests=False`` ignores ``staging/*/run.json`` too (then the sources
    table stays empty: the registry is not in the WARC files).
    """
    runs = scan_runs(home.root)
    work = Path(tempfile.mkdtemp(prefix=".rebuild-", dir=home.root))
    try:
        (work / "warc").symlink_to(home.warc_dir.resolve(), target_is_directory=True)
        scratch = DataHome(work)
        fetches = 0
        for run_id, rows in runs.items():
            run_dir = scratch.run_dir(run_id)
            run_dir.mkdir(parents=True)
            manifest = _manifest(home, run_id, rows) if staged_manifests else _manifest(scratch, run_id, rows)
            (run_dir / "run.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            with (run_dir / "fetchlog.jsonl").open("w", encoding="utf-8") as log:
                for row in rows:
                    log.write(json.dumps({**row, "fetched_at": row["fetched_at"].isoformat()}, ensure_ascii=False))
                    log.write("\n")
            extract_run(scratch, run_id, workers=workers, progress=progress)
            load_batch(scratch.db_path, run_dir, reindex=False)  # indexed once, in place, after the swap
            fetches += len(rows)
        if not runs:
            with open_archive(scratch.db_path):
                pass
        with open_archive(scratch.db_path) as con:
            row = con.execute("SELECT count(*) FROM articles").fetchone()
        backup = _swap(home, scratch)
        search.refresh_after_load(home.db_path)
    finally:
        (work / "warc").unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return RebuildSummary(len(runs), fetches, int(row[0]) if row else 0, home.db_path, backup)


def _swap(home: DataHome, scratch: DataHome) -> Path | None:
    """Put the rebuilt database and boilerplate counts in place; keep the old database as .bak."""
    backup: Path | None = None
    if home.db_path.exists():
        backup = home.db_path.with_name(home.db_path.name + ".bak")
        home.db_path.replace(backup)
    scratch.db_path.replace(home.db_path)
    if home.boilerplate_dir.exists():
        shutil.rmtree(home.boilerplate_dir)
    if scratch.boilerplate_dir.exists():
        shutil.move(str(scratch.boilerplate_dir), str(home.boilerplate_dir))
    return backup
