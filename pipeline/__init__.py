"""Extraction and normalisation: WARC records in, article records and staged Parquet out.

Owns: the data-home layout, trafilatura extraction, URL canonicalisation,
text fingerprints, the staged batch format.
May import: the standard library and third-party libraries only; never
crawlers, warehouse or flows, and never Scrapy, Prefect or DuckDB, so that it
runs in a plain process pool and can be re-run over old WARC files.
"""
