-- 001: the initial archive schema (table names are the interface, see DESIGN.md).
-- Timestamps: *_at columns from fetches are TIMESTAMPTZ (UTC instants);
-- published_at/modified_at are TIMESTAMP: the outlet's local wall clock (Europe/Paris).

CREATE TABLE sources (
    id               VARCHAR PRIMARY KEY,   -- registry field names, as in sources.toml
    name             VARCHAR,
    homepage         VARCHAR,
    region           VARCHAR,
    department       VARCHAR,               -- INSEE code
    kind             VARCHAR,               -- daily, weekly, magazine, institution, blog
    language         VARCHAR,
    feeds            VARCHAR[],
    sitemaps         VARCHAR[],
    sections         VARCHAR[],
    article_pattern  VARCHAR,
    allowed_domains  VARCHAR[],
    delay            DOUBLE,
    run_id           VARCHAR,               -- run whose batch last wrote this row
    loaded_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE crawl_runs (
    run_id          VARCHAR PRIMARY KEY,
    flow_run_id     VARCHAR,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR,
    error           VARCHAR,
    pages_fetched   BIGINT,   -- fetches with an HTTP status
    new_articles    BIGINT,
    new_versions    BIGINT,
    duplicates      BIGINT,   -- known text at a URL new for the article (rule 2, in-batch copies)
    unchanged       BIGINT,   -- known text at a known URL (a plain re-fetch)
    errors          BIGINT,   -- failed requests and HTTP status >= 400
    extract_errors  BIGINT,   -- fetches whose extract_status is error:...
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE fetches (
    fetch_id         VARCHAR PRIMARY KEY,
    run_id           VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    url              VARCHAR NOT NULL,
    final_url        VARCHAR,
    status           INTEGER,
    content_type     VARCHAR,
    content_length   BIGINT,
    fetched_at       TIMESTAMPTZ NOT NULL,
    warc_file        VARCHAR,
    warc_offset      BIGINT,
    warc_length      BIGINT,
    payload_digest   VARCHAR,
    discovered_via   VARCHAR,
    discovered_from  VARCHAR,
    role             VARCHAR,
    error            VARCHAR,
    extract_status   VARCHAR
);

CREATE TABLE articles (
    article_id       VARCHAR PRIMARY KEY,   -- sha1(source_id || ' ' || first canonical URL)[:16]
    source_id        VARCHAR NOT NULL,
    url              VARCHAR NOT NULL,      -- canonical URL of the version shown
    title            VARCHAR,
    description      VARCHAR,
    authors          VARCHAR[],
    published_at     TIMESTAMP,
    modified_at      TIMESTAMP,
    section          VARCHAR,
    tags             VARCHAR[],
    language         VARCHAR,
    image            VARCHAR,
    text             VARCHAR NOT NULL,
    word_count       INTEGER,
    text_hash        VARCHAR NOT NULL,
    simhash          UBIGINT,               -- near-duplicate signature (not computed yet)
    story_id         VARCHAR NOT NULL,      -- = article_id until near-dup clustering
    version          INTEGER NOT NULL,      -- 1 + number of earlier texts in article_versions
    version_seen_at  TIMESTAMPTZ NOT NULL,  -- first fetch of the text shown
    first_seen_at    TIMESTAMPTZ NOT NULL,
    last_seen_at     TIMESTAMPTZ NOT NULL,
    fetch_id         VARCHAR NOT NULL,      -- first fetch of the text shown
    extractor        VARCHAR
);

CREATE TABLE article_versions (
    article_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    url          VARCHAR,
    title        VARCHAR,
    description  VARCHAR,
    text         VARCHAR NOT NULL,
    word_count   INTEGER,
    text_hash    VARCHAR NOT NULL,
    fetch_id     VARCHAR NOT NULL,          -- first fetch of this text
    seen_from    TIMESTAMPTZ NOT NULL,
    seen_until   TIMESTAMPTZ NOT NULL,
    extractor    VARCHAR,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE article_urls (
    url            VARCHAR PRIMARY KEY,
    article_id     VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    fetch_id       VARCHAR NOT NULL
);

CREATE TABLE loaded_batches (
    run_id            VARCHAR PRIMARY KEY,
    batch_format      INTEGER NOT NULL,
    created_at        VARCHAR,
    fetches_sha256    VARCHAR NOT NULL,
    articles_sha256   VARCHAR NOT NULL,
    fetches_rows      BIGINT NOT NULL,
    articles_rows     BIGINT NOT NULL,
    loaded_at         TIMESTAMPTZ NOT NULL,
    load_seconds      DOUBLE
);

CREATE VIEW coverage_daily AS
SELECT source_id,
       CAST(published_at AS DATE) AS day,
       count(*) AS articles,
       sum(word_count) AS words
FROM articles
WHERE published_at IS NOT NULL
GROUP BY ALL;

CREATE VIEW stories AS
SELECT story_id,
       count(*) AS articles,
       count(DISTINCT source_id) AS outlets_count,
       list(DISTINCT source_id ORDER BY source_id) AS outlets,
       min(published_at) AS first_published,
       min(first_seen_at) AS first_seen_at,
       list(article_id ORDER BY published_at NULLS LAST, article_id) AS article_ids,
       list(title ORDER BY published_at NULLS LAST, article_id) AS titles
FROM articles
GROUP BY story_id;
