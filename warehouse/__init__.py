"""The DuckDB archive: schema, migrations, load, read-only queries.

Owns: ``archive.duckdb`` under the data home, its schema as numbered SQL
migrations (``warehouse/migrations/NNN_*.sql``), the load of a staged batch
(dedup, versions), and read-only query access for analysts and reports.
May import: ``pipeline`` and third-party libraries (DuckDB, pyarrow); never
``crawlers`` or ``flows``.

Concurrency choice: DuckDB lets one process hold a file for writing and then
nobody else may open it, not even read-only. So nothing keeps the archive open:
a load opens it for one short transaction, and every query opens it read-only
for that query only. Both sides wait a bounded time for the other
(``load_batch(wait_seconds=60)``, ``run_query(wait_seconds=30)``) and then
raise ``ArchiveBusy``. Measured on the 2-core box: a query costs ~20 ms of
opening; a load holds the file ~2 s per 50 000 new articles. The full-text
index lives in its own file (``archive_search.duckdb``): its refresh reads the
archive read-only for a copy and builds the BM25 index without holding the
archive (see ``warehouse.search`` and docs/archive.md).

Submodules also here: ``search`` (BM25, French; ``warehouse.search.search``),
``export`` (Parquet by month, JSON Lines, CSV), ``report`` (charts; import it
on demand, it pulls in matplotlib), ``synthetic`` (batches for benchmarks),
``frontier`` (per-URL crawl state, updated by each load), ``stories``
(MinHash story clusters across sources, assigned in the load),
``boilerplate_sync`` (learned boilerplate applied to every archived text) and
``rebuild`` (reextract and rebuild from the WARC files).
"""

from warehouse.errors import (
    ArchiveBusy,
    ArchiveError,
    ArchiveMissing,
    BatchInvalid,
    QueryFailed,
    WriteRefused,
)
from warehouse.export import ExportFormat, ExportResult, export_articles
from warehouse.load import LoadResult, load_batch
from warehouse.query import QueryResult, run_query, run_query_arrow, table_counts
from warehouse.search import IndexStatus, SearchHit

__all__ = [
    "ArchiveBusy",
    "ArchiveError",
    "ArchiveMissing",
    "BatchInvalid",
    "ExportFormat",
    "ExportResult",
    "IndexStatus",
    "LoadResult",
    "QueryFailed",
    "QueryResult",
    "SearchHit",
    "WriteRefused",
    "export_articles",
    "load_batch",
    "run_query",
    "run_query_arrow",
    "table_counts",
]
