"""Articles out of the archive as files other tools read: Parquet by month, JSON Lines, CSV.

DuckDB writes the files itself (``COPY ... TO``) from a read-only connection,
so an export never holds the write lock and never copies a million texts
through Python. Parquet is partitioned hive-style (``month=YYYY-MM/``) by
publication month, so DuckDB, pandas (pyarrow) and polars read the folder as one
table with a ``month`` column and can skip the months a query does not need.
Articles without a publication date go to ``month=unknown``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import duckdb

from warehouse.db import DEFAULT_READ_WAIT, open_readonly
from warehouse.errors import ArchiveError

# The exported columns, in order: an article with the metadata an analyst needs
# without joining (the outlet's name and department come from ``sources``).
COLUMNS = """
    a.article_id, a.source_id, s.name AS outlet, s.department, a.url, a.title, a.description,
    a.authors, a.published_at, a.modified_at, a.section, a.tags, a.language, a.text, a.word_count,
    a.story_id, a.version, a.first_seen_at, a.last_seen_at
"""


class ExportFormat(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"
    csv = "csv"


@dataclass(frozen=True)
class ExportResult:
    """Where the export went and what it holds; ``files`` lists every file written."""

    path: Path
    format: ExportFormat
    articles: int
    files: list[Path]


def export_articles(
    db_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    fmt: ExportFormat | str = ExportFormat.parquet,
    *,
    since: date | datetime | None = None,
    source: str | None = None,
    overwrite: bool = False,
    wait_seconds: float = DEFAULT_READ_WAIT,
) -> ExportResult:
    """Write the articles (published on or after ``since``, of ``source``) to ``out``.

    ``out`` is a folder for Parquet, a file for JSON Lines and CSV. An existing
    ``out`` is refused unless ``overwrite``: an export never mixes with an older one.
    """
    fmt = ExportFormat(fmt)
    target = Path(out)
    if target.exists():
        if not overwrite:
            raise ArchiveError(f"{target} already exists: choose another path or overwrite it")
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    filters, params = ["TRUE"], []
    if since is not None:
        filters.append("a.published_at >= ?")
        params.append(since if isinstance(since, datetime) else datetime(since.year, since.month, since.day))
    if source:
        filters.append("a.source_id = ?")
        params.append(source)
    select = _select(fmt, " AND ".join(filters))
    literal = "'" + str(target).replace("'", "''") + "'"
    options = {
        ExportFormat.parquet: "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), WRITE_PARTITION_COLUMNS false",
        ExportFormat.jsonl: "FORMAT json",
        ExportFormat.csv: "FORMAT csv, HEADER true",
    }[fmt]
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        count = con.execute(f"SELECT count(*) FROM ({select})", params).fetchone()
        try:
            if fmt is ExportFormat.parquet and count and not count[0]:
                target.mkdir(parents=True)  # COPY writes no folder for zero rows: an empty export is still one
            else:
                con.execute(f"COPY ({select}) TO {literal} ({options})", params)
        except duckdb.Error as exc:
            raise ArchiveError(f"export to {target} failed: {exc}") from exc
    files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
    return ExportResult(target, fmt, int(count[0]) if count else 0, files)


def _select(fmt: ExportFormat, where: str) -> str:
    columns = COLUMNS
    if fmt is ExportFormat.csv:  # CSV has no lists: authors and tags as "a; b"
        columns = columns.replace("a.authors,", "array_to_string(a.authors, '; ') AS authors,")
        columns = columns.replace("a.tags,", "array_to_string(a.tags, '; ') AS tags,")
    extra = ", coalesce(strftime(a.published_at, '%Y-%m'), 'unknown') AS month" if fmt is ExportFormat.parquet else ""
    return f"""
        SELECT {columns}{extra}
        FROM articles a LEFT JOIN sources s ON s.id = a.source_id
        WHERE {where}
        ORDER BY a.published_at NULLS LAST, a.article_id
    """
