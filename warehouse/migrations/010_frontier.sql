-- 010: the crawl frontier (DESIGN.md): one row per URL ever fetched, kept by the load from
-- each run's fetches, read by the next crawl through a snapshot file (warehouse/frontier.py).
-- And fetches.listed_at: the date the feed or sitemap that listed the URL gave for it.

CREATE TABLE frontier (
    url                  VARCHAR PRIMARY KEY,   -- URL as requested (normalised by the crawler)
    source_id            VARCHAR NOT NULL,
    role                 VARCHAR,               -- robots, home, feed, sitemap, section, article, other
    discovered_via       VARCHAR,               -- how it was first found: feed, sitemap, section, home, robots, link
    discovered_from      VARCHAR,               -- the listing that first gave it
    listed_at            VARCHAR,               -- the date that listing gave, as written there
    first_discovered_at  TIMESTAMPTZ NOT NULL,  -- first fetch (the crawl fetches what it finds in the same run)
    first_run_id         VARCHAR,
    last_fetched_at      TIMESTAMPTZ,
    last_run_id          VARCHAR,
    last_status          INTEGER,               -- NULL when the last attempt failed without a response
    last_error           VARCHAR,
    etag                 VARCHAR,               -- validators for the next conditional GET
    last_modified        VARCHAR,
    payload_digest       VARCHAR,               -- of the last full (non-304) response
    fetches              BIGINT NOT NULL,       -- responses and failures recorded for this URL
    last_extract_status  VARCHAR,               -- article, rejected:..., error:... (error: due again)
    next_due_at          TIMESTAMPTZ,           -- when the next crawl should fetch it again; NULL = never
    updated_at           TIMESTAMPTZ NOT NULL
);


ALTER TABLE fetches ADD COLUMN listed_at VARCHAR;
