"""The article merge: one staged articles.parquet into the archive, set-based.

Every step is one SQL statement over the whole batch (temp tables ``m_*``), so
the cost grows with the batch, never with a Python loop per row.

1. Group the batch by (source_id, canonical_url): one group per URL.
2. Resolve each group to an existing article, in order of trust: its canonical
   URL in ``article_urls``, its would-be id already in ``articles``, one of its
   fetched URLs in ``article_urls`` (rule 1); else an article of the same
   source whose current ``text_hash`` it carries (rule 2). Never across sources.
3. Unresolved groups that share a text_hash (same source) inside the batch are
   one article: labels propagate to a fixed point (a few UPDATEs). A new
   article's id comes from the group seen first; see ``article_id``.
4. Per article, the batch rows plus the archived current text (a pseudo-row at
   its ``last_seen_at``) are put in fetched_at order and cut into runs of equal
   text ("islands"). The last island is the text shown; every earlier one not
   already archived goes to ``article_versions``. Version numbers follow load
   order and the shown text always has the highest, so a late batch (older
   fetches loaded after newer ones) never hides the newest text.
5. Each batch row is counted once: ``new_articles`` (first row of a new
   article), ``new_versions`` (first row of a new text), ``unchanged`` (known
   text at a URL already known for the article), ``duplicates`` (known text at
   a URL new for it: rule 2 and copies inside the batch).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

ID_LENGTH = 16
_MAX_ROUNDS = 10_000


def article_id(source_id: str, canonical_url: str) -> str:
    """Stable id of a new article: what the SQL below computes, for tests and rebuilds."""
    digest = hashlib.sha1(f"{source_id} {canonical_url}".encode()).hexdigest()
    return digest[:ID_LENGTH]


@dataclass(frozen=True)
class MergeCounts:
    new_articles: int = 0
    new_versions: int = 0
    duplicates: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class MergePlan:
    """What ``apply`` will write: the counts, and how many rows each statement touches."""

    articles_parquet: Path
    counts: MergeCounts
    superseded_current: int
    superseded_new: int
    touched_existing: int
    changed_existing: int
    created: int


def sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def stage_keys(con: duckdb.DuckDBPyConnection, articles_parquet: Path) -> None:
    """The batch's identity columns only; the wide columns are read later for the few rows kept."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_rows AS
        SELECT fetch_id, run_id, source_id, url, canonical_url, text_hash, fetched_at
        FROM read_parquet({sql_literal(articles_parquet)})
    """)


def resolve(con: duckdb.DuckDBPyConnection) -> int:
    """Give every batch row an article_id (steps 1-3); return the propagation rounds used."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_grp AS
        WITH g AS (
            SELECT source_id, canonical_url,
                   substr(sha1(source_id || ' ' || canonical_url), 1, {ID_LENGTH}) AS new_id,
                   min(fetched_at) AS first_t
            FROM m_rows GROUP BY source_id, canonical_url
        ), by_canon AS (
            SELECT g.source_id, g.canonical_url, min(a.article_id) AS id
            FROM g JOIN article_urls u ON u.url = g.canonical_url
                   JOIN articles a ON a.article_id = u.article_id AND a.source_id = g.source_id
            GROUP BY ALL
        ), by_id AS (
            SELECT g.source_id, g.canonical_url, a.article_id AS id
            FROM g JOIN articles a ON a.article_id = g.new_id AND a.source_id = g.source_id
        ), by_url AS (
            SELECT r.source_id, r.canonical_url, min(a.article_id) AS id
            FROM m_rows r JOIN article_urls u ON u.url = r.url
                 JOIN articles a ON a.article_id = u.article_id AND a.source_id = r.source_id
            GROUP BY ALL
        ), by_text AS (
            SELECT r.source_id, r.canonical_url, min(a.article_id) AS id
            FROM m_rows r JOIN articles a
                 ON a.source_id = r.source_id AND a.text_hash = r.text_hash
            GROUP BY ALL
        ), fixed AS (
            SELECT g.*, coalesce(c.id, i.id, u.id, t.id) AS fixed_id
            FROM g
            LEFT JOIN by_canon c USING (source_id, canonical_url)
            LEFT JOIN by_id i USING (source_id, canonical_url)
            LEFT JOIN by_url u USING (source_id, canonical_url)
            LEFT JOIN by_text t USING (source_id, canonical_url)
        )
        -- label: '0'+id for a known article (sorts first, never changes), else
        -- '1'+first fetched_at+new_id, so the URL seen first names a new article.
        SELECT *, CASE WHEN fixed_id IS NOT NULL THEN '0' || fixed_id
                       ELSE '1' || lpad(CAST(epoch_us(first_t) AS VARCHAR), 20, '0') || new_id
                  END AS label
        FROM fixed
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE m_links AS
        WITH gh AS (SELECT DISTINCT source_id, canonical_url, text_hash FROM m_rows),
             shared AS (SELECT source_id, text_hash FROM gh GROUP BY ALL HAVING count(*) > 1)
        SELECT gh.* FROM gh SEMI JOIN shared USING (source_id, text_hash)
    """)
    rounds = 0
    while rounds < _MAX_ROUNDS:
        rounds += 1
        changed = con.execute("""
            UPDATE m_grp SET label = n.label FROM (
                SELECT a.source_id, a.canonical_url, min(g.label) AS label
                FROM m_links a
                JOIN m_links b ON a.source_id = b.source_id AND a.text_hash = b.text_hash
                JOIN m_grp g ON g.source_id = b.source_id AND g.canonical_url = b.canonical_url
                GROUP BY ALL
            ) n
            WHERE m_grp.source_id = n.source_id AND m_grp.canonical_url = n.canonical_url
              AND m_grp.fixed_id IS NULL AND n.label < m_grp.label
        """).fetchone()
        if not changed or not changed[0]:
            break
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_keyed AS
        SELECT r.*, right(g.label, {ID_LENGTH}) AS article_id
        FROM m_rows r JOIN m_grp g USING (source_id, canonical_url)
    """)
    return rounds


def plan(con: duckdb.DuckDBPyConnection, articles_parquet: Path) -> MergePlan:
    """Timeline, islands and version numbers (step 4); counts (step 5). Writes nothing."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE m_tl AS
        WITH cur AS (
            SELECT a.article_id, a.fetch_id, a.last_seen_at AS t, a.text_hash,
                   a.url AS canonical_url, TRUE AS is_cur, TRUE AS url_known
            FROM articles a WHERE a.article_id IN (SELECT article_id FROM m_keyed)
        ), batch AS (
            SELECT k.article_id, k.fetch_id, k.fetched_at AS t, k.text_hash, k.canonical_url,
                   FALSE AS is_cur,
                   (u.url IS NOT NULL OR row_number() OVER (
                        PARTITION BY k.article_id, k.canonical_url ORDER BY k.fetched_at, k.fetch_id
                   ) > 1) AS url_known
            FROM m_keyed k
            LEFT JOIN article_urls u ON u.url = k.canonical_url AND u.article_id = k.article_id
        ), ordered AS (
            SELECT *, row_number() OVER w AS pos,
                   (lag(text_hash) OVER w IS DISTINCT FROM text_hash) AS starts
            FROM (SELECT * FROM cur UNION ALL BY NAME SELECT * FROM batch)
            WINDOW w AS (PARTITION BY article_id ORDER BY t, is_cur DESC, fetch_id)
        )
        SELECT *, sum(CAST(starts AS INTEGER)) OVER (
                      PARTITION BY article_id ORDER BY pos ROWS UNBOUNDED PRECEDING) AS island
        FROM ordered
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE m_isl AS
        SELECT article_id, island, bool_or(is_cur) AS has_cur, min(t) AS first_t,
               max(t) AS last_t, arg_min(fetch_id, pos) AS rep_fetch_id
        FROM m_tl GROUP BY article_id, island
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE m_art AS
        SELECT i.article_id, a.article_id IS NOT NULL AS existing,
               coalesce(any_value(a.version), 0) AS base,
               count(*) FILTER (WHERE NOT i.has_cur) AS n_new,
               max(i.island) AS final_island,
               bool_or(i.has_cur AND i.island = i.max_island) AS final_has_cur,
               min(i.first_t) AS first_t, max(i.last_t) AS last_t
        FROM (SELECT *, max(island) OVER (PARTITION BY article_id) AS max_island FROM m_isl) i
        LEFT JOIN articles a ON a.article_id = i.article_id
        GROUP BY i.article_id, a.article_id
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE m_ver AS
        SELECT i.*, m.existing, m.base, i.island = m.final_island AS is_final,
               CASE WHEN i.island = m.final_island THEN m.base + m.n_new
                    WHEN i.has_cur THEN m.base
                    ELSE m.base - CAST(m.final_has_cur AS INTEGER) + row_number() OVER (
                        PARTITION BY i.article_id, i.has_cur ORDER BY i.island)
               END AS version
        FROM m_isl i JOIN m_art m USING (article_id)
    """)
    row = con.execute("""
        WITH kinds AS (
            SELECT CASE WHEN t.starts AND NOT v.has_cur
                            THEN CASE WHEN NOT v.existing AND t.pos = 1 THEN 'new' ELSE 'version' END
                        WHEN t.url_known THEN 'unchanged'
                        ELSE 'duplicate' END AS kind
            FROM m_tl t JOIN m_ver v USING (article_id, island)
            WHERE NOT t.is_cur
        )
        SELECT count(*) FILTER (WHERE kind = 'new'), count(*) FILTER (WHERE kind = 'version'),
               count(*) FILTER (WHERE kind = 'duplicate'), count(*) FILTER (WHERE kind = 'unchanged')
        FROM kinds
    """).fetchone()
    work = con.execute("""
        SELECT count(*) FILTER (WHERE has_cur AND NOT is_final),
               count(*) FILTER (WHERE NOT has_cur AND NOT is_final),
               count(*) FILTER (WHERE existing),
               count(*) FILTER (WHERE is_final AND existing AND NOT has_cur),
               count(*) FILTER (WHERE is_final AND NOT existing)
        FROM m_ver
    """).fetchone()
    assert row is not None and work is not None
    return MergePlan(articles_parquet, MergeCounts(*(int(x) for x in row)), *(int(x) for x in work))


def apply(con: duckdb.DuckDBPyConnection, todo: MergePlan) -> None:
    """Write what ``plan`` decided; call inside the load transaction.

    The wide columns are read from the Parquet file here, joined on the few
    fetch_ids kept, and statements with nothing to do are skipped: copying the
    text is the bulk of a load's cost.
    """
    payload = f"read_parquet({sql_literal(todo.articles_parquet)})"
    if todo.superseded_current:
        _archive_current(con)
    if todo.superseded_new:
        _archive_new(con, payload)
    if todo.touched_existing:
        _touch_existing(con)
    if todo.changed_existing:
        _change_existing(con, payload)
    if todo.created:
        _create(con, payload)
    _record_urls(con)


def _archive_current(con: duckdb.DuckDBPyConnection) -> None:
    """The shown text of an article that changed goes to article_versions."""
    con.execute("""
        INSERT INTO article_versions BY NAME
        SELECT a.article_id, v.version, a.url, a.title, a.description, a.text, a.word_count,
               a.text_hash, a.fetch_id, least(a.version_seen_at, v.first_t) AS seen_from,
               v.last_t AS seen_until, a.extractor
        FROM m_ver v JOIN articles a USING (article_id)
        WHERE v.has_cur AND NOT v.is_final
    """)


def _archive_new(con: duckdb.DuckDBPyConnection, payload: str) -> None:
    """Texts of this batch already superseded within it (or by a newer archived text)."""
    con.execute(f"""
        INSERT INTO article_versions BY NAME
        SELECT v.article_id, v.version, p.canonical_url AS url, p.title, p.description, p.text,
               p.word_count, p.text_hash, p.fetch_id, v.first_t AS seen_from,
               v.last_t AS seen_until, p.extractor
        FROM m_ver v JOIN {payload} p ON p.fetch_id = v.rep_fetch_id
        WHERE NOT v.has_cur AND NOT v.is_final
    """)


def _touch_existing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        UPDATE articles SET
            first_seen_at = least(articles.first_seen_at, m.first_t),
            last_seen_at = greatest(articles.last_seen_at, m.last_t),
            version = m.base + m.n_new,
            version_seen_at = CASE WHEN m.final_has_cur
                                   THEN least(articles.version_seen_at, v.first_t)
                                   ELSE v.first_t END
        FROM m_art m JOIN m_ver v ON v.article_id = m.article_id AND v.is_final
        WHERE articles.article_id = m.article_id AND m.existing
    """)


def _change_existing(con: duckdb.DuckDBPyConnection, payload: str) -> None:
    """Known articles whose newest text came in this batch now show it."""
    con.execute(f"""
        UPDATE articles SET
            url = p.canonical_url, title = p.title, description = p.description,
            authors = p.authors, agency = p.agency, published_at = p.published_at,
            published_source = p.published_source, modified_at = p.modified_at,
            modified_source = p.modified_source,
            section = p.section, tags = p.tags, language = p.language, image = p.image,
            text = p.text, word_count = p.word_count, text_hash = p.text_hash,
            fetch_id = p.fetch_id, extractor = p.extractor
        FROM m_ver v JOIN {payload} p ON p.fetch_id = v.rep_fetch_id
        WHERE articles.article_id = v.article_id AND v.is_final AND v.existing AND NOT v.has_cur
    """)


def _create(con: duckdb.DuckDBPyConnection, payload: str) -> None:
    con.execute(f"""
        INSERT INTO articles BY NAME
        SELECT v.article_id, p.source_id, p.canonical_url AS url, p.title, p.description,
               p.authors, p.agency, p.published_at, p.published_source, p.modified_at,
               p.modified_source, p.section, p.tags, p.language, p.image,
               p.text, p.word_count, p.text_hash, v.article_id AS story_id, v.version,
               v.first_t AS version_seen_at, m.first_t AS first_seen_at,
               m.last_t AS last_seen_at, p.fetch_id, p.extractor
        FROM m_ver v JOIN m_art m USING (article_id)
        JOIN {payload} p ON p.fetch_id = v.rep_fetch_id
        WHERE v.is_final AND NOT v.existing
    """)


def _record_urls(con: duckdb.DuckDBPyConnection) -> None:
    """Every URL seen (canonical and as fetched) points to its article; the first claim stays."""
    con.execute("""
        INSERT OR IGNORE INTO article_urls BY NAME
        SELECT url, arg_min(article_id, t) AS article_id, min(t) AS first_seen_at,
               arg_min(fetch_id, t) AS fetch_id
        FROM (
            SELECT canonical_url AS url, article_id, fetched_at AS t, fetch_id FROM m_keyed
            UNION ALL
            SELECT url, article_id, fetched_at, fetch_id FROM m_keyed WHERE url <> canonical_url
        )
        GROUP BY url
    """)


def merge(con: duckdb.DuckDBPyConnection, articles_parquet: Path) -> MergePlan:
    """Steps 2-5 over rows already staged by ``stage_keys``: resolve, plan, write; the plan says what was done."""
    resolve(con)
    todo = plan(con, articles_parquet)
    apply(con, todo)
    return todo


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("m_rows", "m_grp", "m_links", "m_keyed", "m_tl", "m_isl", "m_art", "m_ver"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
