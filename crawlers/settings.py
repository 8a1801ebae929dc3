"""Scrapy settings of pressarchive, grouped and commented as Scrapy's default_settings.

Per-run values (data home, run id, sources) are set by ``crawlers.process``;
per-source delays become ``DOWNLOAD_SLOTS`` entries keyed by source id.
"""

BOT_NAME = "pressarchive"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- Identity ---------------------------------------------------------------
PRESSARCHIVE_CONTACT_URL = "https://github.com/pressarchive/pressarchive"
USER_AGENT = f"pressarchive/0.1 (+{PRESSARCHIVE_CONTACT_URL})"

# --- Politeness -------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across all sources at once
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request in flight per source (slot)
DOWNLOAD_DELAY = 1.0  # seconds between two requests to one source; a source's `delay` overrides
RANDOMIZE_DOWNLOAD_DELAY = False  # the delay is a floor we promise, not an average
AUTOTHROTTLE_ENABLED = False
COOKIES_ENABLED = False

# --- Limits -----------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30  # seconds
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # bytes; larger pages are dropped
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
PRESSARCHIVE_MAX_SECTION_PAGES = 30  # listing pages followed per section (pagination bound)
PRESSARCHIVE_MAX_PAGES = 0  # article pages per source per run; 0 = no limit

# --- Archive ----------------------------------------------------------------
PRESSARCHIVE_WARC_ENABLED = True
PRESSARCHIVE_WARC_MAX_BYTES = 1024**3  # rotate WARC files at 1 GiB
DOWNLOADER_MIDDLEWARES = {
    # next to the downloader: sees raw responses, redirects and retries included
    "crawlers.warcarchive.WarcArchiveMiddleware": 950,
}

# --- Runtime ----------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
