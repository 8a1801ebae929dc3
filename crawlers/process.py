"""The crawl as its own process: ``python -m crawlers.process CONFIG.json``.

Twisted's reactor cannot be restarted inside a long-lived process (a Prefect
worker, a test session), so each crawl gets a fresh interpreter. The process
writes ``run.json`` at its start and its end; the parent reads nothing else.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers import settings as default_settings
from crawlers.registry import Source
from crawlers.spiders.news import NewsSpider


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


# Scrapy 2.19 on the asyncio reactor: a slot whose delay is 0 hands its whole queue to the
# download tasks at once (it checks free transfer slots before the tasks start), so the
# slot's concurrency is not kept. A 1 ms floor makes it dispatch one request per pass.
MIN_SLOT_DELAY = 0.001

# Settings a deployment may set from the environment (strings, parsed by Scrapy's getters).
ENV_SETTINGS = (
    "PRESSARCHIVE_CONTACT_URL",
    "PRESSARCHIVE_NOW",
    "PRESSARCHIVE_MAX_SECTION_PAGES",
    "PRESSARCHIVE_BREAKER_THRESHOLD",
    "PRESSARCHIVE_MAX_RETRY_AFTER",
    "PRESSARCHIVE_FRONTIER",
)

# Components that would only raise NotConfigured while their switch is off. Scrapy imports every key of
# EXTENSIONS and *_MIDDLEWARES to normalise it, None or not, so they are taken out of the base lists:
# their modules (aiohttp, tldextract and requests, twisted.conch) cost ~0.15 s CPU per crawl.
UNUSED_COMPONENTS = (
    ("REMOTE_CONTROL_ENABLED", "EXTENSIONS_BASE", "scrapy.extensions.remote_control.RemoteControl"),
    ("TELNETCONSOLE_ENABLED", "EXTENSIONS_BASE", "scrapy.extensions.telnet.TelnetConsole"),
    ("COOKIES_ENABLED", "DOWNLOADER_MIDDLEWARES_BASE", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
)


def build_settings(config: dict[str, Any], sources: list[Source], environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then the environment, then the run's config; one slot per source.

    A source's ``delay`` and ``concurrency`` fill its slot in ``DOWNLOAD_SLOTS``;
    ``PRESSARCHIVE_DELAY`` (config settings) replaces every source's delay (the
    bench relaxes politeness this way); robots.txt Crawl-delay is applied later,
    per slot, by ``crawlers.politeness``.
    """
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    env = os.environ if environ is None else environ
    for key in ENV_SETTINGS:
        if env.get(key):
            settings.set(key, env[key], priority="cmdline")
    settings.set("PRESSARCHIVE_HOME", config["home"], priority="cmdline")
    settings.set("PRESSARCHIVE_RUN_ID", config["run_id"], priority="cmdline")
    overrides = config.get("settings") or {}
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    if "USER_AGENT" not in overrides:
        contact = settings.get("PRESSARCHIVE_CONTACT_URL")
        settings.set("USER_AGENT", settings.get("USER_AGENT_TEMPLATE").format(contact=contact), priority="cmdline")
    per_domain = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    forced_delay = overrides.get("PRESSARCHIVE_DELAY")
    settings.set(
        "DOWNLOAD_SLOTS",
        {
            s.id: {
                "delay": max(MIN_SLOT_DELAY, float(forced_delay) if forced_delay is not None else s.delay),
                "concurrency": s.concurrency
                if s.concurrency and "CONCURRENT_REQUESTS_PER_DOMAIN" not in overrides
                else per_domain,
                "jitter": 0.0,
            }
            for s in sources
        },
        priority="cmdline",
    )
    for switch, base, component in UNUSED_COMPONENTS:
        if not settings.getbool(switch):
            settings.set(base, {k: v for k, v in settings.getdict(base).items() if k != component}, priority="project")
    return settings


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    sources = [Source.model_validate(s) for s in config["sources"]]
    run_dir = Path(config["home"]) / "staging" / config["run_id"]
    run_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "run_id": config["run_id"],
        "flow_run_id": config.get("flow_run_id"),
        "started_at": _now(),
        "finished_at": None,
        "status": "running",
        "sources": [s.model_dump(mode="json") for s in sources],
        "stats": {},
        "error": None,
    }
    manifest_path = run_dir / "run.json"
    write_manifest(manifest_path, manifest)
    settings = build_settings(config, sources)
    process = CrawlerProcess(settings)  # LOG_INSTALL_ROOT_HANDLER (crawlers.settings)
    crawler = process.create_crawler(NewsSpider)
    max_pages = int(config.get("max_pages") or settings.getint("PRESSARCHIVE_MAX_PAGES"))
    try:
        process.crawl(
            crawler,
            sources=sources,
            max_pages=max_pages,
            max_section_pages=settings.getint("PRESSARCHIVE_MAX_SECTION_PAGES"),
            frontier=config.get("frontier") or settings.get("PRESSARCHIVE_FRONTIER") or None,
            now=settings.get("PRESSARCHIVE_NOW") or None,
        )
        # Everything built so far (~750 modules, the engine, the spider) lives as long as the process:
        # frozen, it is skipped by every full collection of the crawl and of the interpreter's exit
        # (together ~10% of the process's CPU on the sandbox). Files are flushed per record and
        # closed at spider_closed, so nothing relies on a finaliser run by those collections.
        gc.freeze()
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason", "unknown")
        manifest["status"] = "completed" if reason == "finished" else f"stopped: {reason}"
        manifest["stats"] = {
            k: v for k, v in stats.items() if isinstance(v, int | float | str) and not isinstance(v, bool)
        }
    except Exception as exc:
        manifest["status"] = "failed"
        manifest["error"] = f"{type(exc).__name__}: {exc}"
    manifest["finished_at"] = _now()
    write_manifest(manifest_path, manifest)
    return 0 if manifest["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
