"""Full-text search over article titles and texts: BM25, French stemming, accents folded.

The index lives in its own DuckDB file beside the archive (``index_path``:
``archive.duckdb`` → ``archive_search.duckdb``), not inside it. DuckDB lets one
read-write process exclude every other, and a BM25 rebuild takes ~50 s per
200 000 articles: built inside the archive it held the file that long after
every load, so readers and the next load waited. ``refresh`` instead opens the
archive **read-only** just long enough to copy the indexed columns (a few
seconds), builds ``PRAGMA create_fts_index`` in a temporary file with no lock
on the archive, then renames it over the old index (``os.replace``): a reader
sees the old index or the new one, never half of one, and a reader holding the
old file keeps it until it closes.

The index file is self-contained: ``articles`` (id, source, outlet, date,
title, url, story, text), the FTS tables (schema ``fts_main_articles``), the
``search_articles(q)`` table macro and ``index_state`` (what it reflects). So
``search`` opens only the index file and never waits for a load. Opened on its
own the file answers ``SELECT * FROM search_articles('technopole')``; on the
archive's connection ``attach`` adds it as ``search_index`` with a temporary
``search_articles`` macro (DuckDB binds a macro's names in the caller's
catalog, so the stored one cannot be called through ATTACH).

Freshness: ``index_state`` records ``count(*) FROM loaded_batches`` and a
fingerprint of every indexed column (``_STATE``). ``index_status`` compares it
with the archive: a load that changed no indexed value (a re-crawl of
unchanged pages) leaves the index current and ``refresh`` skips it; otherwise
``loads_behind`` says how many loads the index misses. One refresh runs at a
time (``fcntl`` lock file beside the index); a second one waits for it, then
skips when the first already covered the archive.

Tokens are lower-cased, accents stripped, split on anything that is not a
letter or a digit (so ``l’économie`` gives ``l`` + ``economie``), French stop
words dropped (``search_stopwords``, migration 002), then stemmed with
Snowball's French stemmer: ``technopoles`` finds ``Technopole``, ``Alès`` finds
``ales``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import DEFAULT_READ_WAIT, connect, is_lock_error, load_fts, open_readonly
from warehouse.errors import ArchiveBusy, ArchiveError, ArchiveMissing, QueryFailed

_log = logging.getLogger(__name__)

FTS_SCHEMA = "fts_main_articles"
STEMMER = "french"
# RE2 syntax: every run of characters that is neither a letter nor a digit separates tokens.
IGNORE = r"[^\p{L}\p{N}]+"
MARK = "**"
ALIAS = "search_index"  # the index file's name when attached to the archive's connection
DEFAULT_REFRESH_WAIT = 1800.0  # a refresh waits this long for a running one (~325 s at 1 000 000 articles)
_K, _B = 1.2, 0.75  # BM25 parameters, DuckDB's match_bm25 defaults

_CREATE_INDEX = (
    "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', "
    f"stemmer = '{STEMMER}', stopwords = 'search_stopwords', ignore = '{IGNORE}', "
    "strip_accents = 1, lower = 1, overwrite = 1)"
)

# What the index reflects, read from the archive: loads, and a fingerprint of every value the index copies.
_STATE = """
SELECT (SELECT count(*) FROM {c}loaded_batches),
       (SELECT count(*) FROM {c}articles),
       hash((SELECT coalesce(bit_xor(hash(article_id, source_id, published_at, title, url, story_id,
                                          text_hash, word_count)), 0) FROM {c}articles),
            (SELECT coalesce(bit_xor(hash(id, name)), 0) FROM {c}sources))
"""

_COPY = """
CREATE TABLE articles AS
SELECT a.article_id, a.source_id, s.name AS outlet, a.published_at, a.title, a.url, a.story_id, a.text
FROM archive_ro.articles a LEFT JOIN archive_ro.sources s ON s.id = a.source_id
"""

# BM25 exactly as fts_main_articles.match_bm25 computes it (same log, k, b; any word may match), but
# scoring only the documents that contain a query term and naming every object through {c}, so the
# same text serves the macro stored in the index file ({c} empty) and the temporary one beside the archive.
_MACRO = f"""
CREATE OR REPLACE {{temp}} MACRO search_articles(q) AS TABLE
WITH tokens AS (
    SELECT DISTINCT stem(t, '{STEMMER}') AS term FROM (SELECT unnest({{c}}{FTS_SCHEMA}.tokenize(q)) AS t)
),
qterms AS (SELECT d.termid, d.df FROM {{c}}{FTS_SCHEMA}.dict d JOIN tokens ON d.term = tokens.term),
tf AS (
    SELECT t.docid, t.termid, count(*) AS tf
    FROM {{c}}{FTS_SCHEMA}.terms t JOIN qterms USING (termid) GROUP BY t.docid, t.termid
),
scores AS (
    SELECT tf.docid, sum(
        log(((st.num_docs - q.df) + 0.5) / (q.df + 0.5) + 1)
        * ((tf.tf * ({_K} + 1)) / (tf.tf + {_K} * ((1 - {_B}) + {_B} * (d.len / st.avgdl))))
    ) AS score
    FROM tf JOIN qterms q USING (termid) JOIN {{c}}{FTS_SCHEMA}.docs d USING (docid)
         CROSS JOIN {{c}}{FTS_SCHEMA}.stats st
    GROUP BY tf.docid
)
SELECT sc.score, a.article_id, a.source_id, a.outlet, a.published_at, a.title, a.url, a.story_id
FROM scores sc JOIN {{c}}{FTS_SCHEMA}.docs d USING (docid) JOIN {{c}}articles a ON a.article_id = d.name
ORDER BY sc.score DESC, a.published_at DESC NULLS LAST, a.article_id
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
    """Whether the index exists and reflects the archive; ``loads_behind`` counts loads since it was built.

    ``current`` is False also when no load happened but texts changed (re-extraction, a rebuilt archive):
    then ``loads_behind`` is 0. ``refreshing``: a refresh holds the lock right now.
    """

    built: bool
    loads_behind: int
    articles: int = 0
    built_at: datetime | None = None
    build_seconds: float | None = None
    current: bool = False
    refreshing: bool = False


def index_path(db_path: str | os.PathLike[str]) -> Path:
    """The index file of the archive at ``db_path``: same folder, ``<stem>_search.duckdb``."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}_search.duckdb")


def _lock_path(db_path: str | os.PathLike[str]) -> Path:
    return index_path(db_path).with_suffix(".lock")


@contextlib.contextmanager
def _refresh_lock(db_path: str | os.PathLike[str], wait_seconds: float) -> Iterator[bool]:
    """Hold the refresh lock (True), or yield False when another refresh kept it past ``wait_seconds``."""
    path = _lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, pause = time.monotonic() + max(wait_seconds, 0.0), 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def refreshing(db_path: str | os.PathLike[str]) -> bool:
    """True while a refresh of this archive's index runs (in any process); never creates the lock file."""
    try:
        fd = os.open(_lock_path(db_path), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _archive_state(con: duckdb.DuckDBPyConnection, catalog: str = "") -> tuple[int, int, int]:
    """(loads, articles, fingerprint) of the archive; ``catalog`` is ``'archive_ro.'`` when attached."""
    row = con.execute(_STATE.format(c=catalog)).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def _index_state(path: Path) -> tuple[Any, ...] | None:
    """(loads, articles, fingerprint, built_at, build_seconds) recorded in the index file, None if none."""
    if not path.is_file():
        return None
    con = connect(path, read_only=True)
    try:
        return con.execute("SELECT loads, articles, fingerprint, built_at, build_seconds FROM index_state").fetchone()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def _attach_archive(con: duckdb.DuckDBPyConnection, db_path: Path, wait_seconds: float) -> None:
    """ATTACH the archive read-only as ``archive_ro``, waiting (bounded) while a load writes it."""
    if not db_path.is_file():
        raise ArchiveMissing(db_path)
    literal = "'" + str(db_path).replace("'", "''") + "'"
    deadline, pause = time.monotonic() + max(wait_seconds, 0.0), 0.05
    while True:
        try:
            con.execute(f"ATTACH {literal} AS archive_ro (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise ArchiveError(f"cannot open {db_path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise ArchiveBusy(db_path, wait_seconds, "") from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def refresh(
    db_path: str | os.PathLike[str],
    *,
    force: bool = False,
    wait_seconds: float = DEFAULT_REFRESH_WAIT,
    archive_wait: float = DEFAULT_READ_WAIT,
) -> float | None:
    """Bring the index file up to date with the archive; seconds taken, or None when it already was.

    Holds the archive (read-only, so other readers share it) only while
    copying; a load waits for that copy, never for the BM25 build. ``force``
    rebuilds even a current index. Raises ``ArchiveBusy`` when another refresh
    or a load kept its lock past ``wait_seconds`` / ``archive_wait``.
    """
    db_path, target = Path(db_path), index_path(db_path)
    with _refresh_lock(db_path, wait_seconds) as held:
        if not held:
            raise ArchiveBusy(_lock_path(db_path), wait_seconds, "held by another index refresh")
        started = time.perf_counter()
        temp = target.with_name(target.name + ".tmp")
        for stale in (temp, Path(f"{temp}.wal")):  # left by a refresh that was killed
            stale.unlink(missing_ok=True)
        con = connect(temp)
        try:
            if not _fill(con, db_path, target, force=force, wait_seconds=archive_wait):
                return None
            copied = time.perf_counter() - started
            load_fts(con)
            con.execute(_CREATE_INDEX)
            con.execute(_MACRO.format(temp="", c=""))
            con.execute("UPDATE index_state SET copy_seconds = ?, build_seconds = ?",
                        [copied, time.perf_counter() - started])  # fmt: skip
            con.execute("CHECKPOINT")
            con.close()
            Path(f"{target}.wal").unlink(missing_ok=True)  # a WAL of the old file must not meet the new one
            os.replace(temp, target)
            _fsync_dir(target.parent)
        finally:
            con.close()
            temp.unlink(missing_ok=True)
        return time.perf_counter() - started


def _fill(con: duckdb.DuckDBPyConnection, db_path: Path, target: Path, *, force: bool, wait_seconds: float) -> bool:
    """Copy what the index needs from the archive into ``con``'s file; False when the index is already current.

    The archive is attached read-only for these statements only, then detached.
    """
    _attach_archive(con, db_path, wait_seconds)
    try:
        loads, articles, fingerprint = _archive_state(con, "archive_ro.")
        recorded = _index_state(target)
        if not force and recorded is not None and int(recorded[2]) == fingerprint:
            return False  # no load since, or only loads that changed nothing the index holds
        con.execute(_COPY)
        con.execute("CREATE TABLE search_stopwords AS SELECT sw FROM archive_ro.search_stopwords")
    finally:
        con.execute("DETACH archive_ro")
    con.execute(
        """
        CREATE TABLE index_state AS
        SELECT now() AS built_at, ?::BIGINT AS loads, ?::BIGINT AS articles, ?::UBIGINT AS fingerprint,
               NULL::DOUBLE AS copy_seconds, NULL::DOUBLE AS build_seconds
        """,
        [loads, articles, fingerprint],
    )
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rebuild(db_path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_REFRESH_WAIT) -> float:
    """Rebuild the index even if it looks current (repairs, benchmarks); seconds taken."""
    seconds = refresh(db_path, force=True, wait_seconds=wait_seconds)
    assert seconds is not None
    return seconds


def refresh_after_load(db_path: str | os.PathLike[str]) -> float | None:
    """``refresh`` for a load that already committed: a failure is logged, not raised (the next load retries)."""
    try:
        return refresh(db_path)
    except (duckdb.Error, ArchiveError, OSError) as exc:
        _log.warning("full-text index not refreshed (the next load retries): %s", exc)
        return None


def index_status(db_path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_READ_WAIT) -> IndexStatus:
    """Compare the index file with the archive (opened read-only, bounded wait)."""
    recorded = _index_state(index_path(db_path))
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        loads, _, fingerprint = _archive_state(con)
    busy = refreshing(db_path)
    if recorded is None:
        return IndexStatus(built=False, loads_behind=loads, refreshing=busy)
    current = int(recorded[2]) == fingerprint
    behind = 0 if current else max(loads - int(recorded[0]), 0)
    return IndexStatus(True, behind, int(recorded[1]), recorded[3], recorded[4], current, busy)


def attach(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str]) -> bool:
    """On a connection to the archive: ATTACH its index read-only as ``search_index`` and define
    ``search_articles(q)`` for this connection. False (nothing done) when no index was built yet."""
    path = index_path(db_path)
    if not path.is_file():
        return False
    con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {ALIAS} (READ_ONLY)")
    con.execute(_MACRO.format(temp="TEMP", c=f"{ALIAS}."))
    return True


def macro_sql(catalog: str = ALIAS) -> str:
    """The ``CREATE TEMP MACRO search_articles`` statement for an index attached as ``catalog``."""
    return _MACRO.format(temp="TEMP", c=f"{catalog}.")


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
    day when a date is given). Reads only the index file, so a running load
    never delays it (``wait_seconds`` is kept for callers; nothing waits).
    Raises ``ArchiveMissing``, ``QueryFailed`` (empty query), ``ArchiveError``
    when no index was ever built.
    """
    del wait_seconds
    if not query.strip():
        raise QueryFailed("empty search: give one or more words")
    path = index_path(db_path)
    if not path.is_file():
        if not Path(db_path).is_file():
            raise ArchiveMissing(db_path)
        raise ArchiveError(
            "the archive has no full-text index yet: it is built after the next load "
            "(or run warehouse.search.rebuild on the archive)"
        )
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
    con = connect(path, read_only=True)
    try:
        load_fts(con)
        try:
            rows = con.execute(sql, params).fetchall()
            stems = query_stems(con, query)
        except duckdb.Error as exc:
            raise QueryFailed(f"search failed: {exc}") from exc
    finally:
        con.close()
    return [SearchHit(float(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], snippet(r[7] or "", stems)) for r in rows]


def query_stems(con: duckdb.DuckDBPyConnection, query: str, catalog: str = "") -> list[str]:
    """The stems the index looks up for ``query`` (stop words dropped), by the index's own tokenizer."""
    row = con.execute(
        f"""
        SELECT list(DISTINCT stem(t, '{STEMMER}'))
        FROM (SELECT unnest({catalog}{FTS_SCHEMA}.tokenize(?)) AS t)
        WHERE t <> '' AND t NOT IN (SELECT sw FROM {catalog}search_stopwords)
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
