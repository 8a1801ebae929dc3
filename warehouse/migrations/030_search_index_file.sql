-- 030: the full-text index moved out of the archive into its own file
-- (archive.search.duckdb, built by warehouse/search.py with the archive opened
-- read-only), so a rebuild no longer holds the archive's write lock. Drop the
-- in-file index and its macro: search_articles is now defined per connection
-- over the attached index file. search_index_state stays (the interface keeps
-- its tables) but is no longer written; the index file records its own state.
DROP MACRO TABLE IF EXISTS search_articles;
DROP SCHEMA IF EXISTS fts_main_articles CASCADE;
