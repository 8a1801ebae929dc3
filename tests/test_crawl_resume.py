"""Resume: a crawl killed with SIGKILL, then run again, loses no article and archives none twice.

What the killed run left is kept: its fetch log and WARC are extracted and loaded like
any run. The crawl writes a fetch-log line only after its WARC records are flushed, so a
kill leaves at worst a WARC ending inside a record that no log line names, and half a log
line, which ``read_fetchlog`` skips; that URL is not in the frontier and is fetched again.
(Were a logged record unreadable, its ``extract_status`` error would make it due again.)
The next run reads the frontier, fetches only what the killed run did not archive, and
the archive ends with every article of the outlet exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from crawlers.runner import crawl
from crawlers.sandbox import Sandbox
from pipeline.home import DataHome, new_run_id
from pipeline.stage import extract_run, read_fetchlog
from pipeline.warcrecords import read_records
from tests.crawlkit import FAST, sources_of
from warehouse.frontier import write_snapshot
from warehouse.load import load_batch
from warehouse.query import run_query

DAILY = "voix-du-tarn"


def _records_until_cut(stream: BinaryIO) -> Iterator[ArcWarcRecord]:
    """Response records of a WARC read front to back; reading stops at a record cut short."""
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                record.content_stream().read()
                yield record
    except Exception:
        return


def _kill_mid_crawl(home: DataHome, web: Sandbox, after: int) -> str:
    """Start a crawl process and SIGKILL it once ``after`` fetches are logged; return its run id."""
    run_id = new_run_id()
    run_dir = home.ensure().run_dir(run_id)
    run_dir.mkdir(parents=True)
    config = {
        "home": str(home.root),
        "run_id": run_id,
        "sources": [s.model_dump(mode="json") for s in sources_of(web, [DAILY])],
        "settings": FAST,
    }
    (run_dir / "crawl-config.json").write_text(json.dumps(config), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawlers.process", str(run_dir / "crawl-config.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = run_dir / "fetchlog.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and log.read_bytes().count(b"\n") >= after:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, "the crawl ended before it could be killed"
    return run_id


def _cut_last_record(home: DataHome, run_id: str) -> str:
    """Make the kill land inside the last article's WARC write: the file ends mid-record and the
    fetch log stops before that fetch, with half a line (the log line is written only after
    the record is flushed, so this is the worst a SIGKILL can leave). Return that URL."""
    log = home.run_dir(run_id) / "fetchlog.jsonl"
    lines = log.read_text("utf-8").splitlines(keepends=True)
    rows = [json.loads(line) for line in lines]
    index = max(i for i, r in enumerate(rows) if r["role"] == "article" and r["status"] == 200)
    last = rows[index]
    with (home.root / last["warc_file"]).open("r+b") as fh:
        fh.truncate(last["warc_offset"] + last["warc_length"] // 2)
    log.write_text("".join(lines[:index]) + lines[index][: len(lines[index]) // 2], encoding="utf-8")
    return str(last["url"])


def test_killed_crawl_then_rerun_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    home = DataHome(tmp_path)
    with Sandbox(seed=7, latency=0.02) as web:
        killed = _kill_mid_crawl(home, web, after=30)
        manifest = json.loads((home.run_dir(killed) / "run.json").read_text("utf-8"))
        assert manifest["status"] == "running"  # it never got to say it finished
        cut_url = _cut_last_record(home, killed)

        rows = read_fetchlog(home.run_dir(killed) / "fetchlog.jsonl")  # the half line is skipped
        assert cut_url not in {r["url"] for r in rows} and len(rows) >= 20
        located = [(home.root / r["warc_file"], r["warc_offset"]) for r in rows if r.get("warc_file")]
        outcomes = dict(read_records(located))
        assert not [loc for loc, got in outcomes.items() if isinstance(got, Exception)]  # all before the cut
        warc = home.root / rows[0]["warc_file"]
        with warc.open("rb") as fh:
            complete = {r.rec_headers.get_header("WARC-Target-URI") for r in _records_until_cut(fh)}
        assert {r["url"] for r in rows if r.get("warc_file")} <= complete

        summary = extract_run(home, killed, workers=1)
        assert summary.errors == 0 and summary.articles >= 10
        load_batch(home.db_path, home.run_dir(killed), reindex=False)
        archived_first = {u for (u,) in run_query(home.db_path, "SELECT url FROM articles").rows}

        rerun = new_run_id()
        snapshot = home.run_dir(rerun) / "frontier.parquet"
        assert write_snapshot(home.db_path, snapshot, [DAILY])
        web.clear_requests()
        result = crawl(sources_of(web, [DAILY]), home, run_id=rerun, settings=FAST, frontier=snapshot, timeout=120)
        assert result.status == "completed"
        extract_run(home, rerun, workers=1)
        load_batch(home.db_path, home.run_dir(rerun), reindex=False)
        truth = [a for a in web.truth()["articles"] if a["outlet"] == DAILY]
        asked = Counter(web.base_urls[r["outlet"]] + r["path"] for r in web.requests)

    articles = run_query(home.db_path, "SELECT url FROM articles").rows
    urls = {u for (u,) in run_query(home.db_path, "SELECT url FROM article_urls").rows}
    missing = [a["id"] for a in truth if not ({a["url"], *a["alt_urls"]} & urls)]
    assert not missing
    assert len(articles) == len(truth)  # none twice
    assert asked[cut_url] == 1  # the cut record is fetched again
    assert not [u for u in archived_first if asked[u]]  # what the killed run archived is not
