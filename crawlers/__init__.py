"""Fetching: the sources registry, the generic Scrapy spider, WARC archiving, the sandbox.

Owns: what is requested and when (discovery, politeness), the raw archive
(``warc/``) and each run's fetch log and manifest (``staging/<run_id>/``).
May import: pipeline (data home, URL helpers) and third-party libraries;
never warehouse or flows. A crawl never opens the DuckDB archive.
"""
