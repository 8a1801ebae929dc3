"""Arrow schemas of the staged batch: the one definition extract writes and the load reads."""

from __future__ import annotations

import pyarrow as pa

BATCH_FORMAT = 1

FETCHES = pa.schema(
    [
        ("fetch_id", pa.string()),
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("content_type", pa.string()),
        ("content_length", pa.int64()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("warc_file", pa.string()),
        ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
        ("payload_digest", pa.string()),
        ("discovered_via", pa.string()),
        ("discovered_from", pa.string()),
        ("listed_at", pa.string()),  # the date the feed or sitemap gave for this URL, as written there
        ("role", pa.string()),
        ("error", pa.string()),
        ("extract_status", pa.string()),
    ]
)

ARTICLES = pa.schema(
    [
        ("fetch_id", pa.string()),
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("title", pa.string()),
        ("description", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("agency", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("published_source", pa.string()),
        ("modified_at", pa.timestamp("us")),
        ("modified_source", pa.string()),
        ("section", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("language", pa.string()),
        ("image", pa.string()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("text_hash", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("extractor", pa.string()),
        ("shingles", pa.int32()),  # pipeline.storysig: word 5-shingles of the text
        ("story_bands", pa.list_(pa.int64())),  # its MinHash LSH band keys; null under MIN_SHINGLES
    ]
)

# Columns a batch staged before they existed lacks; the load then computes them itself.
OPTIONAL_ARTICLE_COLUMNS = frozenset({"shingles", "story_bands"})
