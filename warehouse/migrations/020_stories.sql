-- Story clusters (DESIGN.md dedup rule 3): the near-duplicate index over article texts.
-- story_signatures: which text of each article is indexed (re-indexed when text_hash changes).
-- story_bands: MinHash LSH band keys; two articles sharing a key are candidates, confirmed
-- by word-shingle containment before they share a story_id (warehouse/stories.py).
CREATE TABLE story_signatures (
    article_id   VARCHAR PRIMARY KEY,
    source_id    VARCHAR NOT NULL,
    text_hash    VARCHAR NOT NULL,
    shingles     INTEGER NOT NULL
);

CREATE TABLE story_bands (
    band_key     BIGINT NOT NULL,
    article_id   VARCHAR NOT NULL
);

CREATE INDEX story_bands_article ON story_bands (article_id);
