"""Learned boilerplate applied to the whole archive, whatever order batches arrive in.

``pipeline.boilerplate`` learns a source's recurring lines as its articles come
in, so an article extracted before a line was learned still carries it: the
first run that fetched one post of a blog could not know "Mon blog Vidéo" is
boilerplate. Left alone, the archive's text would depend on which run came
first, and the next fetch of that unchanged page would look like a correction.

So the archive records, per source, the lines its texts have been stripped of
(``boilerplate_lines``), and each load makes that set and the batch's agree:

1. incoming texts lose the lines the archive already applies and the batch did
   not know yet (a batch extracted before another one that was loaded first);
2. archived texts (shown and earlier versions) lose the lines the batch learned
   that the archive does not apply yet; ``stories.assign`` then re-indexes
   them, since their ``text_hash`` changed.

Every text of a source is then stripped of the same set, the union of all
learned so far. Stripping only removes lines, so the set only grows; the raw
text is in the WARC record, and ``reextract`` gets it back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import boilerplate
from warehouse.batch import Batch

Lines = Mapping[str, frozenset[str] | set[str]]

_FETCH_ROWS = 5_000
_TEXTS = pa.schema(
    [
        ("article_id", pa.string()),
        ("version", pa.int32()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("text_hash", pa.string()),
    ]
)


def applied(con: duckdb.DuckDBPyConnection, source_ids: Iterable[str]) -> dict[str, set[str]]:
    """Per source, the line keys the archive's texts have been stripped of."""
    found: dict[str, set[str]] = {}
    rows = con.execute(
        "SELECT source_id, line_key FROM boilerplate_lines WHERE source_id IN (SELECT unnest(?))",
        [sorted(set(source_ids))],
    ).fetchall()
    for source_id, key in rows:
        found.setdefault(str(source_id), set()).add(str(key))
    return found


def missing_from_batch(batch_lines: Lines, archive_lines: Lines) -> dict[str, set[str]]:
    """Lines the archive applies that the batch's texts may still carry, per source."""
    return {s: set(keys) - set(batch_lines.get(s, ())) for s, keys in archive_lines.items() if keys}


def strip_records(records: list[dict[str, Any]], extra: Lines) -> list[dict[str, Any]]:
    """The records, each stripped of its source's ``extra`` lines (word_count, text_hash follow)."""
    if not any(extra.values()):
        return records
    return [boilerplate.apply(r, set(extra.get(str(r["source_id"]), ()))) for r in records]


@contextmanager
def aligned_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> Iterator[Batch]:
    """The batch, its articles stripped of what the archive applies beyond what it learned (step 1).

    Most loads have nothing to strip and get the batch itself; otherwise the
    rewritten articles.parquet lives in a temporary folder for the load's duration.
    """
    column = pq.read_table(batch.articles.path, columns=["source_id"]).column("source_id")
    sources = {str(s) for s in column.unique().to_pylist() if s is not None}
    extra = {s: keys for s, keys in missing_from_batch(batch.boilerplate, applied(con, sources)).items() if keys}
    if not extra:
        yield batch
        return
    table = pq.read_table(batch.articles.path)
    with tempfile.TemporaryDirectory(prefix="pressarchive-align-") as folder:
        path = Path(folder) / batch.articles.path.name
        pq.write_table(pa.Table.from_pylist(strip_records(table.to_pylist(), extra), schema=table.schema), path)
        yield replace(batch, articles=replace(batch.articles, path=path))


def apply_to_archive(con: duckdb.DuckDBPyConnection, batch_lines: Lines, run_id: str | None) -> int:
    """Strip archived texts of the batch's lines the archive does not apply yet (step 2); texts changed.

    Call inside the load transaction, before the merge compares texts.
    """
    have = applied(con, batch_lines)
    new = {s: set(keys) - have.get(s, set()) for s, keys in batch_lines.items()}
    new = {s: keys for s, keys in new.items() if keys}
    changed = 0
    for source_id, keys in sorted(new.items()):
        changed += _restrip(con, "articles", source_id, keys)
        changed += _restrip(con, "article_versions", source_id, keys)
        con.executemany(
            "INSERT INTO boilerplate_lines (source_id, line_key, run_id, applied_at) VALUES (?, ?, ?, ?)",
            [[source_id, key, run_id, datetime.now(UTC)] for key in sorted(keys)],
        )
    return changed


def _restrip(con: duckdb.DuckDBPyConnection, table: str, source_id: str, keys: set[str]) -> int:
    """One table's texts of one source, stripped of ``keys``; read in slices to bound memory."""
    version = "v.version" if table == "article_versions" else "CAST(0 AS INTEGER)"
    result = con.execute(  # same connection: the load's transaction must see its own writes
        f"""SELECT v.article_id, {version}, v.text FROM {table} v
            JOIN articles a ON a.article_id = v.article_id WHERE a.source_id = ?""",
        [source_id],
    )
    rows: list[dict[str, Any]] = []
    while chunk := result.fetchmany(_FETCH_ROWS):
        for article_id, number, text in chunk:
            record = {"text": str(text or "")}
            stripped = boilerplate.apply(record, keys)
            if stripped is not record:
                rows.append({"article_id": article_id, "version": number, **stripped})
    if not rows:
        return 0
    con.register("b_texts", pa.Table.from_pylist(rows, schema=_TEXTS))
    try:
        match = "AND t.version = article_versions.version" if table == "article_versions" else ""
        con.execute(f"""
            UPDATE {table} SET text = t.text, word_count = t.word_count, text_hash = t.text_hash
            FROM b_texts t WHERE {table}.article_id = t.article_id {match}
        """)
    finally:
        con.unregister("b_texts")
    return len(rows)
