-- Learned boilerplate applied to the archive (issue 3): per source, the lines (pipeline.boilerplate
-- line keys) every text of that source has been stripped of. A load strips archived texts of the
-- lines its batch learned and incoming texts of the lines the archive already applies, so the
-- archive never depends on the order in which batches were extracted or loaded.
CREATE TABLE boilerplate_lines (
    source_id   VARCHAR NOT NULL,
    line_key    VARCHAR NOT NULL,
    run_id      VARCHAR,
    applied_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_id, line_key)
);
