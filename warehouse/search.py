"""Full-text search over article titles and texts: BM25, French stemming, accents folded.

DuckDB's FTS index is a set of tables (schema ``fts_main_articles``) built by
``PRAGMA create_fts_index``; it does not follow later INSERTs or UPDATEs, so
``load_batch`` rebuilds it after every load that changed a text
(``rebuild_index``, in its own transaction: a reader sees the old index or the
new one, never half of one). The rebuild also (re)creates the SQL macro
``search_articles(q)`` so analysts get the same ranking in plain SQL::

    SELECT outlet, published_at, title, score FROM search_articles('technopole Castres') LIMIT 10;

Tokens are lower-cased, accents stripped, split on anything that is not a
letter or a digit (so ``l’économie`` gives ``l`` + ``economie`` and typographic
apostrophes behave like straight ones), French stop words dropped
(``search_stopwords``, migration 002), then stemmed with Snowball's French
stemmer: ``technopoles`` finds ``Technopole``, ``Alès`` finds ``ales``.

Cost, measured on the 2-core box: a rebuild takes ~50 s for 200 000 synthetic
articles (~300 words each) and grows linearly; it holds the write lock, so see
docs/archive.md for when to defer it (``load_batch(reindex=False)`` then
``rebuild_index``).
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from warehouse.db import DEFAULT_READ_WAIT, DEFAULT_WRITE_WAIT, load_fts, open_archive, open_readonly
from warehouse.errors import ArchiveError, QueryFailed

FTS_SCHEMA = "fts_main_articles"
STEMMER = "french"
# RE2 syntax: every run of characters that is neither a letter nor a digit separates tokens.
IGNORE = r"[^\p{L}\p{N}]+"
MARK = "**"

_CREATE_INDEX = (
    "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', "
    f"stemmer = '{STEMMER}', stopwords = 'search_stopwords', ignore = '{IGNORE}', "
    "strip_accents = 1, lower = 1, overwrite = 1)"
)

_MACRO = f"""
CREATE OR REPLACE MACRO search_articles(q) AS TABLE
SELECT a.score, a.article_id, a.source_id, s.name AS outlet, a.published_at, a.title, a.url, a.story_id
FROM (SELECT *, {FTS_SCHEMA}.match_bm25(article_id, q) AS score FROM articles) a
LEFT JOIN sources s ON s.id = a.source_id
WHERE a.score IS NOT NULL
ORDER BY a.score DESC, a.published_at DESC NULLS LAST, a.article_id
"""


@dataclass(frozen=True)
class SearchHit:
    """One ranked article; ``snippet`` is text around the first match, matched words between ``**``."""

    score: float
    article_id: str
    source_id: str
    outlet: str | None
    published_at: datetime | None
    title: str | None
    url: str
    snippet: str


@dataclass(frozen=True)
class IndexStatus:
    """Whether the index exists and how many loads happened since it was built."""

    built: bool
    loads_behind: int
    articles: int = 0
    built_at: datetime | None = None
    build_seconds: float | None = None


def rebuild_index(con: duckdb.DuckDBPyConnection) -> float:
    """Rebuild the BM25 index and the ``search_articles`` macro in one transaction; return seconds taken.

    ``con`` is a write connection (``open_archive``), outside any transaction.
    """
    load_fts(con)
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_CREATE_INDEX)
        con.execute(_MACRO)
        seconds = time.perf_counter() - started
        con.execute(
            """
            INSERT OR REPLACE INTO search_index_state (id, built_at, loads, articles, build_seconds)
            SELECT 1, now(), (SELECT count(*) FROM loaded_batches), (SELECT count(*) FROM articles), ?
            """,
            [seconds],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return time.perf_counter() - started


def mark_current(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the index still reflects every load (after a load that changed no text)."""
    con.execute("UPDATE search_index_state SET loads = (SELECT count(*) FROM loaded_batches)")


def rebuild(db_path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_WRITE_WAIT) -> float:
    """Open the archive for writing and rebuild its index (for deferred rebuilds and repairs)."""
    with open_archive(db_path, wait_seconds=wait_seconds) as con:
        return rebuild_index(con)


def status(con: duckdb.DuckDBPyConnection) -> IndexStatus:
    """The index state as recorded by the last rebuild, on an open connection (read-only is fine)."""
    exists = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS_SCHEMA]).fetchone()
    loads_row = con.execute("SELECT count(*) FROM loaded_batches").fetchone()
    loads = int(loads_row[0]) if loads_row else 0
    try:
        row = con.execute("SELECT loads, articles, built_at, build_seconds FROM search_index_state").fetchone()
    except duckdb.CatalogException:  # an archive from before migration 002, opened read-only
        row = None
    if not exists or not exists[0] or row is None:
        return IndexStatus(built=False, loads_behind=loads)
    return IndexStatus(True, loads - int(row[0]), int(row[1]), row[2], row[3])


def index_status(db_path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_READ_WAIT) -> IndexStatus:
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        return status(con)


def search(
    db_path: str | os.PathLike[str],
    query: str,
    *,
    source: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int = 20,
    wait_seconds: float = DEFAULT_READ_WAIT,
) -> list[SearchHit]:
    """Articles matching ``query``, best first (BM25 over title and text).

    ``since``/``until`` bound ``published_at`` (``until`` inclusive of its whole
    day when a date is given). Read-only, waits like ``run_query`` for a load.
    Raises ``ArchiveMissing``, ``ArchiveBusy``, ``QueryFailed`` (empty query),
    ``ArchiveError`` when no index was ever built.
    """
    if not query.strip():
        raise QueryFailed("empty search: give one or more words")
    filters, params = ["TRUE"], [query]
    if source:
        filters.append("h.source_id = ?")
        params.append(source)
    if since is not None:
        filters.append("h.published_at >= ?")
        params.append(_start(since))
    if until is not None:
        filters.append("h.published_at < ?" if not isinstance(until, datetime) else "h.published_at <= ?")
        params.append(_end(until))
    params.append(max(int(limit), 0))
    sql = f"""
        SELECT h.score, h.article_id, h.source_id, h.outlet, h.published_at, h.title, h.url, a.text
        FROM search_articles(?) h JOIN articles a USING (article_id)
        WHERE {" AND ".join(filters)}
        ORDER BY h.score DESC, h.published_at DESC NULLS LAST, h.article_id
        LIMIT ?
    """
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        if not status(con).built:
            raise ArchiveError(
                "the archive has no full-text index yet: it is built after the next load "
                "(or run warehouse.search.rebuild on the archive)"
            )
        load_fts(con)
        try:
            rows = con.execute(sql, params).fetchall()
            stems = query_stems(con, query)
        except duckdb.Error as exc:
            raise QueryFailed(f"search failed: {exc}") from exc
    return [SearchHit(float(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], snippet(r[7] or "", stems)) for r in rows]


def query_stems(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    """The stems the index looks up for ``query`` (stop words dropped), by the index's own tokenizer."""
    row = con.execute(
        f"""
        SELECT list(DISTINCT stem(t, '{STEMMER}'))
        FROM (SELECT unnest({FTS_SCHEMA}.tokenize(?)) AS t)
        WHERE t <> '' AND t NOT IN (SELECT sw FROM search_stopwords)
        """,
        [query],
    ).fetchone()
    return sorted(row[0] or [], key=len, reverse=True) if row else []


_WORD = re.compile(r"\w+", re.UNICODE)


def fold(word: str) -> str:
    """Lower case without accents, as the index's tokenizer sees a word."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def snippet(text: str, stems: list[str], *, before: int = 12, after: int = 28) -> str:
    """About ``before + after`` words of ``text`` around the first word that starts with a query stem.

    A Snowball stem is a prefix of the (folded) words it comes from, so a
    prefix test finds ``technopoles`` for ``technopol`` without a stemmer here.
    """
    words = list(_WORD.finditer(text))
    if not words:
        return ""
    useful = [s for s in stems if len(s) >= 2]
    matched = [i for i, m in enumerate(words) if any(fold(m.group()).startswith(s) for s in useful)]
    centre = matched[0] if matched else 0
    first, last = max(centre - before, 0), min(centre + after, len(words) - 1)
    hits = {i for i in matched if first <= i <= last}
    pieces, cursor = [], words[first].start()
    for i in range(first, last + 1):
        m = words[i]
        pieces.append(text[cursor : m.start()])
        pieces.append(f"{MARK}{m.group()}{MARK}" if i in hits else m.group())
        cursor = m.end()
    out = " ".join("".join(pieces).split())
    return ("… " if first > 0 else "") + out + (" …" if last < len(words) - 1 else "")


def _start(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _end(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromordinal(value.toordinal() + 1)
