-- Metadata provenance (issue 3): the agency credited apart from the authors, where each date
-- came from (jsonld, meta, time, text, url, htmldate, feed, sitemap), and when the text
-- shown was last extracted (re-extraction updates it with the extractor column).
ALTER TABLE articles ADD COLUMN agency VARCHAR;
ALTER TABLE articles ADD COLUMN published_source VARCHAR;
ALTER TABLE articles ADD COLUMN modified_source VARCHAR;
ALTER TABLE articles ADD COLUMN extracted_at TIMESTAMPTZ;
