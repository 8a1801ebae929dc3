"""Extraction and normalisation: WARC records in, article records and staged Parquet out.

Owns: the data-home layout, trafilatura extraction, URL canonicalisation,
text fingerprints, story signatures (MinHash band keys), the staged batch format.
May import: the standard library and third-party libraries only; never
crawlers, warehouse or flows, and never Scrapy, Prefect or DuckDB, so that it
runs in a plain process pool and can be re-run over old WARC files.

Modules, in the order data flows through them:
``warcrecords`` (read a response back by file and offset), ``charset`` (bytes
to text), ``pagemeta``/``metadata``/``authors``/``dates`` (title, bylines,
dates, labels), ``bodytext`` (the text a reader reads), ``urls`` (canonical
URLs), ``fingerprint`` (text hash, SimHash), ``extract`` (one page → one
record or a rejection reason), ``pool`` (many records on every core),
``boilerplate`` (a source's recurring lines, learned and stripped),
``storysig`` (the final text's story signature, so the load only joins it),
``batchfiles`` (Parquet + batch.json), ``stage`` (one crawl run → one staged
batch); ``gate`` (is this page an article?) serves ``extract``, ``warcscan``
(a fetch log read back from WARC files alone) the rebuild. ``schema`` and
``home`` are the contracts. Speed figures live in the top-level ``bench/``.
"""
