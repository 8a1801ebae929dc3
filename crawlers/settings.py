"""Scrapy settings of pressarchive, grouped and commented as Scrapy's default_settings.

Per-run values (data home, run id, sources) are set by ``crawlers.process``;
per-source delays become ``DOWNLOAD_SLOTS`` entries keyed by source id.
"""

BOT_NAME = "pressarchive"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- Identity ---------------------------------------------------------------
# Sites see who we are and where to complain. ``crawlers.process`` rebuilds
# USER_AGENT from PRESSARCHIVE_CONTACT_URL (setting or environment variable)
# unless USER_AGENT itself is overridden.
PRESSARCHIVE_CONTACT_URL = "https://github.com/pressarchive/pressarchive"
USER_AGENT_TEMPLATE = "pressarchive/0.1 (+{contact}; regional press archive)"
USER_AGENT = USER_AGENT_TEMPLATE.format(contact=PRESSARCHIVE_CONTACT_URL)

# --- Politeness -------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across all sources at once
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request in flight per source (slot)
DOWNLOAD_DELAY = 1.0  # seconds between two requests to one source; a source's `delay` overrides
DOWNLOAD_DELAY_JITTER = 0  # the delay is a floor we promise, not an average (no random variation)
AUTOTHROTTLE_ENABLED = False
COOKIES_ENABLED = False
# robots.txt Crawl-delay raises a source's delay (never lowers it); see crawlers.politeness
PRESSARCHIVE_POLITENESS_ENABLED = True
PRESSARCHIVE_BREAKER_THRESHOLD = 5  # responses 403/429 from one source before its circuit opens
PRESSARCHIVE_MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is capped (then retried)

# --- Limits -----------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30  # seconds
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # bytes; larger pages are dropped
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5  # a redirect loop costs at most 6 requests
PRESSARCHIVE_MAX_SECTION_PAGES = 30  # listing pages followed per section (pagination bound)
PRESSARCHIVE_MAX_PAGES = 0  # article pages per source per run; 0 = no limit

# --- Archive ----------------------------------------------------------------
PRESSARCHIVE_WARC_ENABLED = True
PRESSARCHIVE_WARC_MAX_BYTES = 1024**3  # rotate WARC files at 1 GiB
DOWNLOADER_MIDDLEWARES = {
    # next to the downloader: sees raw responses, redirects and retries included
    "crawlers.warcarchive.WarcArchiveMiddleware": 950,
    # after robots.txt (100) for requests; before retry (550) for responses
    "crawlers.politeness.PolitenessMiddleware": 900,
    # If-None-Match / If-Modified-Since from the frontier snapshot (listings, revisits)
    "crawlers.incremental.ConditionalGetMiddleware": 580,
}

# --- Incremental runs ---------------------------------------------------------
PRESSARCHIVE_FRONTIER = ""  # path of the frontier snapshot (parquet) read once at start; "" = none
PRESSARCHIVE_CONDITIONAL_GET = True
PRESSARCHIVE_NOW = ""  # ISO time standing in for the clock in revisit decisions; "" = real time

# --- Runtime ----------------------------------------------------------------
# Callbacks yield requests, never items: Scrapy's 100 item slots per response were 100 asyncio
# tasks created for every callback (about 10% of the crawl process CPU on the sandbox).
CONCURRENT_ITEMS = 8
# A development check that re-reads each callback's source with inspect on every response
# (bound methods miss its cache); our callbacks return nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts, in every crawl, an HTTP server that runs Python code sent to it (for its MCP
# server) and leaves a token file under ~/.local/state/scrapy; a crawl child needs neither.
# Switched off, it is not even imported (aiohttp: ~130 ms CPU): see crawlers.process.UNUSED_COMPONENTS.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = True  # crawl.log gets every logger of the crawl process
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
