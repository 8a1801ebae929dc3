-- 002: what the full-text search needs besides DuckDB's own index tables.
-- The BM25 index itself (schema fts_main_articles) and the search_articles
-- macro are (re)built by warehouse/search.py after each load: DuckDB's FTS
-- index is not updated by INSERT/UPDATE, and a macro that calls
-- fts_main_articles.match_bm25 can only be created once that schema exists.

-- French stop words, as the index tokenizer sees them (lower case, accents
-- stripped): they are left out of the index, so "la", "des", "l'" never rank.
-- Column name `sw` is what PRAGMA create_fts_index(stopwords := ...) reads.
CREATE TABLE search_stopwords (sw VARCHAR PRIMARY KEY);

INSERT INTO search_stopwords
SELECT DISTINCT strip_accents(lower(w))
FROM (SELECT unnest(string_split(
    'a à au aux avec ce ces c ça cela celle celles celui ceux cet cette comme d dans de des du elle elles en '
    'et eux il ils j je l la le les leur leurs lui m ma mais me même mes moi mon n ne nos notre nous on ou où '
    'par pas pour qu que qui s sa se ses son sur t ta te tes toi ton tu un une vos votre vous y '
    'est sont était étaient être ont avait avaient été sera seront fait '
    'lorsqu puisqu jusqu quelqu presqu si ni dont donc car or aussi plus très tout tous toute toutes', ' ')) AS w)
WHERE w <> '';

-- One row, written by each rebuild of the index: which load it reflects, so
-- a search can say the index is behind (a load whose rebuild was skipped or
-- interrupted) and the next load knows to rebuild it.
CREATE TABLE search_index_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    built_at       TIMESTAMPTZ NOT NULL,
    loads          BIGINT NOT NULL,      -- count(*) of loaded_batches when built
    articles       BIGINT NOT NULL,
    build_seconds  DOUBLE
);
