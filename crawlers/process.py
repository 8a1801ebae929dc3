"""The crawl as its own process: ``python -m crawlers.process CONFIG.json``.

Twisted's reactor cannot be restarted inside a long-lived process (a Prefect
worker, a test session), so each crawl gets a fresh interpreter. The process
writes ``run.json`` at its start and its end; the parent reads nothing else.
"""

from __future__ import annotations

import json
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


def build_settings(config: dict[str, Any], sources: list[Source]) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("PRESSARCHIVE_HOME", config["home"], priority="cmdline")
    settings.set("PRESSARCHIVE_RUN_ID", config["run_id"], priority="cmdline")
    settings.set("DOWNLOAD_SLOTS", {
        s.id: {"delay": s.delay, "concurrency": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
               "randomize_delay": False}
        for s in sources
    }, priority="cmdline")
    for key, value in (config.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
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
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(NewsSpider)
    max_pages = int(config.get("max_pages") or settings.getint("PRESSARCHIVE_MAX_PAGES"))
    try:
        process.crawl(crawler, sources=sources, max_pages=max_pages,
                      max_section_pages=settings.getint("PRESSARCHIVE_MAX_SECTION_PAGES"))
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason", "unknown")
        manifest["status"] = "completed" if reason == "finished" else f"stopped: {reason}"
        manifest["stats"] = {k: v for k, v in stats.items()
                             if isinstance(v, int | float | str) and not isinstance(v, bool)}
    except Exception as exc:
        manifest["status"] = "failed"
        manifest["error"] = f"{type(exc).__name__}: {exc}"
    manifest["finished_at"] = _now()
    write_manifest(manifest_path, manifest)
    return 0 if manifest["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
