"""Helpers of the crawl tests: run a real crawl against a sandbox and read what both sides logged.

The sandbox's request log is the ground truth of what the crawler asked for; the
fetch log is what the crawler says it did.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from crawlers.registry import Source
from crawlers.runner import CrawlResult, crawl
from pipeline.home import DataHome

FAST = {"PRESSARCHIVE_MAX_SECTION_PAGES": 1, "LOG_LEVEL": "WARNING"}


def sources_of(sandbox: Any, ids: list[str], **changes: Any) -> list[Source]:
    """Registry entries of sandbox outlets (the faults outlet included), with fields changed."""
    entries = {s["id"]: s for s in sandbox.site.registry_sources()}
    if sandbox.faults is not None:
        entries["faults"] = sandbox.faults.registry_source()
    return [Source.model_validate({**entries[i], **changes}) for i in ids]


def run_crawl(
    home: Path, sources: list[Source], settings: dict[str, Any] | None = None, **kw: Any
) -> tuple[CrawlResult, list[dict[str, Any]], dict[str, Any]]:
    """Crawl into ``home``; return the result, the fetch log rows and run.json."""
    result = crawl(sources, DataHome(home), settings={**FAST, **(settings or {})}, timeout=120, **kw)
    log = result.run_dir / "fetchlog.jsonl"
    rows = [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()] if log.exists() else []
    manifest = json.loads((result.run_dir / "run.json").read_text("utf-8"))
    return result, rows, manifest


def per_outlet(requests: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in sorted(requests, key=lambda r: r["time"]):
        out[entry["outlet"]].append(entry)
    return dict(out)


def min_gap(entries: list[dict[str, Any]]) -> float:
    """Smallest time between two requests arriving at one outlet (inf with fewer than two)."""
    times = sorted(e["time"] for e in entries)
    return min((b - a for a, b in itertools.pairwise(times)), default=float("inf"))


def max_in_flight(entries: list[dict[str, Any]]) -> int:
    """Most requests open at once at one outlet, from arrival and answer times."""
    events: list[tuple[float, int]] = []
    for e in entries:
        events.append((e["time"], 1))
        events.append((e.get("done", e["time"]), -1))
    events.sort(key=lambda x: (x[0], x[1]))
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak
