"""Start a crawl in a child process and follow it: the caller's side of ``crawlers.process``."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.registry import Source
from pipeline.home import DataHome, new_run_id


class CrawlFailed(RuntimeError):
    """The crawl process ended without finishing; the message says where its log is."""


@dataclass
class CrawlResult:
    run_id: str
    status: str
    run_dir: Path
    fetches: int
    errors: int
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0


def _count_errors(path: Path) -> int:
    errors = 0
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("error") or (row.get("status") or 0) >= 400:
                    errors += 1
    return errors


def crawl(
    sources: Sequence[Source],
    home: DataHome,
    *,
    run_id: str | None = None,
    max_pages: int = 0,
    flow_run_id: str | None = None,
    settings: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    timeout: float | None = None,
    frontier: Path | None = None,
    poll_interval: float = 0.3,
) -> CrawlResult:
    """Crawl ``sources`` into the data home; blocks until the crawl process exits.

    ``progress`` is called with the number of responses archived so far, every
    ``poll_interval`` seconds (it may also tail the fetch log: ``pipeline.stage.RunExtraction``);
    the call returns as soon as the process exits, not at the next poll.
    ``frontier`` is the snapshot of the archive's frontier (``warehouse.frontier.write_snapshot``)
    that makes the run incremental; without it every URL found is fetched.
    """
    if not sources:
        raise ValueError("no sources to crawl")
    home.ensure()
    run_id = run_id or new_run_id()
    run_dir = home.run_dir(run_id)
    run_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "home": str(home.root),
        "run_id": run_id,
        "flow_run_id": flow_run_id,
        "max_pages": max_pages,
        "sources": [s.model_dump(mode="json") for s in sources],
        "settings": settings or {},
        "frontier": str(frontier) if frontier else None,
    }
    config_path = run_dir / "crawl-config.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    log_path = run_dir / "crawl.log"
    fetchlog = run_dir / "fetchlog.jsonl"
    started = time.monotonic()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawlers.process", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while proc.poll() is None:
                if progress:
                    progress(_count_lines(fetchlog))
                if timeout and time.monotonic() - started > timeout:
                    proc.terminate()
                    proc.wait(30)
                    raise CrawlFailed(f"crawl {run_id} exceeded {timeout:.0f} s; log: {log_path}")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(poll_interval)
        except BaseException:
            if proc.poll() is None:
                proc.kill()
            raise
    manifest_path = run_dir / "run.json"
    if not manifest_path.exists():
        raise CrawlFailed(f"crawl {run_id} died before it started (exit {proc.returncode}); see {log_path}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("status") == "running":
        manifest["status"] = f"crashed (exit {proc.returncode})"
    if progress:
        progress(_count_lines(fetchlog))
    return CrawlResult(
        run_id=run_id,
        status=manifest["status"],
        run_dir=run_dir,
        fetches=_count_lines(fetchlog),
        errors=_count_errors(fetchlog),
        seconds=time.monotonic() - started,
        stats=manifest.get("stats", {}),
    )
