"""Extraction and normalisation: WARC records in, article records and staged Parquet out.

Owns: the data-home layout, trafilatura extraction, URL canonicalisation,
text fingerprints, the staged batch format.
May import: the standard library and third-party libraries only; never
crawlers, warehouse or flows, and never Scrapy, Prefect or DuckDB, so that it
runs in a plain process pool and can be re-run over old WARC files.

Modules, in the order data flows through them:
``warcrecords`` (read a response back by file and offset), ``charset`` (bytes
to text), ``pagemeta``/``metadata``/``authors``/``dates`` (title, bylines,
dates, labels), ``bodytext`` (the text a reader reads), ``urls`` (canonical
URLs), ``fingerprint`` (text hash, SimHash), ``extract`` (one page → one
record or a rejection reason), ``pool`` (many records on every core),
``batchfiles`` (Parquet + batch.json), ``stage`` (one crawl run → one staged
batch), ``bench`` (speed figures). ``schema`` and ``home`` are the contracts.
"""
