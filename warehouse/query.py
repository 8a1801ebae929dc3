"""Read-only SQL over the archive, one short-lived read-only connection per query.

The statement types come from DuckDB's own parser (``extract_statements``), so a
write is refused before anything runs, whatever its spelling, comments or
case. The connection is read-only as well: the check gives a clear error, the
connection mode is the guarantee. A query that names ``search_articles`` or
``search_index`` gets the full-text index file attached read-only first
(``warehouse.search.attach``): the index lives beside the archive, not in it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from warehouse import search
from warehouse.db import DEFAULT_READ_WAIT, open_readonly
from warehouse.errors import QueryFailed, WriteRefused

# PRAGMAs that only read are rewritten by the parser into SELECTs; CALL, SET,
# LOAD, ATTACH, COPY, EXPORT and every DDL/DML are refused.
_READING = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
# A PRAGMA that writes is expanded by the parser itself, which fails for
# create_fts_index when an index exists: refuse those by name, before parsing.
_WRITING_PRAGMA = re.compile(r"\bPRAGMA\s+(create_fts_index|drop_fts_index)\b", re.IGNORECASE)
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+|\([^)]*\)\s*)?", re.IGNORECASE)
_SEARCH = re.compile(rf"\b(search_articles|{search.ALIAS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = field(default=False)


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The statements of ``sql``; ``WriteRefused`` if any of them is not a read."""
    writing = _WRITING_PRAGMA.search(sql)
    if writing:
        raise WriteRefused("PRAGMA", sql[writing.start() :])
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryFailed(f"cannot parse the query: {exc}") from exc
    if not statements:
        raise QueryFailed("empty query: give one SELECT statement")
    queries = []
    for statement in statements:
        kind = statement.type
        if kind not in _READING:
            raise WriteRefused(kind.name, statement.query or sql)
        if kind == duckdb.StatementType.EXPLAIN:
            inner = _EXPLAIN.sub("", statement.query, count=1)
            if inner == statement.query:
                raise WriteRefused("EXPLAIN", statement.query)
            check_read_only(con, inner)
        queries.append(statement.query)
    return queries


def run_query(
    db_path: str | os.PathLike[str],
    sql: str,
    *,
    wait_seconds: float = DEFAULT_READ_WAIT,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a read-only query; the result of the last statement.

    Raises ``ArchiveMissing`` (no file), ``ArchiveBusy`` (a writer held the file
    past ``wait_seconds``), ``WriteRefused`` and ``QueryFailed``.
    """
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        check_read_only(con, sql)
        _with_search(con, db_path, sql)
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            if max_rows is None:
                return QueryResult(columns, cursor.fetchall())
            rows = cursor.fetchmany(max_rows + 1)
        except duckdb.Error as exc:
            raise _failure(exc, sql) from exc
        return QueryResult(columns, rows[:max_rows], truncated=len(rows) > max_rows)


def run_query_arrow(db_path: str | os.PathLike[str], sql: str, *, wait_seconds: float = DEFAULT_READ_WAIT) -> pa.Table:
    """``run_query`` as an Arrow table: column types kept, for Parquet output and dataframes."""
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        check_read_only(con, sql)
        _with_search(con, db_path, sql)
        try:
            return con.execute(sql).fetch_arrow_table()
        except duckdb.Error as exc:
            raise _failure(exc, sql) from exc


def _with_search(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str], sql: str) -> None:
    """Attach the index file and define ``search_articles`` when ``sql`` uses them (after the read-only check)."""
    if not _SEARCH.search(sql):
        return
    try:
        attached = search.attach(con, db_path)
    except duckdb.Error as exc:
        raise QueryFailed(f"cannot open the full-text index {search.index_path(db_path)}: {exc}") from exc
    if not attached:
        raise QueryFailed("the archive has no full-text index yet: it is built after the next load")


def _failure(exc: duckdb.Error, sql: str) -> WriteRefused | QueryFailed:
    message = str(exc)
    if "read-only mode" in message:
        return WriteRefused("write", sql)
    if "fts" in message and "extension" in message.lower():
        message += f" (full-text search needs the duckdb-ext-fts wheel for duckdb {duckdb.__version__})"
    return QueryFailed(message)


def table_counts(db_path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_READ_WAIT) -> dict[str, int]:
    """Rows per table of the archive (main schema), by table name."""
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        names = [
            str(name)
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
            ).fetchall()
        ]
        if not names:
            return {}
        quoted = ['"' + n.replace('"', '""') + '"' for n in names]
        union = " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM main.{q}" for i, q in enumerate(quoted))
        counts = dict(con.execute(union).fetchall())
        return {name: int(counts[i]) for i, name in enumerate(names)}
